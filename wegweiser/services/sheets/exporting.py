"""The published directory as the JSON import format (the nightly-style dump) and as offer
spreadsheets; the empty template with its explanations and drop-downs. Every file states the
data licence."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...cities import city_today
from ...models import COSTS, DRAFT, PUBLISHED, TEXT_FIELDS, Area, Category, Language, TargetGroup
from ..directory import organisations_with_offers, published_offers
from ..importer import ABOUT
from ..lookups import Lookups
from ..records import offer_record, organisation_record
from .columns import YES_NO, columns_for, record_to_row
from .files import SheetContent


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def directory_data(session: Session, licence: dict, source: str) -> dict:
    """Every published offer and its organisation in the import format, with a section
    ``about`` (licence, source, time) that an import of the file passes over."""
    organisations = [{**organisation_record(org), "original_language": org.original_language}
                     for org in organisations_with_offers(session)]
    return {ABOUT: {"licence": licence, "source": source, "exported_at": _now()},
            "organisations": organisations,
            "offers": [offer_record(offer) for offer in published_offers(session)]}


def _about(licence: dict, source: str) -> list[tuple[str, str]]:
    return [("Licence", f"{licence['name']} {licence['url']}"), ("Source", source),
            ("Exported at", _now())]


def directory_sheet(session: Session, languages: list[str], licence: dict,
                    source: str) -> SheetContent:
    """The published offers, one row each (vocabularies as slugs: the file reads back the
    same), with text columns for ``languages`` and any other language an offer has."""
    data = directory_data(session, licence, source)
    names = {org["id"]: org["name"] for org in data["organisations"]}
    extra = sorted({lang for offer in data["offers"] for name in TEXT_FIELDS
                    for lang in offer[name]} - set(languages))
    today = city_today()
    return SheetContent(columns=columns_for([*languages, *extra]),
                        rows=[record_to_row(offer, names.get(offer["organisation"]), today)
                              for offer in data["offers"]],
                        about=_about(licence, source))


def _choices(session: Session, lang: str) -> dict[str, list[str]]:
    """The drop-down values: labels in ``lang`` where a label names one value only, else the
    slug (the import takes either)."""
    lookups = Lookups.load(session)

    def named(vocabulary, items, label):
        return [label(item) if vocabulary.find(label(item)) is item else
                getattr(item, "slug", None) or item.code for item in items]

    categories = session.scalars(select(Category).where(Category.for_offers)  # not events-only
                                 .order_by(Category.position))
    groups = session.scalars(select(TargetGroup).order_by(TargetGroup.position))
    spoken = list(session.scalars(select(Language).order_by(Language.position)))
    areas = session.scalars(select(Area).where(Area.parent_id.is_not(None)).order_by(Area.name))
    return {
        "categories": named(lookups.categories, categories, lambda c: c.label(lang)),
        "target_groups": named(lookups.target_groups, groups, lambda t: t.label(lang)),
        "languages": named(lookups.languages, spoken, lambda x: x.label(lang)),
        "areas": named(lookups.areas, areas, lambda a: a.name),
        "original_language": [x.code for x in spoken],
        "cost": list(COSTS),
        **{name: ["yes", "no"] for name in YES_NO},
        "status": [PUBLISHED, DRAFT],
    }


def explanations(columns: list[str], language_name) -> dict[str, str]:
    """What goes into each column, in the current language (the template's second row)."""
    several = _("several, separated by ;")
    yes_no = _("yes or no")
    fixed = {
        "id": _("Id of the offer (letters, digits, . _ : -); an existing id updates that offer"),
        "organisation": _("Id of the organisation"),
        "organisation_name": _("Name") + " – " + _("only for a new organisation"),
        "original_language": _("Original language (code, e.g. de)"),
        "categories": f"{_('Categories')} – {several}",
        "target_groups": f"{_('For whom')} – {several}",
        "languages": f"{_('Staff speak')} – {several}",
        "areas": f"{_('Part of town')} – {several}",
        "citywide": f"{_('For people from the whole city')} – {yes_no}",
        "street": _("Street and number"), "postal_code": _("Postal code"), "city": _("City"),
        "lat": _("Latitude"), "lon": _("Longitude"), "phone": _("Phone"),
        "email": _("E-mail address"), "website": _("Website"),
        "opening_hours": _("Opening hours, e.g. Mo 09:00-12:00; We 14:00-18:00 (note); "
                           "Th[1] 15:00-17:00 for the first Thursday of the month, Th[-1] "
                           "for the last"),
        "open_on_public_holidays": f"{_('Open on public holidays too')} – {yes_no}",
        "closures": _("Closed (holidays, for instance): first and last closed day, e.g. "
                      "%(days)s (note); %(day)s for a single day", days="22.12.2026-2.1.2027",
                      day="1.5.2027"),
        "cost": f"{_('Cost')} – free, reduced, paid",
        "accessible": f"{_('Accessible for wheelchair users')} – {yes_no}",
        "appointment_needed": f"{_('Appointment needed')} – {yes_no}",
        "status": _("published or draft (published if empty)"),
        # The reader takes a date cell, 2026-10-01 and 1.10.2026 (never 01/10/2026: ambiguous).
        "verified_at": _("Last checked: a date, e.g. %(dotted)s or %(iso)s",
                         dotted="1.10.2026", iso="2026-10-01"),
    }
    texts = {"title": _("Title"), "summary": _("Summary (one or two sentences)"),
             "description": _("Description")}
    for column in columns:
        name, _sep, lang = column.rpartition("_")
        if name in texts:
            fixed[column] = f"{texts[name]} ({language_name(lang)})"
    return fixed


def template_sheet(session: Session, languages: list[str], lang: str, licence: dict,
                   language_name) -> SheetContent:
    """The empty spreadsheet to fill in: explanations in ``lang``, drop-downs from the live
    vocabularies."""
    columns = columns_for(languages)
    return SheetContent(columns=columns, rows=[], explanations=explanations(columns,
                                                                            language_name),
                        lists=_choices(session, lang),
                        strict={"original_language", "cost", *YES_NO, "status"},
                        about=[("Licence", _("Imported offers are published under %(licence)s "
                                             "(%(url)s).", licence=licence["name"],
                                             url=licence["url"]))])

