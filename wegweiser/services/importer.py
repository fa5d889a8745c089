"""Import of the JSON exchange format: validate everything, then write all of it or nothing.

Records are matched to existing rows by their external ``id``; a record equal to what is stored
changes nothing, a changed record updates the row and writes a revision.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rrulestr
from flask import current_app, has_app_context
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from ..i18n import language_label
from ..models import (
    COSTS,
    EVENT_TEXT_FIELDS,
    HELP_TEXT_FIELDS,
    PUBLISHED,
    STATUSES,
    TEXT_FIELDS,
    Event,
    EventText,
    HelpCall,
    HelpCallText,
    Offer,
    OfferClosure,
    OfferClosureText,
    OfferText,
    OpeningHours,
    Organisation,
    OrganisationText,
    Revision,
    utcnow,
)
from ..models.changelog import log_changes
from ..models.translation import text_origin
from ..opening import MAX_CLOSURE_DAYS, WEEKS_OF_MONTH
from .help_calls import help_call_record, kind_by_slug, latest_end_date
from .lookups import Lookups
from .records import (
    ADDRESS_KEYS,
    CONTACT_KEYS,
    EVENT_KEYS,
    ORGANISATION_KEYS,
    changed_fields,
    entry_record,
    event_record,
    local_datetime,
    offer_record,
    organisation_record,
)

# A section of an import file that describes the file (licence, time of export): not imported.
ABOUT = "about"
# An external id (organisations and offers): also the pattern of ids in URLs (web/edge.py).
EXTERNAL_ID = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,119}"
ID_PATTERN = re.compile(f"^{EXTERNAL_ID}$")
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 controls but tab, line feed and carriage return, DEL, C1 controls, and the halves of a
# surrogate pair alone (JSON's "\ud800"): no database stores them, no one can type them.
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
TEXT_LIMITS = {"title": 200, "summary": 1000, "description": 20000}
CLOSURE_NOTE_LIMIT = 200  # "Weihnachtsferien", "Umbau der Räume": a few words
MAX_CLOSURES = 100
OFFER_KEYS = {"id", "organisation", "original_language", *TEXT_FIELDS, "categories",
              "target_groups", "languages", "areas", "citywide", "address", "contact",
              "opening_hours", "open_on_public_holidays", "closures", "cost", "accessible",
              "appointment_needed", "status", "verified_at"}
ORGANISATION_RECORD_KEYS = {"id", *ORGANISATION_KEYS, "description", "original_language"}
HELP_CALL_KEYS = {"id", "organisation", "original_language", "kind", *HELP_TEXT_FIELDS, "areas",
                  "languages", "end_date", "status"}
HELP_TEXT_LIMITS = {"title": 200, "description": 2000, "when": 300}
# An end date relative to the day of the import ("P30D", "P6W"), so that a demo set stays open.
RELATIVE_DATE = re.compile(r"^P(\d{1,3})([DW])$")
EVENT_RECORD_KEYS = {"id", "organisation", "offer", "original_language", *EVENT_TEXT_FIELDS,
                     "starts_at", "ends_at", "timezone", "rrule", "categories", "target_groups",
                     "languages", "areas", "address", *EVENT_KEYS, "status"}
# Repetitions an event may have: from daily to yearly (an hourly "event" is not an event).
EVENT_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
SECTIONS = ("organisations", "offers", "events", "help_calls")
WRITE_BATCH = 500  # entries an import writes per flush
OFFER_TERMS = ("categories", "target_groups", "languages", "areas")  # Offer._link_tables' order


def default_timezone() -> str:
    """The time zone of the city this deployment serves (events' default)."""
    from ..cities import current_city

    try:
        return current_city().timezone
    except RuntimeError:  # outside an application
        return "Europe/Berlin"


def parse_rrule(text: str, starts_at: datetime) -> rrule:
    """The recurrence of an event starting at ``starts_at`` (naive local time). Raises
    ValueError with a reason a person can act on."""
    if "\n" in text or "DTSTART" in text.upper() or ":" in text:
        raise ValueError(_l("must be one RRULE line without DTSTART, e.g. "
                            "FREQ=WEEKLY;BYDAY=TU"))
    parts = dict(part.partition("=")[::2] for part in text.upper().split(";"))
    if parts.get("FREQ") not in EVENT_FREQUENCIES:
        raise ValueError(_l("must repeat DAILY, WEEKLY, MONTHLY or YEARLY (FREQ=…)"))
    if parts.get("UNTIL", "").endswith("Z"):
        raise ValueError(_l("UNTIL must be a local date or time, without Z"))
    try:
        rule = rrulestr(text, dtstart=starts_at)
    except (ValueError, TypeError) as exc:
        raise ValueError(_l("is not a valid iCalendar RRULE: %(reason)s", reason=str(exc))) \
            from exc
    first = rule.after(starts_at, inc=True)
    if first != starts_at:
        raise ValueError(_l("must include the start: the event's first date is one of its "
                            "repetitions"))
    return rule


def canonical_rrule(text: str) -> str:
    text = "".join(text.split()).upper()
    return text.removeprefix("RRULE:")


@dataclass(frozen=True)
class Problem:
    record: str
    field: str
    reason: object  # text, or a lazy translation shown in the reader's language

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class PlannedChange:
    """What an import would do to one record (a dry run lists them): ``outcome`` is
    ``created``, ``updated`` or ``unchanged``; ``changes`` the fields with before and after."""

    kind: str  # "organisations" or "offers"
    id: str
    outcome: str
    changes: dict


@dataclass
class NewOffer:
    """A new offer waiting to be inserted (Importer._insert_offers); ``id`` once it is."""

    record: dict
    organisation: Organisation
    id: int | None = None


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    # Counts per section; "events" and "help_calls" only once a file had some.
    created: dict[str, int] = field(default_factory=lambda: {"organisations": 0, "offers": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"organisations": 0, "offers": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"organisations": 0, "offers": 0})
    dry_run: bool = False
    planned: list[PlannedChange] = field(default_factory=list)  # a dry run's, record by record

    @property
    def ok(self) -> bool:
        return not self.problems


def organisation_changes(org: Organisation | None, record: dict) -> dict:
    before = organisation_record(org) if org is not None else None
    return changed_fields(before, {k: v for k, v in record.items() if k != "original_language"})


class _Checker:
    """Collects problems for one record while turning it into a canonical record."""

    def __init__(self, record_id: str, problems: list[Problem]):
        self.record_id = record_id
        self.problems = problems
        self.failed = False

    def fail(self, field_name: str, reason: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.record_id, field_name, reason))

    def string(self, value, name: str, limit: int, required: bool = False) -> str | None:
        if value is None or value == "":
            if required:
                self.fail(name, _l("is required"))
            return None
        if not isinstance(value, str):
            self.fail(name, _l("must be a text"))
            return None
        value = value.strip()
        unusable = CONTROL_IN_TEXT.search(value)
        if unusable:
            self.fail(name, _l("contains the invisible character U+%(code)04X, which cannot be "
                               "stored", code=ord(unusable.group())))
            return None
        if len(value) > limit:
            self.fail(name, _l("is longer than %(limit)d characters", limit=limit))
        return value or None

    def boolean(self, value, name: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.fail(name, _l("must be true or false"))
        return None

    def unknown_keys(self, record: dict, allowed: set[str]) -> None:
        for key in sorted(set(record) - allowed):
            self.fail(key, _l("is not a field of the import format"))


DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # config.py's WEGWEISER_IMPORT_MAX_BYTES


def import_limit() -> int:
    """The largest import file in bytes (the app's setting; its default outside an app)."""
    if has_app_context():
        return int(current_app.config.get("WEGWEISER_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)
    return DEFAULT_MAX_BYTES


def file_size(size: int) -> str:
    """A size as people read it: 100 MB, 64 KB, 900 B."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} B"


class FileTooLarge(ValueError):
    """An import file larger than the limit (or without end): refused before it is read."""


def read_limited(path: Path, limit: int | None = None) -> bytes:
    """A file's bytes, refused with FileTooLarge (its reason names the limit) when it is larger
    than ``limit``: checked by its size first, then by reading at most one byte more, so an
    endless file (a device, a pipe) is never read into memory. OSError as ``read_bytes``."""
    limit = import_limit() if limit is None else limit
    reason = _l("is larger than %(limit)s, the limit for an import file (setting "
                "WEGWEISER_IMPORT_MAX_BYTES=%(bytes)d): split it into several files or raise "
                "the limit", limit=file_size(limit), bytes=limit)
    if path.is_file() and path.stat().st_size > limit:
        raise FileTooLarge(reason)
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(reason)
    return data


def read_json(path: Path, limit: int | None = None):
    """A file's JSON: UTF-8 (with or without a byte order mark), UTF-16 or UTF-32, as a text
    editor on Windows saves it. Raises ValueError with the reason, where it is known with the
    line (a file in another encoding, a number too long, nesting too deep, a file larger than
    the import limit)."""
    try:
        data = read_limited(path, limit)
    except OSError as exc:
        raise ValueError(_l("cannot be read as JSON: %(reason)s", reason=str(exc))) from exc
    try:
        return json.loads(data)  # detects UTF-8, -16 and -32 by the first bytes
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(_l("is not UTF-8 text (byte 0x%(byte)02X in line %(line)d): save it "
                            "as UTF-8", byte=data[exc.start], line=line)) from exc
    except RecursionError as exc:
        raise ValueError(_l("cannot be read as JSON: %(reason)s",
                            reason="nested too deeply")) from exc
    except ValueError as exc:  # JSONDecodeError (with its line), or a number too long
        raise ValueError(_l("cannot be read as JSON: %(reason)s", reason=str(exc))) from exc


def read_files(paths: list[Path]) -> tuple[dict, list[Problem]]:
    """Merge several import files; unreadable files become problems."""
    merged: dict[str, list] = {key: [] for key in SECTIONS}
    problems: list[Problem] = []
    for path in paths:
        try:
            data = read_json(Path(path))
        except ValueError as exc:
            problems.append(Problem(str(path), "(file)", exc.args[0]))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(str(path), "(file)", "must be a JSON object"))
            continue
        for key in sorted(set(data) - set(merged) - {ABOUT}):
            problems.append(Problem(str(path), key, "is not a section of the import format"))
        for key in merged:
            section = data.get(key, [])
            if not isinstance(section, list):
                problems.append(Problem(str(path), key, "must be a list"))
            else:
                merged[key].extend(section)
    return merged, problems


class Importer:
    def __init__(self, session: Session, actor: str):
        self.session = session
        self.actor = actor
        self.lookups = Lookups.load(session)
        self.problems: list[Problem] = []
        self.timezone = default_timezone()
        # Entries written whose revisions wait for the next flush (_revised()), and the new
        # offers among them, waiting to be inserted (_insert_offers()). Only run() lets them
        # wait (batching); every other write is settled at once.
        self._batching = False
        self._waiting: list[tuple[str, object, dict]] = []
        self._new_offers: list[NewOffer] = []

    # -- validation ---------------------------------------------------------------------

    def _record_id(self, record, kind: str, seen: set[str], index: int) -> str | None:
        if not isinstance(record, dict):
            self.problems.append(Problem(f"{kind}[{index}]", "(record)", _l("must be an object")))
            return None
        record_id = record.get("id")
        if not isinstance(record_id, str) or not ID_PATTERN.match(record_id):
            self.problems.append(Problem(f"{kind}[{index}]", "id", _l(
                "is required: letters, digits, . _ : - (max. 120)")))
            return None
        if record_id in seen:
            self.problems.append(Problem(record_id, "id", _l("appears twice in %(section)s",
                                                             section=kind)))
            return None
        seen.add(record_id)
        return record_id

    def _translations(self, check: _Checker, value, name: str, required_locale: str | None,
                      limits: dict[str, int] = TEXT_LIMITS):
        if value is None:
            value = {}
        if not isinstance(value, dict):
            check.fail(name, _l("must be an object of language code → text"))
            return {}
        texts = {}
        for locale, text in value.items():
            if self.lookups.languages.find(locale) is None:
                check.fail(f"{name}.{locale}", _l("is not a known language code"))
                continue
            cleaned = check.string(text, f"{name}.{locale}", limits.get(name, 20000))
            if cleaned:
                texts[self.lookups.languages.find(locale).code] = cleaned
        if required_locale and required_locale not in texts:
            # The language's name in the reader's language when the message is shown.
            check.fail(name, _l("needs a text in the original language (%(language)s)",
                                  language=LazyString(language_label, required_locale)))
        return texts

    def _terms(self, check: _Checker, value, name: str, vocab) -> list:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            check.fail(name, _l("must be a list of texts"))
            return []
        found = []
        for item in value:
            obj = vocab.find(item)
            if obj is None:
                check.fail(name, _l("unknown value %(value)s", value=repr(item)))
            elif obj not in found:
                found.append(obj)
        return found

    def _address(self, check: _Checker, value) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            check.fail("address", _l("must be an object"))
            return {}
        check.unknown_keys({f"address.{k}": v for k, v in value.items()},
                           {f"address.{k}" for k in ADDRESS_KEYS})
        address = {}
        for key in ("street", "postal_code", "city"):
            text = check.string(value.get(key), f"address.{key}", 300)
            if text:
                address[key] = text
        for key, bound in (("lat", 90), ("lon", 180)):
            number = value.get(key)
            if number is None:
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) \
                    or not -bound <= number <= bound:
                check.fail(f"address.{key}", _l("must be a number between %(low)d and %(high)d",
                                                 low=-bound, high=bound))
            else:
                address[key] = float(number)
        if ("lat" in address) != ("lon" in address):
            check.fail("address", _l("needs both lat and lon, or neither"))
        return address

    def _contact(self, check: _Checker, value, prefix: str = "contact.") -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            check.fail(prefix.rstrip("."), _l("must be an object"))
            return {}
        check.unknown_keys({f"{prefix}{k}": v for k, v in value.items()},
                           {f"{prefix}{k}" for k in CONTACT_KEYS})
        return self._contact_fields(check, value, prefix)

    def _contact_fields(self, check: _Checker, value: dict, prefix: str) -> dict:
        contact = {}
        phone = check.string(value.get("phone"), f"{prefix}phone", 60)
        if phone:
            if not re.fullmatch(r"[+0-9 ()/\-.]{3,60}", phone):
                check.fail(f"{prefix}phone", _l("may only contain digits, spaces and + ( ) / - ."))
            contact["phone"] = phone
        email = check.string(value.get("email"), f"{prefix}email", 320)
        if email:
            if not EMAIL_PATTERN.match(email):
                check.fail(f"{prefix}email", _l("is not an e-mail address"))
            contact["email"] = email
        website = check.string(value.get("website"), f"{prefix}website", 500)
        if website:
            if not URL_PATTERN.match(website):
                check.fail(f"{prefix}website", _l("must be an http:// or https:// address"))
            contact["website"] = website
        return contact

    @staticmethod
    def _objects(check: _Checker, value, field_name: str, keys: tuple[str, ...]):
        """The objects of a list field (``opening_hours``), each with its index and name
        (``opening_hours[1]``); what is not a list of objects with these ``keys`` is a
        problem."""
        if value is None:
            return
        if not isinstance(value, list):
            check.fail(field_name, _l("must be a list"))
            return
        for i, item in enumerate(value):
            name = f"{field_name}[{i}]"
            if not isinstance(item, dict):
                check.fail(name, _l("must be an object"))
                continue
            check.unknown_keys({f"{name}.{k}": v for k, v in item.items()},
                               {f"{name}.{k}" for k in keys})
            yield i, name, item

    def _opening_hours(self, check: _Checker, value) -> list[dict]:
        slots = []
        for _i, name, slot in self._objects(check, value, "opening_hours", (
                "weekday", "week_of_month", "opens", "closes", "note")):
            weekday = slot.get("weekday")
            if isinstance(weekday, bool) or weekday not in range(1, 8):
                check.fail(f"{name}.weekday", _l("must be 1 (Monday) to 7 (Sunday)"))
            week = slot.get("week_of_month")
            if week is not None and (isinstance(week, bool) or week not in WEEKS_OF_MONTH):
                check.fail(f"{name}.week_of_month", _l(
                    "must be 1 to 4 (the first to the fourth such weekday of the month) or -1 "
                    "(the last); leave it out for every week"))
                week = None
            times = {}
            for key in ("opens", "closes"):
                text = slot.get(key)
                if not isinstance(text, str) or not TIME_PATTERN.match(text):
                    check.fail(f"{name}.{key}", _l("must be a time HH:MM"))
                else:
                    times[key] = text
            if times.get("opens") and times.get("opens") == times.get("closes"):
                check.fail(f"{name}.closes", _l("must differ from opens"))
            elif week is not None and times.get("opens") and times.get("closes") and \
                    times["closes"] < times["opens"]:
                check.fail(f"{name}.closes", _l(
                    "must be after opens: hours on one weekday of the month end on that day"))
            note = check.string(slot.get("note"), f"{name}.note", 500)
            slot_record = {"weekday": weekday, **({"week_of_month": week} if week else {}),
                           **times}
            if note:
                slot_record["note"] = note
            slots.append(slot_record)
        return sorted(slots, key=lambda s: (s.get("weekday") or 0, s.get("opens") or "",
                                            s.get("week_of_month") or 0))

    def _closures(self, check: _Checker, value) -> list[dict]:
        """Temporary closures: ``from`` and ``until`` (both days included, ISO dates, at most
        a year: longer is an archived offer), an optional note per language; none overlap.
        Past closures are accepted (the history an export writes back)."""
        if isinstance(value, list) and len(value) > MAX_CLOSURES:
            check.fail("closures", _l("may hold at most %(limit)d closures", limit=MAX_CLOSURES))
            return []
        closures = []
        for i, name, closure in self._objects(check, value, "closures",
                                              ("from", "until", "note")):
            days = {}
            for key in ("from", "until"):
                text = closure.get(key)
                try:
                    days[key] = date.fromisoformat(text) if isinstance(text, str) \
                        and len(text) == 10 else None
                except ValueError:
                    days[key] = None
                if days[key] is None:
                    check.fail(f"{name}.{key}", _l("must be a date YYYY-MM-DD"))
            first, last = days["from"], days["until"]
            if first and last and last < first:
                check.fail(f"{name}.until", _l(
                    "the last closed day is before the first (%(date)s)",
                    date=first.isoformat()))
            elif first and last and (last - first).days + 1 > MAX_CLOSURE_DAYS:
                check.fail(f"{name}.until", _l(
                    "lasts more than a year: an offer closed for longer is archived"))
            note = self._translations(check, closure.get("note"), f"{name}.note", None,
                                      {f"{name}.note": CLOSURE_NOTE_LIMIT})
            if first and last and first <= last:
                closures.append((first, last, i, note))
        closures.sort()
        reach = None  # the closure reaching furthest so far
        for first, last, i, _note in closures:
            if reach is not None and first <= reach[1]:
                check.fail(f"closures[{i}].from", _l(
                    "overlaps with the closure %(first)s to %(last)s: join them into one",
                    first=reach[0].isoformat(), last=reach[1].isoformat()))
            if reach is None or last > reach[1]:
                reach = (first, last)
        return [{"from": first.isoformat(), "until": last.isoformat(),
                 **({"note": note} if note else {})} for first, last, _i, note in closures]

    def _date(self, check: _Checker, value, name: str) -> str | None:
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            check.fail(name, _l("must be a date YYYY-MM-DD"))
            return None
        if parsed > date.today() + timedelta(days=1):
            check.fail(name, _l("lies in the future"))
        return parsed.isoformat()

    def check_organisation(self, record_id: str, record: dict) -> dict | None:
        check = _Checker(record_id, self.problems)
        check.unknown_keys(record, ORGANISATION_RECORD_KEYS)
        original = self._language_code(check, record.get("original_language", "de"))
        canonical = {"id": record_id,
                     "name": check.string(record.get("name"), "name", 300, required=True)}
        contact = self._contact_fields(check, record, "")
        for key in ("street", "postal_code", "city"):
            canonical[key] = check.string(record.get(key), key, 300)
        canonical.update({k: contact.get(k) for k in CONTACT_KEYS})
        canonical["description"] = self._translations(check, record.get("description"),
                                                      "description", None)
        canonical["original_language"] = original
        return None if check.failed else canonical

    def _language_code(self, check: _Checker, value) -> str:
        language = self.lookups.languages.find(value) if isinstance(value, str) else None
        if language is None:
            check.fail("original_language", _l("is not a known language code"))
            return "de"
        return language.code

    def _entry_check(self, record_id: str, record: dict, keys: set[str],
                     organisation_ids: set[str]) -> tuple[_Checker, str | None]:
        """The checker of an offer or event, and its organisation's id (checked)."""
        check = _Checker(record_id, self.problems)
        check.unknown_keys(record, keys)
        org = record.get("organisation")
        if not isinstance(org, str) or org not in organisation_ids:
            check.fail("organisation", _l("must be the id of an organisation in this file or "
                                          "already in the directory"))
        return check, org

    def _classified(self, check: _Checker, record: dict, record_id: str) -> dict:
        """An offer's or event's vocabularies (at least one category), cost and status, in
        canonical form."""
        categories = self._terms(check, record.get("categories"), "categories",
                                 self.lookups.categories)
        if not categories and "categories" not in {p.field for p in self.problems
                                                   if p.record == record_id}:
            check.fail("categories", _l("needs at least one category"))
        target_groups = self._terms(check, record.get("target_groups"), "target_groups",
                                    self.lookups.target_groups)
        languages = self._terms(check, record.get("languages"), "languages",
                                self.lookups.languages)
        areas = self._terms(check, record.get("areas"), "areas", self.lookups.areas)
        cost = record.get("cost", "free")
        if cost not in COSTS:
            check.fail("cost", _l("must be one of %(values)s", values=", ".join(COSTS)))
        status = record.get("status", PUBLISHED)
        if status not in STATUSES:
            check.fail("status", _l("must be one of %(values)s", values=", ".join(STATUSES)))
        return {
            "categories": [c.slug for c in sorted(categories, key=lambda c: c.position)],
            "target_groups": [t.slug for t in sorted(target_groups, key=lambda t: t.position)],
            "languages": [lang.code for lang in sorted(languages, key=lambda lang: lang.position)],
            "areas": sorted(a.slug for a in areas),
            "cost": cost, "status": status,
        }

    def check_offer(self, record_id: str, record: dict, organisation_ids: set[str]) -> dict | None:
        check, org = self._entry_check(record_id, record, OFFER_KEYS, organisation_ids)
        original = self._language_code(check, record.get("original_language", "de"))
        texts = {name: self._translations(check, record.get(name), name,
                                          original if name == "title" else None)
                 for name in TEXT_FIELDS}
        terms = self._classified(check, record, record_id)
        for slug in terms["categories"]:
            if not self.lookups.categories.find(slug).for_offers:
                check.fail("categories", _l("%(value)s is a category of events only",
                                            value=slug))
        citywide = check.boolean(record.get("citywide", False), "citywide") or False
        if not terms["areas"] and not citywide:
            check.fail("areas", _l("needs at least one area, or citywide"))
        canonical = {
            "id": record_id, "organisation": org, "original_language": original, **texts,
            **{k: terms[k] for k in ("categories", "target_groups", "languages", "areas")},
            "citywide": citywide,
            "address": self._address(check, record.get("address")),
            "contact": self._contact(check, record.get("contact")),
            "opening_hours": self._opening_hours(check, record.get("opening_hours")),
            "open_on_public_holidays": check.boolean(
                record.get("open_on_public_holidays", False), "open_on_public_holidays") or False,
            "closures": self._closures(check, record.get("closures")),
            "cost": terms["cost"],
            "accessible": check.boolean(record.get("accessible"), "accessible"),
            "appointment_needed": check.boolean(record.get("appointment_needed"),
                                                "appointment_needed"),
            "status": terms["status"],
            "verified_at": self._date(check, record.get("verified_at"), "verified_at"),
        }
        return None if check.failed else canonical

    def check_help_call(self, record_id: str, record: dict,
                        organisation_ids: set[str]) -> dict | None:
        """A call for help (``help_calls``): kind, texts, optional areas and languages wanted,
        and an end date at most half a year ahead (ISO, or relative: ``P30D``, ``P4W``)."""
        check = _Checker(record_id, self.problems)
        check.unknown_keys(record, HELP_CALL_KEYS)
        org = record.get("organisation")
        if not isinstance(org, str) or org not in organisation_ids:
            check.fail("organisation", _l("must be the id of an organisation in this file or "
                                          "already in the directory"))
        original = self._language_code(check, record.get("original_language", "de"))
        kind = record.get("kind")
        if not isinstance(kind, str) or kind_by_slug(kind) is None:
            check.fail("kind", _l("unknown value %(value)s", value=repr(kind)))
        texts = {name: self._translations(check, record.get(name), name,
                                          original if name == "title" else None,
                                          HELP_TEXT_LIMITS)
                 for name in HELP_TEXT_FIELDS}
        areas = self._terms(check, record.get("areas"), "areas", self.lookups.areas)
        languages = self._terms(check, record.get("languages"), "languages",
                                self.lookups.languages)
        status = record.get("status", PUBLISHED)
        if status not in STATUSES:
            check.fail("status", _l("must be one of %(values)s", values=", ".join(STATUSES)))
        canonical = {
            "id": record_id, "organisation": org, "original_language": original, "kind": kind,
            **texts, "areas": sorted(a.slug for a in areas),
            "languages": [lang.code for lang in sorted(languages, key=lambda x: x.position)],
            "end_date": self._end_date(check, record.get("end_date")), "status": status,
        }
        return None if check.failed else canonical

    @staticmethod
    def _end_date(check: _Checker, value) -> str | None:
        relative = RELATIVE_DATE.match(value) if isinstance(value, str) else None
        parsed = None
        if relative:
            days = int(relative.group(1)) * (7 if relative.group(2) == "W" else 1)
            parsed = date.today() + timedelta(days=days)
        elif isinstance(value, str):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            check.fail("end_date", _l("is required: a date YYYY-MM-DD"))
            return None
        if parsed > latest_end_date():
            check.fail("end_date", _l("may lie at most half a year ahead (until %(date)s)",
                                      date=latest_end_date().isoformat()))
        return parsed.isoformat()

    def _local_datetime(self, check: _Checker, value, name: str) -> datetime | None:
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or "T" not in value:
            check.fail(name, _l("must be a local date and time YYYY-MM-DDTHH:MM"))
            return None
        if parsed.tzinfo is not None:
            check.fail(name, _l("must be the local time without an offset (the time zone "
                                "goes in timezone)"))
            return None
        return parsed.replace(second=0, microsecond=0)

    def _url(self, check: _Checker, value, name: str) -> str | None:
        url = check.string(value, name, 500)
        if url and not URL_PATTERN.match(url):
            check.fail(name, _l("must be an http:// or https:// address"))
        return url

    def check_event(self, record_id: str, record: dict, organisation_ids: set[str],
                    offer_organisations: dict[str, str]) -> dict | None:
        """``offer_organisations``: offer id → its organisation's id, of the offers this
        event may belong to (in the file or already in the directory)."""
        check, org = self._entry_check(record_id, record, EVENT_RECORD_KEYS, organisation_ids)
        offer = record.get("offer")
        if offer is not None and offer_organisations.get(offer) != org:
            check.fail("offer", _l("must be the id of an offer of the same organisation"))
        original = self._language_code(check, record.get("original_language", "de"))
        texts = {name: self._translations(check, record.get(name), name,
                                          original if name == "title" else None)
                 for name in EVENT_TEXT_FIELDS}
        starts_at = self._local_datetime(check, record.get("starts_at"), "starts_at")
        ends_at = self._local_datetime(check, record.get("ends_at"), "ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            check.fail("ends_at", _l("must be after starts_at"))
        zone = record.get("timezone") or self.timezone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            check.fail("timezone", _l("is not a time zone name such as Europe/Berlin"))
        rule = check.string(record.get("rrule"), "rrule", 500)
        if rule and starts_at:
            rule = canonical_rrule(rule)
            try:
                parse_rrule(rule, starts_at)
            except ValueError as exc:
                check.fail("rrule", exc.args[0])
        terms = self._classified(check, record, record_id)
        address = self._address(check, record.get("address"))
        online = check.boolean(record.get("online", False), "online") or False
        if not online and not (address.get("street") or address.get("city")):
            check.fail("address", _l("needs an address, or must be marked as online"))
        canonical = {
            "id": record_id, "organisation": org, "offer": offer, "original_language": original,
            **texts,
            "starts_at": local_datetime(starts_at) if starts_at else None,
            "ends_at": local_datetime(ends_at) if ends_at else None,
            "timezone": zone, "rrule": rule, **terms,
            "address": address,
            "online": online,
            "online_url": self._url(check, record.get("online_url"), "online_url"),
            "registration_needed": check.boolean(record.get("registration_needed", False),
                                                 "registration_needed") or False,
            "registration_contact": check.string(record.get("registration_contact"),
                                                 "registration_contact", 320),
            "registration_url": self._url(check, record.get("registration_url"),
                                          "registration_url"),
        }
        return None if check.failed else canonical

    # -- writing ------------------------------------------------------------------------

    def run(self, data: dict, dry_run: bool = False,
            progress: Callable[[int, int], None] | None = None) -> ImportReport:
        report = ImportReport(dry_run=dry_run)
        org_records, offer_records, event_records, call_records = self._validate(data)
        report.problems = self.problems
        if self.problems:
            return report
        self._batching = not dry_run
        try:
            self._write(report, org_records, offer_records, event_records, call_records,
                        dry_run, progress)
            self._settle()
        finally:
            self._batching = False
        self.session.flush()
        return report

    def _write(self, report: ImportReport, org_records: list[dict], offer_records: list[dict],
               event_records: list[dict], call_records: list[dict], dry_run: bool,
               progress: Callable[[int, int], None] | None) -> None:
        # Existing entries change through the same operation as every other change of state,
        # which also settles a change waiting for review (see operations.py).
        from .operations import publish

        organisations = {o.external_id: o for o in self.session.scalars(
            select(Organisation).options(selectinload(Organisation.texts)))}
        for record in org_records:
            org = organisations.get(record["id"])
            if dry_run:
                changed = self._plan(report, "organisations", record["id"], org is None,
                                     organisation_changes(org, record))
            elif org is None:
                organisations[record["id"]], changed = self.write_organisation(org, record)
            else:
                changed = publish(self, org, record)
            self._count(report, "organisations", org is None, changed)
        existing = self._existing_offers([r["id"] for r in offer_records])
        for i, record in enumerate(offer_records, 1):
            self._import_entry(report, "offers", existing.get(record["id"]), record,
                               organisations, dry_run)
            if progress:
                progress(i, len(offer_records))
        if event_records:
            for counts in (report.created, report.updated, report.unchanged):
                counts["events"] = 0
            self._settle()  # the new offers inserted: events may name them
            existing_events = {e.external_id: e for e in self.session.scalars(
                select(Event).where(Event.external_id.in_([r["id"] for r in event_records])))}
            for record in event_records:
                self._import_entry(report, "events", existing_events.get(record["id"]), record,
                                   organisations, dry_run)
        self._import_help_calls(report, call_records, organisations, dry_run)

    def _import_entry(self, report: ImportReport, kind: str, entry: Offer | Event | None,
                      record: dict, organisations: dict[str, Organisation],
                      dry_run: bool) -> None:
        """Create, update or leave one offer or event (``kind``: "offers" or "events")."""
        from .operations import publish

        if dry_run:  # (new organisations are not written, so not in ``organisations``)
            changed = self._plan(report, kind, record["id"], entry is None, changed_fields(
                entry_record(entry) if entry is not None else None, record))
            self._count(report, kind, entry is None, changed)
            return
        organisation = organisations[record["organisation"]]
        if entry is None:
            write = self.write_offer if kind == "offers" else self.write_event
            changed = write(None, record, organisation)
        else:
            changed = publish(self, entry, record, organisation=organisation)
        self._count(report, kind, entry is None, changed)

    def _import_help_calls(self, report: ImportReport, records: list[dict],
                           organisations: dict[str, Organisation], dry_run: bool) -> None:
        # Imported calls are published as they are (no review), like imported offers.
        existing = {c.external_id: c for c in self.session.scalars(
            select(HelpCall).where(HelpCall.external_id.in_([r["id"] for r in records])))}
        for record in records:
            call = existing.get(record["id"])
            if dry_run:
                changed = call is None or bool(changed_fields(help_call_record(call), record))
            else:
                changed = self.write_help_call(call, record, organisations[record["organisation"]])
            self._count(report, "help_calls", call is None, changed)

    @staticmethod
    def _plan(report: ImportReport, kind: str, record_id: str, created: bool,
              changes: dict) -> bool:
        outcome = "created" if created else "updated" if changes else "unchanged"
        report.planned.append(PlannedChange(kind, record_id, outcome, changes))
        return outcome != "unchanged"

    @staticmethod
    def _count(report: ImportReport, kind: str, created: bool, changed: bool) -> None:
        bucket = report.created if created else report.updated if changed else report.unchanged
        for counts in (report.created, report.updated, report.unchanged):
            counts.setdefault(kind, 0)
        bucket[kind] += 1

    def _validate(self, data: dict) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
        org_ids_in_db = set(self.session.scalars(select(Organisation.external_id)))
        seen_orgs: set[str] = set()
        org_records = []
        for i, record in enumerate(data.get("organisations", [])):
            record_id = self._record_id(record, "organisations", seen_orgs, i)
            if record_id:
                checked = self.check_organisation(record_id, record)
                if checked:
                    org_records.append(checked)
        seen_offers: set[str] = set()
        offer_records = []
        for i, record in enumerate(data.get("offers", [])):
            record_id = self._record_id(record, "offers", seen_offers, i)
            if record_id:
                checked = self.check_offer(record_id, record, seen_orgs | org_ids_in_db)
                if checked:
                    offer_records.append(checked)
        seen_calls: set[str] = set()
        call_records = []
        for i, record in enumerate(data.get("help_calls", [])):
            record_id = self._record_id(record, "help_calls", seen_calls, i)
            if record_id:
                checked = self.check_help_call(record_id, record, seen_orgs | org_ids_in_db)
                if checked:
                    call_records.append(checked)
        event_records = self._validate_events(
            data.get("events", []), seen_orgs | org_ids_in_db,
            {r["id"]: r.get("organisation") for r in data.get("offers", [])
             if isinstance(r, dict) and isinstance(r.get("id"), str)})
        return org_records, offer_records, event_records, call_records

    def _validate_events(self, records: list, organisation_ids: set[str],
                         offers_in_file: dict[str, str]) -> list[dict]:
        wanted = {r.get("offer") for r in records if isinstance(r, dict)} - {None}
        offer_organisations = dict(self.session.execute(
            select(Offer.external_id, Organisation.external_id).join(Offer.organisation)
            .where(Offer.external_id.in_([w for w in wanted if isinstance(w, str)
                                          and ID_PATTERN.match(w)]))).all()) \
            if wanted else {}
        offer_organisations.update(offers_in_file)
        seen: set[str] = set()
        checked_records = []
        for i, record in enumerate(records):
            record_id = self._record_id(record, "events", seen, i)
            if record_id:
                checked = self.check_event(record_id, record, organisation_ids,
                                           offer_organisations)
                if checked:
                    checked_records.append(checked)
        return checked_records

    def _existing_offers(self, ids: list[str]) -> dict[str, Offer]:
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for offer in self.session.scalars(select(Offer).where(Offer.external_id.in_(chunk))
                                              .options(selectinload(Offer.texts),
                                                       selectinload(Offer.opening_hours),
                                                       selectinload(Offer.closures)
                                                       .selectinload(OfferClosure.texts),
                                                       selectinload(Offer.categories),
                                                       selectinload(Offer.target_groups),
                                                       selectinload(Offer.languages),
                                                       selectinload(Offer.areas),
                                                       selectinload(Offer.organisation))):
                found[offer.external_id] = offer
        return found

    def _revised(self, entity_type: str, entity, changes: dict) -> None:
        """Record the revision of an entry just written. Alone, at once (a flush gives a new
        entry its id); while run() writes, once WRITE_BATCH entries are waiting: one flush
        and the insert of the new offers (_insert_offers) then write them all, a few
        statements per table instead of several per entry."""
        self._waiting.append((entity_type, entity, changes))
        if not self._batching or len(self._waiting) >= WRITE_BATCH:
            self._settle()

    def _settle(self) -> None:
        """Flush the entries written since the last flush, insert the new offers waiting and
        add the revisions of all of them."""
        if not self._waiting:
            return
        self.session.flush()
        self._insert_offers()
        self.session.execute(insert(Revision.__table__), [
            {"entity_type": entity_type, "entity_id": entity.id, "actor": self.actor,
             "changes": changes} for entity_type, entity, changes in self._waiting])
        self._waiting.clear()

    def _insert_offers(self) -> None:
        """Insert the new offers waiting, with their texts, opening hours and vocabularies:
        one statement per table for all of them (the ORM's unit of work costs far more than
        the rows), and log them as changed (the flush's change log does not see them)."""
        new, self._new_offers = self._new_offers, []
        if not new:
            return
        ids = self.session.scalars(
            insert(Offer.__table__).returning(Offer.__table__.c.id, sort_by_parameter_order=True),
            [{"external_id": n.record["id"], "organisation_id": n.organisation.id,
              **self._offer_columns(n.record)} for n in new]).all()
        # The link tables (offer_id and the term's column), in OFFER_TERMS' order.
        links = {name: (table, next(c.name for c in table.c if c.name != "offer_id"), [])
                 for name, table in zip(OFFER_TERMS, Offer._link_tables, strict=True)}
        texts, hours = [], []
        for offer, offer_id in zip(new, ids, strict=True):
            offer.id = offer_id
            record = offer.record
            texts += [{"offer_id": offer_id, "field": name, "locale": locale, "text": text,
                       "origin": text_origin(locale, record["original_language"])}
                      for name in TEXT_FIELDS for locale, text in record[name].items()]
            hours += [{"offer_id": offer_id, **slot} for slot in self._opening_hours_rows(record)]
            for name, terms in self._offer_terms(record).items():
                _table, column, rows = links[name]
                rows += [{"offer_id": offer_id, column: term.id} for term in terms]
        for table, rows in ((OfferText.__table__, texts), (OpeningHours.__table__, hours),
                            *((table, rows) for table, _column, rows in links.values())):
            if rows:
                self.session.execute(insert(table), rows)
        for offer in new:
            # Rare (holidays of a new offer): through the ORM, whose rows need the offer's id.
            for closure in self._closures_of(offer.record["original_language"], offer.record):
                closure.offer_id = offer.id
                self.session.add(closure)
        if any(offer.record.get("closures") for offer in new):
            self.session.flush()
        log_changes(self.session, ids)
        for organisation in {id(n.organisation): n.organisation for n in new}.values():
            # An organisation's offers, if loaded, are read again (as the ORM would add them).
            self.session.expire(organisation, ["offers"])

    @staticmethod
    def _offer_columns(record: dict) -> dict:
        """An offer's own columns (not its texts and vocabularies) as ``record`` says."""
        return {
            "original_language": record["original_language"],
            "citywide": record["citywide"],
            **{key: record["address"].get(key) for key in ADDRESS_KEYS},
            **{key: record["contact"].get(key) for key in CONTACT_KEYS},
            "cost": record["cost"],
            "accessible": record["accessible"],
            "appointment_needed": record["appointment_needed"],
            "open_on_public_holidays": record["open_on_public_holidays"],
            "status": record["status"],
            "verified_at": date.fromisoformat(record["verified_at"])
            if record["verified_at"] else None,
            # Set even when only translated texts changed (rows of another table): the
            # offer's row is then updated too, so its version moves on and a concurrent edit
            # is noticed.
            "updated_at": utcnow(),
        }

    def _offer_terms(self, record: dict) -> dict[str, list]:
        """The vocabulary objects ``record`` names, by OFFER_TERMS."""
        return {name: [getattr(self.lookups, name).find(s) for s in record[name]]
                for name in OFFER_TERMS}

    @staticmethod
    def _opening_hours_rows(record: dict) -> list[dict]:
        return [{"weekday": s["weekday"], "week_of_month": s.get("week_of_month"),
                 "opens": time.fromisoformat(s["opens"]),
                 "closes": time.fromisoformat(s["closes"]), "note": s.get("note")}
                for s in record["opening_hours"]]

    @staticmethod
    def _closures_of(original_language: str, record: dict) -> list[OfferClosure]:
        closures = []
        for item in record.get("closures", []):
            closure = OfferClosure(first_day=date.fromisoformat(item["from"]),
                                   last_day=date.fromisoformat(item["until"]))
            closure.texts = [OfferClosureText(field="note", locale=locale, text=text,
                                              origin=text_origin(locale, original_language))
                             for locale, text in item.get("note", {}).items()]
            closures.append(closure)
        return closures

    def write_organisation(self, org: Organisation | None,
                            record: dict) -> tuple[Organisation, bool]:
        changes = organisation_changes(org, record)
        if org is not None and not changes:
            return org, False
        if org is None:
            org = Organisation(external_id=record["id"], name=record["name"])
            self.session.add(org)
        org.original_language = record["original_language"]
        for key in ORGANISATION_KEYS:
            if getattr(org, key) != record[key]:
                setattr(org, key, record[key])
        org.set_translations("description", record["description"], OrganisationText)
        org.updated_at = utcnow()  # moves the version on, as for offers
        self._revised("organisation", org, changes)
        return org, True

    def write_event(self, event: Event | None, record: dict, org: Organisation) -> bool:
        before = event_record(event) if event is not None else None
        changes = changed_fields(before, record)
        if before is not None and not changes:
            return False
        offer = self.session.scalar(select(Offer).where(Offer.external_id == record["offer"])) \
            if record.get("offer") else None
        if event is None:
            event = Event(external_id=record["id"])
            self.session.add(event)
        lookups = self.lookups
        event.organisation, event.offer = org, offer
        event.original_language = record["original_language"]
        for name in EVENT_TEXT_FIELDS:
            event.set_translations(name, record[name], EventText)
        event.starts_at = datetime.fromisoformat(record["starts_at"])
        event.ends_at = datetime.fromisoformat(record["ends_at"])
        event.timezone, event.rrule = record["timezone"], record["rrule"]
        event.categories = [lookups.categories.find(s) for s in record["categories"]]
        event.target_groups = [lookups.target_groups.find(s) for s in record["target_groups"]]
        event.languages = [lookups.languages.find(s) for s in record["languages"]]
        event.areas = [lookups.areas.find(s) for s in record["areas"]]
        for key in ADDRESS_KEYS:
            setattr(event, key, record["address"].get(key))
        for key in EVENT_KEYS:
            setattr(event, key, record[key])
        event.status = record["status"]
        event.updated_at = utcnow()  # moves the version on, as for offers
        self._revised("event", event, changes)
        return True

    def write_offer(self, offer: Offer | None, record: dict, org: Organisation) -> bool:
        before = offer_record(offer) if offer is not None else None
        changes = changed_fields(before, record)
        if before is not None and not changes:
            return False
        if offer is None:  # inserted with others (_insert_offers)
            new = NewOffer(record, org)
            self._new_offers.append(new)
            self._revised("offer", new, changes)
            return True
        offer.organisation = org
        for key, value in self._offer_columns(record).items():
            setattr(offer, key, value)
        for name in TEXT_FIELDS:
            offer.set_translations(name, record[name], OfferText)
        for name, terms in self._offer_terms(record).items():
            setattr(offer, name, terms)
        if changes.get("opening_hours"):
            offer.opening_hours = [OpeningHours(**row) for row in self._opening_hours_rows(record)]
        if changes.get("closures"):
            offer.closures = self._closures_of(offer.original_language, record)
        self._revised("offer", offer, changes)
        return True

    def write_help_call(self, call: HelpCall | None, record: dict, org: Organisation) -> bool:
        """Write a call for help as ``record`` says, with a revision; False: nothing changed."""
        before = help_call_record(call) if call is not None else None
        changes = changed_fields(before, record)
        if before is not None and not changes:
            return False
        if call is None:
            call = HelpCall(external_id=record["id"])
            self.session.add(call)
        call.organisation = org
        call.original_language = record["original_language"]
        call.kind = record["kind"]
        for name in HELP_TEXT_FIELDS:
            call.set_translations(name, record[name], HelpCallText)
        call.areas = [self.lookups.areas.find(s) for s in record["areas"]]
        call.languages = [self.lookups.languages.find(s) for s in record["languages"]]
        call.end_date = date.fromisoformat(record["end_date"])
        call.status = record["status"]
        call.updated_at = utcnow()  # moves the version on, as for offers
        self._revised("help_call", call, changes)
        return True
