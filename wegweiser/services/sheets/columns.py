"""The columns of an offer spreadsheet, and one row ↔ one offer record of the import format.

Text fields have a column per language (``title_de``, ``summary_ar`` …); vocabularies are
slugs or labels separated by ``;``; yes/no columns take yes/no (ja/nein, true/false, 1/0);
opening hours are written ``Mo 09:00-12:00; Mi 14:00-18:00 (nur mit Termin); Do[1] 15:00-17:00``
(the first Thursday of the month; ``Do[-1]`` the last); a date (``verified_at``) is a date cell,
or text written 2026-10-01, 1.10.2026 or 01.10.2026; closures are written
``22.12.2026-2.1.2027 (Weihnachtsferien); 1.5.2027`` (first and last closed day, or one day; the
note in the offer's original language).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from ...models import TEXT_FIELDS
from ..records import ADDRESS_KEYS, CONTACT_KEYS, closure_note, is_over

HEAD = ("id", "organisation", "organisation_name", "original_language")
LISTS = ("categories", "target_groups", "languages", "areas")
YES_NO = ("citywide", "open_on_public_holidays", "accessible", "appointment_needed")
TAIL = (*LISTS, "citywide", *ADDRESS_KEYS, *CONTACT_KEYS, "opening_hours",
        "open_on_public_holidays", "closures", "cost",
        "accessible", "appointment_needed", "status", "verified_at")
TEXT_COLUMN = re.compile(r"^(title|summary|description)_([a-z]{2,3})$")
SEPARATOR = ";"
# A cell that starts with one of these runs as a formula in spreadsheet programs: written with a
# leading apostrophe (CSV), which reading takes away again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
YES = {"yes", "ja", "true", "wahr", "1", "x"}
NO = {"no", "nein", "false", "falsch", "0"}
# Weekday abbreviations: German (as written), English, ISO numbers.
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
DAY_NAMES = {**{d.casefold(): i for i, d in enumerate(WEEKDAYS, 1)},
             **{d: i for i, d in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"), 1)},
             **{str(i): i for i in range(1, 8)}}
# "Do[1]" is the first Thursday of the month, "Do[-1]" the last (as OpenStreetMap writes it).
SLOT = re.compile(r"^(?P<day>\w{1,3})\.?(?:\[(?P<week>-?\d)\])?\s+"
                  r"(?P<opens>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<closes>\d{1,2}[:.]\d{2})"
                  r"(?:\s*\((?P<note>.*)\))?$", re.S)


# Dates as text cells: ISO (2026-10-01), or as written in German, day.month.year (1.10.2026,
# 01.10.2026). Nothing else is guessed: 01/10/2026 is the 1st of October or the 10th of January.
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DAY = r"\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}"
CLOSURE = re.compile(rf"^(?P<first>{_DAY})(?:\s*[-–]\s*(?P<last>{_DAY}))?"
                     r"(?:\s*\((?P<note>.*)\))?$", re.S)


@dataclass(frozen=True)
class CellProblem:
    column: str
    reason: object  # text, or a lazy translation shown in the reader's language


def columns_for(languages: list[str]) -> list[str]:
    """Every column, with text columns for ``languages`` (each: title, summary, description)."""
    texts = [f"{name}_{lang}" for lang in languages for name in TEXT_FIELDS]
    return [*HEAD, *texts, *TAIL]


def is_column(name: str) -> bool:
    return name in HEAD or name in TAIL or bool(TEXT_COLUMN.match(name))


# -- record → row ---------------------------------------------------------------------------

def format_hours(slots: list[dict]) -> str:
    parts = []
    for slot in slots:
        week = f"[{slot['week_of_month']}]" if slot.get("week_of_month") else ""
        text = f"{WEEKDAYS[slot['weekday'] - 1]}{week} {slot['opens']}-{slot['closes']}"
        parts.append(text + (f" ({slot['note']})" if slot.get("note") else ""))
    return f"{SEPARATOR} ".join(parts)


def format_closures(closures: list[dict], lang: str, today: date | None = None) -> str:
    """Closures as the column writes them (``2026-12-22 – 2027-01-02 (note)``), the note in
    ``lang``; with ``today``, only those not over."""
    parts = []
    for closure in closures:
        if today is not None and is_over(closure, today):
            continue
        days = closure["from"] if closure["from"] == closure["until"] else \
            f"{closure['from']} – {closure['until']}"
        note = (closure.get("note") or {}).get(lang)
        parts.append(f"{days} ({note})" if note else days)
    return f"{SEPARATOR} ".join(parts)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else "yes" if value else "no"


def record_to_row(record: dict, organisation_name: str | None = None,
                  today: date | None = None) -> dict:
    """An offer record of the import format as cells (column → value); with ``today``, the
    closures over before it are left out (reading the sheet keeps them)."""
    row = {"id": record["id"], "organisation": record["organisation"],
           "organisation_name": organisation_name,
           "original_language": record["original_language"]}
    for name in TEXT_FIELDS:
        for lang, text in record[name].items():
            row[f"{name}_{lang}"] = text
    for name in LISTS:
        row[name] = f"{SEPARATOR} ".join(record[name]) or None
    row["citywide"] = _yes_no(record["citywide"])
    row.update({key: record["address"].get(key) for key in ADDRESS_KEYS})
    row.update({key: record["contact"].get(key) for key in CONTACT_KEYS})
    row["opening_hours"] = format_hours(record["opening_hours"]) or None
    row["open_on_public_holidays"] = _yes_no(record["open_on_public_holidays"])
    row["closures"] = format_closures(record.get("closures", []),
                                      record["original_language"], today) or None
    row.update(cost=record["cost"], accessible=_yes_no(record["accessible"]),
               appointment_needed=_yes_no(record["appointment_needed"]),
               status=record["status"], verified_at=record["verified_at"])
    return row


def safe_text(value):
    """A cell as a CSV file holds it: text that a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# -- row → record ---------------------------------------------------------------------------

def cell_text(value) -> str | None:
    """A cell's value as text (numbers without a needless ``.0``, dates as ISO dates)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        text = text[1:]
    return text or None


def _number(value):
    """Coordinates: numbers as numbers; other text is left for the import to refuse."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")" and depth > 0
        if char in ";\n" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p.strip() for p in [*parts, current] if p.strip()]


def parse_hours(text: str) -> list[dict] | None:
    """``Mo 09:00-12:00; Mi 14:00-18:00 (note)`` as opening-hour records of the import format
    (times are checked by the import); None when a part is not written that way."""
    slots = []
    for part in _split(text):
        found = SLOT.match(part)
        day = DAY_NAMES.get(found.group("day").casefold()) if found else None
        if day is None:
            return None
        slot = {"weekday": day, "opens": _time(found.group("opens")),
                "closes": _time(found.group("closes"))}
        if found.group("week"):
            slot["week_of_month"] = int(found.group("week"))
        if found.group("note") and found.group("note").strip():
            slot["note"] = found.group("note").strip()
        slots.append(slot)
    return slots


def parse_date(text: str) -> tuple[str | None, object | None]:
    """A date cell's text as an ISO date, or None and why it cannot be one."""
    text = text.strip()
    iso, dotted = ISO_DATE.match(text), DOTTED_DATE.match(text)
    if not iso and not dotted:
        return None, _l("must be a date written 01.10.2026 (day.month.year) or 2026-10-01")
    year, month, day = (iso.groups() if iso else reversed(dotted.groups()))
    try:
        return date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return None, _l("%(value)s is not a day of the calendar", value=text)


def parse_closures(text: str, lang: str | None) -> tuple[list[dict], list]:
    """``22.12.2026-2.1.2027 (note); 1.5.2027`` as closures of the import format (the note in
    ``lang``; without a language, none), and why a part cannot be read (whether the days are in
    order or overlap is for the import to say)."""
    closures, problems = [], []
    for part in _split(text):
        found = CLOSURE.match(part)
        if not found:
            return [], [_l("must be written like “22.12.2026-2.1.2027 (note); 1.5.2027”: the "
                           "first and last closed day, or a single day")]
        first, problem = parse_date(found.group("first"))
        last, last_problem = parse_date(found.group("last") or found.group("first"))
        problems += [p for p in (problem, last_problem) if p is not None]
        closure = {"from": first, "until": last}
        note = closure_note(found.group("note") or "")
        if note and lang:
            closure["note"] = {lang: note}
        closures.append(closure)
    return ([] if problems else closures), problems


def _time(text: str) -> str:
    hours, minutes = re.split(r"[:.]", text)
    return f"{int(hours):02d}:{minutes}"


def row_to_record(cells: dict) -> tuple[dict, list[CellProblem]]:
    """A row (column → raw cell value) as an offer record of the import format, and the cells
    that could not be read at all; whether the record is valid is for the import to say."""
    problems: list[CellProblem] = []
    raw = {name: value for name, value in cells.items() if value is not None}
    text = {name: cell_text(value) for name, value in raw.items()}
    text = {name: value for name, value in text.items() if value is not None}
    record: dict = {key: text[key] for key in ("id", "organisation", "original_language",
                                               "cost", "status") if key in text}
    for name in TEXT_FIELDS:
        record[name] = {}
    for column, value in text.items():
        found = TEXT_COLUMN.match(column)
        if found:
            record[found.group(1)][found.group(2)] = value
    for name in LISTS:
        record[name] = [v.strip() for v in text.get(name, "").split(SEPARATOR) if v.strip()]
    for name in YES_NO:
        if name in text:
            answer = text[name].casefold()
            if answer in YES or answer in NO:
                record[name] = answer in YES
            else:
                problems.append(CellProblem(name, _l("must be yes or no")))
    record["address"] = {key: text[key] for key in ("street", "postal_code", "city")
                         if key in text}
    if isinstance(raw.get("postal_code"), int | float) and len(text["postal_code"]) == 4:
        # A spreadsheet took "04277" for a number: German postal codes have five digits.
        record["address"]["postal_code"] = text["postal_code"].zfill(5)
    record["address"].update({key: _number(text[key] if isinstance(raw[key], str)
                                           else raw[key]) for key in ("lat", "lon")
                              if key in text})
    record["contact"] = {key: text[key] for key in CONTACT_KEYS if key in text}
    if isinstance(raw.get("phone"), int | float):
        # 0341 1234567 typed without a space became 3411234567: what was lost is unknown.
        problems.append(CellProblem("phone", _l(
            "was read as a number, so a leading 0 or + is lost: format the column as text and "
            "type the number again")))
    if "opening_hours" in text:
        hours = parse_hours(text["opening_hours"])
        if hours is None:
            problems.append(CellProblem("opening_hours", _l(
                "must be written like “Mo 09:00-12:00; We 14:00-18:00 (note)”")))
        record["opening_hours"] = hours or []
    if "closures" in cells:  # the column is there: what it holds (an empty cell: none)
        record["closures"], reasons = parse_closures(text.get("closures", ""),
                                                     record.get("original_language"))
        problems += [CellProblem("closures", reason) for reason in reasons]
    if "verified_at" in text:
        day, problem = parse_date(text["verified_at"])
        if problem is None:
            record["verified_at"] = day
        else:
            problems.append(CellProblem("verified_at", problem))
    return record, problems


def column_of(field: str, original_language: str | None) -> str:
    """The column a problem of the import (its field path) lies in."""
    head, _dot, rest = field.partition(".")
    head = head.split("[")[0]
    if head in TEXT_FIELDS:
        return f"{head}_{rest or original_language or 'de'}"
    if head == "address":
        return rest or "lat"
    if head == "contact":
        return rest
    if head == "(record)":
        return "id"
    return head
