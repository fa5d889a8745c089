"""The editors' forms (offer, new offer, translation, organisation profile) as WTForms classes.

The web layer's side of editing: a form is filled from a plain record, turned back into a
plain record (the import format) for the services, and shows the importer's problems at the
fields they concern. Validation itself is the importer's, the same as for imports.
"""
from __future__ import annotations

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired

from ..formatting import weekday_names
from ..models import HELP_TEXT_FIELDS, TEXT_FIELDS
from ..services.directory import Vocabularies
from ..services.records import ADDRESS_KEYS, CONTACT_KEYS, ORGANISATION_KEYS

HOUR_ROWS_EXTRA = 3  # empty rows for adding opening hours without JavaScript
TRI_STATE = {"yes": True, "no": False, "": None}
TRI_STATE_CHOICES = [SelectChoice("yes", _l("yes")), SelectChoice("no", _l("no")),
                     SelectChoice("", _l("No information"))]


def weekday_choices() -> list[SelectChoice]:
    """Monday … Sunday by ISO number, named in the page's language."""
    return [SelectChoice(day, name) for day, name in weekday_names(get_locale()).items()]


def weekday_number(value) -> int | None:
    """The ISO number of the day picked (``int``); None when no day was picked."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _text(field) -> str:
    return (field.data or "").replace("\r\n", "\n").strip()


class ProblemsForm(FlaskForm):
    """A form that shows the importer's problems at the fields they concern."""

    has_problems = False

    def show_problems(self, problems) -> None:
        """Each problem of the importer at the field it concerns; the rest above the form."""
        for problem in problems:
            target = self.field_for(problem.field) or self
            if isinstance(target, Form):
                target.form_errors.append(problem.reason)
            else:
                target.errors = [*target.errors, problem.reason]
        self.has_problems = bool(problems)

    def field_for(self, path: str):
        """Where an importer's problem (``title``, ``contact.email``, …) is shown: a field, a
        group of fields (``address``), or None: above the form."""
        name, _dot, rest = path.partition(".")
        field = self._fields.get(name)
        if isinstance(field, FormField):
            return field.form._fields.get(rest) if rest else field.form
        return field if not rest else None


class StateForm(ProblemsForm):
    """The state a form was opened on: the saved version and the change waiting for review
    (kept through previews and errors, so a change saved by someone else meanwhile is noticed
    as a conflict)."""

    version = HiddenField()
    pending = HiddenField()

    def state(self) -> dict:
        version = str(self.version.data or "")
        return {"version": int(version) if version.isdigit() else 0,
                "pending": self.pending.data}


class TextsForm(StateForm):
    """Title, summary and description in one language."""

    title = StringField(_l("Title"), validators=[InputRequired()])
    summary = TextAreaField(_l("Summary (one or two sentences)"))
    description = TextAreaField(_l("Description (paragraphs, lists with “- ” and links are "
                                   "possible)"))

    def texts_record(self, base: dict, lang: str) -> dict:
        """``base`` with the texts in ``lang`` as typed (an emptied field removes one)."""
        return texts_into(self, base, lang, TEXT_FIELDS)


def texts_into(form, base: dict, lang: str, names) -> dict:
    """``base`` with the form's texts ``names`` in ``lang`` as typed (emptied: removed)."""
    record = {**base}
    for name in names:
        texts, value = dict(record.get(name, {})), _text(form[name])
        if value:
            texts[lang] = value
        else:
            texts.pop(lang, None)
        record[name] = texts
    return record


class TranslationForm(TextsForm):
    """An offer's texts in one more language; only the original's title is required."""

    title = StringField(_l("Title"))


class AddressFields:
    """Street, postal code and city: of an offer, an organisation's profile, the join form."""

    street = StringField(_l("Street and number"))
    postal_code = StringField(_l("Postal code"))
    city = StringField(_l("City"))


class AddressForm(AddressFields, Form):
    lat = StringField(_l("Latitude"))
    lon = StringField(_l("Longitude"))


class ContactForm(Form):
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail address"))
    website = StringField(_l("Website"))


class HoursForm(Form):
    """One row of opening hours; a row left empty is no opening hours."""

    weekday = SelectField(_l("Day"), coerce=weekday_number, choices=weekday_choices)
    opens = StringField(_l("Opens"))
    closes = StringField(_l("Closes"))
    note = StringField(_l("Note"))

    def is_empty(self) -> bool:
        return self.weekday.data is None and not self.opens.data and not self.closes.data

    def slot(self) -> dict:
        slot = {"weekday": self.weekday.data, "opens": self.opens.data or "",
                "closes": self.closes.data or ""}
        if _text(self.note):
            slot["note"] = _text(self.note)
        return slot


def _number(text: str):
    """A coordinate as typed (a decimal comma allowed); what is not a number stays text, for
    the validation to report."""
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


class OfferForm(TextsForm):
    categories = SelectMultipleField(_l("Categories"))
    target_groups = SelectMultipleField(_l("For whom"))
    languages = SelectMultipleField(_l("Staff speak"))
    areas = SelectMultipleField(_l("Part of town"))
    citywide = BooleanField(_l("For people from the whole city"))
    address = FormField(AddressForm, separator="_")
    hours = FieldList(FormField(HoursForm))
    contact = FormField(ContactForm, separator="_")
    cost = RadioField(_l("Cost"), choices=[SelectChoice("free", _l("free of charge")),
                                            SelectChoice("reduced", _l("reduced price")),
                                            SelectChoice("paid", _l("fee"))])
    accessible = RadioField(_l("Accessible for wheelchair users"), choices=TRI_STATE_CHOICES)
    appointment_needed = RadioField(_l("Appointment needed"), choices=TRI_STATE_CHOICES)
    # The rows of opening hours that went into the record, in its order: the importer names
    # a problem by the record's index (``opening_hours[1].closes``), shown at that row.
    _rows: tuple | list = ()

    @classmethod
    def build(cls, vocab: Vocabularies, record: dict | None = None,
              state: dict | None = None) -> OfferForm:
        """The form of ``record`` (opened on ``state``); without one, the form as posted."""
        if record is None:
            form = cls()
        else:
            form = cls(formdata=None, data={**offer_form_data(record), **(state or {})})
        vocabulary_choices(form, vocab)
        while sum(row.form.is_empty() for row in form.hours) < HOUR_ROWS_EXTRA:
            form.hours.append_entry()
        return form

    def record(self, base: dict) -> dict:
        """The form as an import record over ``base`` (the offer as it is, or a blank record);
        what an editor may not change is kept."""
        record = self.texts_record(base, base["original_language"])
        for name in ("categories", "target_groups", "languages", "areas"):
            record[name] = list(self[name].data or [])
        record["citywide"] = bool(self.citywide.data)
        address = {key: _text(self.address[key]) for key in ADDRESS_KEYS}
        record["address"] = {key: _number(value) if key in ("lat", "lon") else value
                             for key, value in address.items() if value}
        contact = {key: _text(self.contact[key]) for key in CONTACT_KEYS}
        record["contact"] = {key: value for key, value in contact.items() if value}
        self._rows = [row.form for row in self.hours if not row.form.is_empty()]
        record["opening_hours"] = [row.slot() for row in self._rows]
        record["cost"] = self.cost.data or ""
        for name in ("accessible", "appointment_needed"):
            record[name] = TRI_STATE.get(self[name].data or "")
        return record

    def field_for(self, path: str):
        name, _dot, rest = path.partition(".")
        if name.startswith("opening_hours[") and rest:
            row = int(name[len("opening_hours["):-1])
            return self._rows[row]._fields.get(rest) if row < len(self._rows) else None
        return super().field_for(path)


def vocabulary_choices(form, vocab: Vocabularies) -> None:
    """The choices of a form's categories, target groups, languages and areas (Ortsteile
    grouped by Stadtbezirk), labelled in the page's language."""
    form.categories.choices = [SelectChoice(c.slug, c.label(g.lang)) for c in vocab.categories]
    form.target_groups.choices = [SelectChoice(t.slug, t.label(g.lang))
                                  for t in vocab.target_groups]
    form.languages.choices = [SelectChoice(x.code, f"{x.label(g.lang)} · {x.autonym}")
                              for x in vocab.languages]
    form.areas.choices = [SelectChoice(q.slug, q.name, optgroup=d.name)
                          for d in vocab.districts for q in d.children]


def offer_form_data(record: dict) -> dict:
    """What the offer form shows of a record: the texts in its original language, yes/no/no
    information for the tri-state answers."""
    lang = record["original_language"]
    data = {key: record.get(key) for key in ("categories", "target_groups", "languages",
                                             "areas", "citywide", "address", "contact", "cost")}
    data.update({name: record.get(name, {}).get(lang, "") for name in TEXT_FIELDS})
    data["hours"] = list(record.get("opening_hours", []))
    for name in ("accessible", "appointment_needed"):
        data[name] = next(k for k, v in TRI_STATE.items() if v is record.get(name))
    return data


class ProfileForm(AddressFields, StateForm):
    """An organisation's profile: name, description in its original language, contact."""

    name = StringField(_l("Name"), validators=[InputRequired()])
    description = TextAreaField(_l("Description (paragraphs, lists with “- ” and links are "
                                   "possible)"))
    website = StringField(_l("Website"))
    email = StringField(_l("E-mail address"))
    phone = StringField(_l("Phone"))

    @classmethod
    def of(cls, record: dict, state: dict) -> ProfileForm:
        lang = record["original_language"]
        data = {key: record.get(key) for key in ORGANISATION_KEYS}
        return cls(formdata=None, data={**data, **state,
                                        "description": record["description"].get(lang, "")})

    def record(self, base: dict) -> dict:
        """``base`` (the profile as an import record) with the form's fields over it."""
        record = {**base, **{key: (self[key].data or "").strip() or None
                             for key in ORGANISATION_KEYS}}
        description, text = dict(record["description"]), _text(self.description)
        if text:
            description[record["original_language"]] = text
        else:
            description.pop(record["original_language"], None)
        record["description"] = description
        return record


class HelpCallForm(StateForm):
    """A call for help: what kind, what and when (texts in the organisation's language), where,
    which languages, until when."""

    kind = RadioField(_l("What are you looking for?"))
    title = StringField(_l("Title (e.g. “Volunteers for homework help”)"),
                        validators=[InputRequired()])
    description = TextAreaField(_l("Description"))
    when = StringField(_l("When (e.g. “Tuesdays 15–17”)"))
    areas = SelectMultipleField(_l("Part of town (none: anywhere in the city)"))
    languages = SelectMultipleField(_l("Languages wanted"))
    end_date = StringField(_l("Until"))

    @classmethod
    def build(cls, vocab: Vocabularies, kinds, record: dict | None = None,
              state: dict | None = None) -> HelpCallForm:
        """The form of ``record`` (opened on ``state``); without one, the form as posted."""
        if record is None:
            form = cls()
        else:
            lang = record["original_language"]
            data = {key: record.get(key) for key in ("kind", "areas", "languages", "end_date")}
            data.update({name: record.get(name, {}).get(lang, "") for name in HELP_TEXT_FIELDS})
            form = cls(formdata=None, data={**data, **(state or {})})
        form.kind.choices = [SelectChoice(k.slug, k.label(g.lang)) for k in kinds]
        form.languages.choices = [SelectChoice(x.code, f"{x.label(g.lang)} · {x.autonym}")
                                  for x in vocab.languages]
        form.areas.choices = [SelectChoice(q.slug, q.name, optgroup=d.name)
                              for d in vocab.districts for q in d.children]
        return form

    def record(self, base: dict) -> dict:
        """The form as an import record over ``base`` (the call as it is, or a blank one)."""
        record = texts_into(self, base, base["original_language"], HELP_TEXT_FIELDS)
        record["kind"] = self.kind.data or ""
        record["areas"] = list(self.areas.data or [])
        record["languages"] = list(self.languages.data or [])
        record["end_date"] = _text(self.end_date)
        return record
