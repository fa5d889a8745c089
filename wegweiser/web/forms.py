"""The editors' forms (offer, new offer, translation, profile, event) as WTForms classes.

The web layer's side of editing: a form is filled from a plain record, turned back into a
plain record (the import format) for the services, and shows the importer's problems at the
fields they concern. Validation itself is the importer's, the same as for imports.
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_interval
from flask import g, request
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

from ..cities import city_today
from ..formatting import weekday_names
from ..models import EVENT_TEXT_FIELDS, HELP_TEXT_FIELDS, TEXT_FIELDS
from ..opening import MAX_CLOSURE_DAYS, WEEKS_OF_MONTH
from ..services.directory import Vocabularies
from ..services.events import (
    BIWEEKLY,
    MONTHLY_DATE,
    MONTHLY_WEEKDAY,
    NONE,
    OTHER,
    REPETITIONS,
    WEEKLY,
    repetition_of,
    repetition_rule,
)
from ..services.importer import Problem
from ..services.occurrences import Schedule, last_end
from ..services.records import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    ORGANISATION_KEYS,
    closure_note,
    closures_typed_over,
    is_over,
)

HOUR_ROWS_EXTRA = 3  # empty rows for adding opening hours without JavaScript
CLOSURE_ROWS_EXTRA = 1  # an empty row for adding a closure
TRI_STATE = {"yes": True, "no": False, "": None}
TRI_STATE_CHOICES = [SelectChoice("yes", _l("yes")), SelectChoice("no", _l("no")),
                     SelectChoice("", _l("No information"))]


DESCRIPTION_LABEL = _l("Description (paragraphs, lists with “- ” and links are possible)")


def weekday_choices() -> list[SelectChoice]:
    """Monday … Sunday by ISO number, named in the page's language."""
    return [SelectChoice(day, name) for day, name in weekday_names(get_locale()).items()]


def chosen_number(value) -> int | None:
    """The number picked in a list (a weekday, a week of the month: -1 the last); None when
    nothing was picked ("every week") or what was sent is no number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return None


def week_of_month_choices() -> list[SelectChoice]:
    """Every week, or one weekday of the month (opening.WEEKS_OF_MONTH), in the page's
    language."""
    labels = {1: _l("first in the month"), 2: _l("second in the month"),
              3: _l("third in the month"), 4: _l("fourth in the month"),
              -1: _l("last in the month")}
    return [SelectChoice("", _l("every week")),
            *(SelectChoice(week, labels[week]) for week in WEEKS_OF_MONTH)]


# Line and page breaks as some programs copy them (Word's line break is a vertical tab).
BREAKS = str.maketrans({"\v": "\n", "\f": "\n"})


def _text(field) -> str:
    return (field.data or "").replace("\r\n", "\n").translate(BREAKS).strip()


# A form sent with a token of an earlier session (signed in again meanwhile, in another tab):
# shown again with what was typed, never saved (manage.check_permission sets g.stale_form).
STALE_FORM = _l("This form was opened before you signed in again, so nothing was saved. What "
                "you typed is kept below: check it and save again.")


# A public form (or a moderator's decision) sent after its session ended: shown again as typed,
# never sent (security.check_kept_form sets g.stale_form).
OPEN_TOO_LONG = _l("Your form was open too long, so nothing was sent. What you typed is kept "
                   "below: check it and send again.")


# A form with invisible control characters pasted into it (edge.refuse_control_characters).
CONTROLS_REMOVED = _l("What you typed contained invisible control characters (copied from "
                      "another program, perhaps), so nothing was sent. They have been taken out "
                      "of the text below: check it and send again.")


def stale_note():
    """Why a form that keeps what was typed came back, or None when it can be sent: its token
    was stale or it held control characters (edge.py). In the manage area a session that ended
    leads to the sign-in; a token that fails there is of a session before the last sign-in."""
    if not g.get("stale_form"):
        return None
    return g.get("kept_form_note") or (
        STALE_FORM if request.blueprint == "manage" else OPEN_TOO_LONG)


class ProblemsForm(FlaskForm):
    """A form that shows the importer's problems at the fields they concern."""

    has_problems = False
    text_language: str | None = None  # the language of the texts typed (set by texts_over)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if g.get("stale_form"):
            self.form_errors.append(stale_note())
            self.has_problems = True

    def show_problems(self, problems) -> None:
        """Each problem of the importer at the field it concerns; the rest above the form."""
        for problem in problems:
            target = self.field_for(problem.field) or self
            if isinstance(target, Form):
                target.form_errors.append(problem.reason)
            else:
                target.errors = [*target.errors, problem.reason]
        self.has_problems = bool(problems) or bool(g.get("stale_form"))

    def field_for(self, path: str):
        """Where an importer's problem (``title``, ``contact.email``, …) is shown: a field, a
        group of fields (``address``), or None: above the form. A text in the language typed
        (``title.de``) is shown at its field."""
        name, _dot, rest = path.partition(".")
        field = self._fields.get(name)
        if isinstance(field, FormField):
            return field.form._fields.get(rest) if rest else field.form
        return field if not rest or rest == self.text_language else None


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
    description = TextAreaField(DESCRIPTION_LABEL)

    def texts_record(self, base: dict, lang: str,
                     fields: tuple[str, ...] = TEXT_FIELDS) -> dict:
        """``base`` with the texts of ``fields`` in ``lang`` as typed (an emptied field
        removes one)."""
        return texts_over(self, base, lang, fields)


def texts_over(form, base: dict, lang: str, fields: tuple[str, ...]) -> dict:
    """``base`` with the texts of ``fields`` in ``lang`` as typed in ``form`` (an emptied field
    removes one)."""
    form.text_language = lang
    record = {**base}
    for name in fields:
        texts, value = dict(record.get(name, {})), _text(form[name])
        if value:
            texts[lang] = value
        else:
            texts.pop(lang, None)
        record[name] = texts
    return record


class TranslationForm(TextsForm):
    """An offer's or event's texts in one more language; only the original's title is
    required."""

    title = StringField(_l("Title"))


CLOSURE_NOTE_FIELD = "closure_note-"  # + the closure's first day: its note in the translation


def closures_to_translate(record: dict, target: str, today: date) -> list[dict]:
    """The closures now or to come whose note is written in the original language: its days,
    that note and the note in ``target`` (empty when missing), for the translation form."""
    original, found = record["original_language"], []
    for closure in record.get("closures", []):
        notes = closure.get("note") or {}
        if is_over(closure, today) or not notes.get(original):
            continue
        found.append({"field": CLOSURE_NOTE_FIELD + closure["from"],
                      "first": date.fromisoformat(closure["from"]),
                      "last": date.fromisoformat(closure["until"]),
                      "original": notes[original], "typed": notes.get(target, "")})
    return found


def closure_notes_over(record: dict, target: str, typed) -> dict:
    """``record`` with the closures' notes in ``target`` as typed (``typed``: the form's data,
    one field per closure, named by its first day); an emptied field removes that note."""
    closures = []
    for closure in record.get("closures", []):
        field = CLOSURE_NOTE_FIELD + str(closure.get("from"))
        if field in typed:
            notes, value = dict(closure.get("note") or {}), closure_note(typed[field])
            if value:
                notes[target] = value
            else:
                notes.pop(target, None)
            closure = {key: v for key, v in closure.items() if key != "note"}
            if notes:
                closure["note"] = notes
        closures.append(closure)
    return {**record, "closures": closures}


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
    """One row of opening hours; a row left empty (a note too) is no opening hours."""

    weekday = SelectField(_l("Day"), coerce=chosen_number, choices=weekday_choices)
    week_of_month = SelectField(_l("Weeks"), coerce=chosen_number,
                                choices=week_of_month_choices)
    opens = StringField(_l("Opens"))
    closes = StringField(_l("Closes"))
    note = StringField(_l("Note"))

    def is_empty(self) -> bool:
        return self.weekday.data is None and self.week_of_month.data is None \
            and not _text(self.opens) and not _text(self.closes) and not _text(self.note)

    def slot(self) -> dict:
        """The row in the import format; times typed as 9:30 or 9.30 become 09:30."""
        slot = {"weekday": self.weekday.data, "opens": _hh_mm(self.opens),
                "closes": _hh_mm(self.closes)}
        if self.week_of_month.data is not None:
            slot["week_of_month"] = self.week_of_month.data
        if _text(self.note):
            slot["note"] = _text(self.note)
        return slot

    def problems(self) -> list[tuple[str, object]]:
        """What is wrong with the row, in the words of the form: (field, reason)."""
        if self.weekday.data is None and not _text(self.opens) and not _text(self.closes):
            if not _text(self.note):
                return [("week_of_month", _l(
                    "Choose the day and enter when it opens and closes, or set the row back "
                    "to every week."))]
            return [("note", _l("A note needs a day and times: choose the day and enter when "
                                "it opens and closes, or empty the note."))]
        problems = []
        if self.weekday.data not in range(1, 8):
            problems.append(("weekday", _l("Choose a day.")))
        opens, closes = _time(_text(self.opens)), _time(_text(self.closes))
        if opens is None:
            problems.append(("opens", _l("Enter the time it opens, e.g. 09:00.")))
        if closes is None:
            problems.append(("closes", _l("Enter the time it closes, e.g. 17:00.")))
        elif opens is not None and closes == opens:
            problems.append(("closes", _l("Enter a closing time later than the opening "
                                          "time.")))
        elif opens is not None and closes < opens:
            problems.append(("closes", _l(
                "It closes before it opens. For hours past midnight use two rows: one until "
                "23:59, and one from 00:00 on the next day.")))
        return problems


class ClosureForm(Form):
    """One temporary closure: its first and last closed day, and a note in the offer's
    language; a row left empty is no closure (emptying one removes it)."""

    first_day = StringField(_l("First closed day"))
    last_day = StringField(_l("Last closed day"))
    note = StringField(_l("Note"))

    def is_empty(self) -> bool:
        return not _text(self.first_day) and not _text(self.last_day) and not _text(self.note)

    def closure(self, lang: str) -> dict:
        """The row in the import format, its note in ``lang``; days as a date field sends them
        or typed as 22.12.2026 become 2026-12-22."""
        closure = {"from": _iso_day(self.first_day), "until": _iso_day(self.last_day)}
        note = closure_note(self.note.data or "")
        if note:
            closure["note"] = {lang: note}
        return closure

    def problems(self) -> list[tuple[str, object]]:
        """What is wrong with the row, in the words of the form: (field, reason)."""
        first, last = _date(_text(self.first_day)), _date(_text(self.last_day))
        problems = [(name, _l("Enter a date as year-month-day, e.g. 2026-12-22."))
                    for name, day in (("first_day", first), ("last_day", last)) if day is None]
        if first and last and last < first:
            problems.append(("last_day", _l("The last closed day is before the first.")))
        elif first and last and (last - first).days + 1 > MAX_CLOSURE_DAYS:
            problems.append(("last_day", _l(
                "A closure lasts at most a year; for longer, archive the offer.")))
        return problems


def _iso_day(field) -> str:
    day = _date(_text(field))
    return day.isoformat() if day else _text(field)


def closure_problems(rows: list[ClosureForm], first_index: int) -> list[tuple[str, object]]:
    """The problems of the rows of closures (``closures[first_index + i].field``, reason): each
    row's own, and rows whose days overlap."""
    problems, fine = [], []
    for i, row in enumerate(rows, first_index):
        own = row.problems()
        problems += [(f"closures[{i}].{name}", reason) for name, reason in own]
        if own:
            continue
        first, last = _date(_text(row.first_day)), _date(_text(row.last_day))
        earlier = next(((f, t) for f, t in fine if f <= last and first <= t), None)
        if earlier is not None:
            problems.append((f"closures[{i}].first_day", _l(
                "Overlaps with the closure %(days)s: change the days or empty one of the rows.",
                days=format_interval(earlier[0], earlier[1], "yMMMMd", locale=get_locale()))))
        fine.append((first, last))
    return problems


def _hh_mm(field) -> str:
    """A time as the import format writes it (09:30); what is not a time stays as typed."""
    moment = _time(_text(field))
    return moment.strftime("%H:%M") if moment else _text(field)


def hours_problems(rows: list[HoursForm]) -> list[tuple[str, object]]:
    """The problems of the rows of opening hours (``opening_hours[i].field``, reason): each
    row's own, and rows of one day whose times overlap (09:00–17:00 and 10:00–12:00)."""
    problems, fine = [], []
    for i, row in enumerate(rows):
        own = row.problems()
        problems += [(f"opening_hours[{i}].{name}", reason) for name, reason in own]
        if own:
            continue
        slot = row.slot()
        earlier = next((s for s in fine if s["weekday"] == slot["weekday"]
                        and s["opens"] < slot["closes"] and slot["opens"] < s["closes"]
                        and _same_days(s, slot)), None)
        if earlier is not None:
            problems.append((f"opening_hours[{i}].opens", _l(
                "Overlaps with %(opens)s–%(closes)s on the same day: change the times or "
                "remove one of the rows.", opens=earlier["opens"], closes=earlier["closes"])))
        fine.append(slot)
    return problems


def _same_days(one: dict, other: dict) -> bool:
    """Whether two slots of one weekday can fall on the same day: every week meets every
    week of the month, a month's fourth Thursday may be its last; the first and the third
    never meet."""
    weeks = {one.get("week_of_month"), other.get("week_of_month")}
    return None in weeks or len(weeks) == 1 or weeks == {4, -1}


def vocabulary_choices(form, vocab: Vocabularies, categories=None) -> None:
    """The choices of an offer's or event's categories (``categories``, default the offers'),
    target groups, languages and areas (Ortsteile grouped by Stadtbezirk), labelled in the
    page's language."""
    form.categories.choices = [SelectChoice(c.slug, c.label(g.lang))
                               for c in (vocab.categories if categories is None else categories)]
    form.target_groups.choices = [SelectChoice(t.slug, t.label(g.lang))
                                  for t in vocab.target_groups]
    form.languages.choices = [SelectChoice(x.code, f"{x.label(g.lang)} · {x.autonym}")
                              for x in vocab.languages]
    form.areas.choices = [SelectChoice(q.slug, q.name, optgroup=d.name)
                          for d in vocab.districts for q in d.children]


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
    open_on_public_holidays = BooleanField(_l("Open on public holidays too"))
    closures = FieldList(FormField(ClosureForm))
    contact = FormField(ContactForm, separator="_")
    cost = RadioField(_l("Cost"), choices=[SelectChoice("free", _l("free of charge")),
                                            SelectChoice("reduced", _l("reduced price")),
                                            SelectChoice("paid", _l("fee"))])
    accessible = RadioField(_l("Accessible for wheelchair users"), choices=TRI_STATE_CHOICES)
    appointment_needed = RadioField(_l("Appointment needed"), choices=TRI_STATE_CHOICES)
    # The rows of opening hours that went into the record, in its order: the importer names
    # a problem by the record's index (``opening_hours[1].closes``), shown at that row.
    _rows: tuple | list = ()
    _problems: list = []  # the form's own problems of the opening hours: (field, reason)
    _closure_rows: tuple | list = ()  # the closures' rows in the record, after the past ones
    _past_closures = 0  # closures over before today: not in the form, kept as they are

    @classmethod
    def build(cls, vocab: Vocabularies, record: dict | None = None,
              state: dict | None = None) -> OfferForm:
        """The form of ``record`` (opened on ``state``); without one, the form as posted."""
        if record is None:
            form = cls()
        else:
            form = cls(formdata=None, data={**offer_form_data(record), **(state or {})})
        vocabulary_choices(form, vocab, vocab.categories)
        while sum(row.form.is_empty() for row in form.hours) < HOUR_ROWS_EXTRA:
            form.hours.append_entry()
        while sum(row.form.is_empty() for row in form.closures) < CLOSURE_ROWS_EXTRA:
            form.closures.append_entry()
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
        record["open_on_public_holidays"] = bool(self.open_on_public_holidays.data)
        self._problems = hours_problems(self._rows)
        self._closures_record(record, base)
        record["cost"] = self.cost.data or ""
        for name in ("accessible", "appointment_needed"):
            record[name] = TRI_STATE.get(self[name].data or "")
        return record

    def _closures_record(self, record: dict, base: dict) -> None:
        """The closures over before today kept from ``base`` (history, not in the form), then
        the rows; a row's notes in other languages are kept from the closure of ``base`` that
        began on the same day."""
        lang, today, stored = base["original_language"], city_today(), base.get("closures", [])
        self._closure_rows = [row.form for row in self.closures if not row.form.is_empty()]
        self._past_closures = sum(is_over(c, today) for c in stored)
        record["closures"] = closures_typed_over(
            stored, [row.closure(lang) for row in self._closure_rows], lang, today)
        self._problems = [*self._problems,
                          *closure_problems(self._closure_rows, self._past_closures)]

    def show_problems(self, problems) -> None:
        """The form's own problems of the opening hours and closures, then the importer's,
        except those of rows the form has found wrong already (in the import's words: "must
        be a time HH:MM")."""
        own = [Problem("", name, reason) for name, reason in self._problems]
        rows = {name.partition(".")[0] for name, _reason in self._problems}
        super().show_problems([*own, *(p for p in problems
                                       if p.field.partition(".")[0] not in rows)])

    def field_for(self, path: str):
        name, _dot, rest = path.partition(".")
        if name.startswith("opening_hours[") and rest:
            row = int(name[len("opening_hours["):-1])
            return self._rows[row]._fields.get(rest) if row < len(self._rows) else None
        if name.startswith("closures[") and rest:
            row = int(name[len("closures["):-1]) - self._past_closures
            rest = {"from": "first_day", "until": "last_day"}.get(rest.partition(".")[0], rest)
            return self._closure_rows[row]._fields.get(rest) \
                if 0 <= row < len(self._closure_rows) else None
        return super().field_for(path)


def offer_form_data(record: dict) -> dict:
    """What the offer form shows of a record: the texts in its original language, yes/no/no
    information for the tri-state answers."""
    lang = record["original_language"]
    data = {key: record.get(key) for key in ("categories", "target_groups", "languages",
                                             "areas", "citywide", "address", "contact", "cost",
                                             "open_on_public_holidays")}
    data.update({name: record.get(name, {}).get(lang, "") for name in TEXT_FIELDS})
    data["hours"] = list(record.get("opening_hours", []))
    today = city_today()
    data["closures"] = [{"first_day": c["from"], "last_day": c["until"],
                         "note": c.get("note", {}).get(lang, "")}
                        for c in record.get("closures", []) if not is_over(c, today)]
    for name in ("accessible", "appointment_needed"):
        data[name] = next(k for k, v in TRI_STATE.items() if v is record.get(name))
    return data


class ProfileForm(AddressFields, StateForm):
    """An organisation's profile: name, description in its original language, contact."""

    name = StringField(_l("Name"), validators=[InputRequired()])
    description = TextAreaField(DESCRIPTION_LABEL)
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
        record = texts_over(self, base, base["original_language"], HELP_TEXT_FIELDS)
        record["kind"] = self.kind.data or ""
        record["areas"] = list(self.areas.data or [])
        record["languages"] = list(self.languages.data or [])
        record["end_date"] = _text(self.end_date)
        return record


REPETITION_CHOICES = [
    SelectChoice(NONE, _l("Once")),
    SelectChoice(WEEKLY, _l("Every week on the same weekday")),
    SelectChoice(BIWEEKLY, _l("Every two weeks on the same weekday")),
    SelectChoice(MONTHLY_WEEKDAY, _l("Every month on the same weekday (e.g. every first "
                                     "Wednesday)")),
    SelectChoice(MONTHLY_DATE, _l("Every month on the same date")),
]


def _date(text: str):
    """A date as a date field sends it (2026-12-31), or as typed where there is no date
    field (31.12.2026); None: not a date."""
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _time(text: str):
    """A time as a time field sends it (18:30), or typed as 9:30 or 18.30; None: not one."""
    try:
        return datetime.strptime(text.replace(".", ":"), "%H:%M").time()
    except ValueError:
        return None


class EventForm(StateForm):
    """An event: its texts in the original language, when and how often, where (an address or
    online), for whom, cost and registration. The repetition is chosen in words and turned into
    an iCalendar rule by ``services/events.py``."""

    title = StringField(_l("Title"), validators=[InputRequired()])
    description = TextAreaField(DESCRIPTION_LABEL)
    start_date = StringField(_l("Date"))
    start_time = StringField(_l("Begins at"))
    end_date = StringField(_l("Ends on (if not the same day)"))
    end_time = StringField(_l("Ends at"))
    repetition = RadioField(_l("Repeats"), choices=REPETITION_CHOICES, default=NONE)
    until = StringField(_l("Last date of the repetition (optional)"))
    online = BooleanField(_l("Online (no address)"))
    online_url = StringField(_l("Link to take part online"))
    areas = SelectMultipleField(_l("Part of town"))
    address = FormField(AddressForm, separator="_")
    categories = SelectMultipleField(_l("Categories"))
    target_groups = SelectMultipleField(_l("For whom"))
    languages = SelectMultipleField(_l("Languages spoken"))
    cost = RadioField(_l("Cost"), choices=[SelectChoice("free", _l("free of charge")),
                                            SelectChoice("reduced", _l("reduced price")),
                                            SelectChoice("paid", _l("fee"))])
    registration_needed = BooleanField(_l("Registration needed"))
    registration_contact = StringField(_l("Register with (e-mail address or phone)"))
    registration_url = StringField(_l("Registration form (web address)"))
    offer = SelectField(_l("Belongs to the offer"))
    _problems: list = []  # the form's own problems: (field, reason)

    @classmethod
    def build(cls, vocab: Vocabularies, offers: list[tuple[str, str]],
              record: dict | None = None, state: dict | None = None) -> EventForm:
        """The form of ``record`` (opened on ``state``); without one, the form as posted.
        ``offers``: (id, title) of the organisation's offers the event may belong to."""
        if record is None:
            form = cls()
        else:
            form = cls(formdata=None, data={**event_form_data(record), **(state or {})})
        vocabulary_choices(form, vocab, vocab.event_categories)
        form.offer.choices = [SelectChoice("", _l("none")),
                              *(SelectChoice(key, title) for key, title in offers)]
        if form.repetition.data == OTHER or (record and form.repetition.data is None):
            form.repetition.choices = [*REPETITION_CHOICES, SelectChoice(
                OTHER, _l("As imported: %(rule)s", rule=(record or {}).get("rrule") or ""))]
        return form

    def record(self, base: dict) -> dict:
        """The form as an import record over ``base`` (the event as it is, or a blank
        record). Dates and times the form cannot read are its own problems (``problems``)."""
        self._problems = []
        record = texts_over(self, base, base["original_language"], EVENT_TEXT_FIELDS)
        starts_at, ends_at = self._when()
        record["starts_at"] = starts_at.isoformat(timespec="minutes") if starts_at else None
        record["ends_at"] = ends_at.isoformat(timespec="minutes") if ends_at else None
        record["rrule"] = self._rule(base, starts_at)
        if not self._problems and any(record[key] != base.get(key)
                                      for key in ("starts_at", "ends_at", "rrule")):
            self._over(record, base.get("timezone") or "UTC")
        for name in ("categories", "target_groups", "languages", "areas"):
            record[name] = list(self[name].data or [])
        record["online"] = bool(self.online.data)
        record["online_url"] = _text(self.online_url) or None
        address = {key: _text(self.address[key]) for key in ADDRESS_KEYS}
        record["address"] = {key: _number(value) if key in ("lat", "lon") else value
                             for key, value in address.items() if value}
        record["cost"] = self.cost.data or ""
        record["registration_needed"] = bool(self.registration_needed.data)
        for name in ("registration_contact", "registration_url"):
            record[name] = _text(self[name]) or None
        record["offer"] = self.offer.data or None
        return record

    def _when(self):
        start_day = _date(_text(self.start_date))
        if start_day is None:
            self._problems.append(("start_date", _l("Please give the date as on a calendar.")))
        start, end = _time(_text(self.start_time)), _time(_text(self.end_time))
        for name, value in (("start_time", start), ("end_time", end)):
            if value is None:
                self._problems.append((name, _l("Please give a time such as 18:30.")))
        end_day = _date(_text(self.end_date)) if _text(self.end_date) else start_day
        if _text(self.end_date) and end_day is None:
            self._problems.append(("end_date", _l("Please give the date as on a calendar.")))
        if None in (start_day, start, end, end_day):
            return None, None
        starts_at, ends_at = datetime.combine(start_day, start), datetime.combine(end_day, end)
        if ends_at <= starts_at:
            self._problems.append(("end_time", _l("The end must be after the beginning.")))
        return starts_at, ends_at

    def _rule(self, base: dict, starts_at):
        repetition = self.repetition.data or NONE
        if repetition == OTHER:
            return base.get("rrule")
        until = None
        if _text(self.until):
            until = _date(_text(self.until))
            if until is None:
                self._problems.append(("until", _l("Please give the date as on a calendar.")))
            elif starts_at is not None and until < starts_at.date():
                self._problems.append(("until", _l("The last date must not be before the "
                                                   "first.")))
        if starts_at is None or repetition not in REPETITIONS:
            return None
        return repetition_rule(repetition, starts_at, until)

    def _over(self, record: dict, timezone: str) -> None:
        """A new date (of a new event, or a date changed) whose last occurrence is over."""
        end = last_end(Schedule(datetime.fromisoformat(record["starts_at"]),
                                datetime.fromisoformat(record["ends_at"]), timezone,
                                record["rrule"]))
        if end is None or end > datetime.now(end.tzinfo):
            return
        if record["rrule"]:
            self._problems.append(("until", _l("The last date of the repetition is already "
                                               "over. Please give a later one, or none.")))
        else:
            self._problems.append(("start_date", _l("This date is already over. Please give "
                                                    "a date that is still to come.")))

    def show_problems(self, problems) -> None:
        """The form's own problems, then the importer's at fields without one already."""
        own = [Problem("", name, reason) for name, reason in self._problems]
        mine = {name for name, _reason in self._problems}
        super().show_problems([*own, *(p for p in problems if not (
            p.field in ("starts_at", "ends_at", "rrule") and mine))])

    def field_for(self, path: str):
        return super().field_for(EVENT_FIELD_OF.get(path, path))


# Where the importer's problems of an event are shown in its form.
EVENT_FIELD_OF = {"starts_at": "start_date", "ends_at": "end_time", "rrule": "repetition"}


def event_form_data(record: dict) -> dict:
    """What the event form shows of a record: texts in its original language, dates and
    times apart, the repetition in words."""
    lang = record["original_language"]
    data = {key: record.get(key) for key in (
        "categories", "target_groups", "languages", "areas", "address", "online",
        "online_url", "cost", "registration_needed", "registration_contact",
        "registration_url")}
    data.update({name: record.get(name, {}).get(lang, "") for name in EVENT_TEXT_FIELDS})
    data["offer"] = record.get("offer") or ""
    starts = datetime.fromisoformat(record["starts_at"]) if record.get("starts_at") else None
    ends = datetime.fromisoformat(record["ends_at"]) if record.get("ends_at") else None
    if starts is not None:
        data.update(start_date=starts.date().isoformat(), start_time=starts.strftime("%H:%M"))
    if ends is not None:
        data["end_time"] = ends.strftime("%H:%M")
        if starts is None or ends.date() != starts.date():
            data["end_date"] = ends.date().isoformat()
    repetition, until = repetition_of(record.get("rrule"), starts)
    data["repetition"] = repetition
    data["until"] = until.isoformat() if until else ""
    return data
