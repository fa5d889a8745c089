"""An offer spreadsheet checked and imported through the JSON import (``Importer``): the rows
become records of the import format, the import's own validation judges them, and each of its
problems is pointed back to a row and a column. All or nothing, as every import."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...cities import city_today
from ...models import TEXT_FIELDS, Organisation
from ..importer import ImportReport, PlannedChange
from ..records import closures_typed_over, keep_closures, stored_closures
from ..setup import import_records
from .columns import column_of, is_column, row_to_record
from .files import Sheet, UnreadCell


@dataclass(frozen=True)
class SheetProblem:
    row: int | None  # the row in the file (1: the header); None: the whole file
    column: str | None
    cell: str | None  # e.g. "F7"
    reason: object  # text, or a lazy translation shown in the reader's language

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row else None,
                 f"column {self.column}" if self.column else None,
                 f"({self.cell})" if self.cell else None]
        return " ".join(w for w in where if w) + f": {self.reason}"


@dataclass(frozen=True)
class RowPlan:
    row: int
    id: str | None
    title: str | None
    outcome: str  # created, updated, unchanged; invalid where a problem was found
    columns: list[str]  # of an update: the columns that change


@dataclass
class SheetCheck:
    problems: list[SheetProblem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    report: ImportReport | None = None
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and self.report is not None and self.report.ok

    def counts(self) -> dict[str, int]:
        counted = {"created": 0, "updated": 0, "unchanged": 0, "invalid": 0}
        for row in self.rows:
            counted[row.outcome] += 1
        return counted


class _Converted:
    """The sheet's rows as records of the import format, and where each record came from."""

    def __init__(self, session: Session, sheet: Sheet):
        self.sheet = sheet
        self.problems: list[SheetProblem] = []
        self.offers: list[dict] = []
        self.rows: list[int] = []  # row number of each offer record
        self.organisations: dict[str, dict] = {}
        self.organisation_rows: dict[str, int] = {}
        # Cells whose value the file does not hold (already a problem): what the import says
        # of them as empty (e.g. "is required") would only repeat it.
        self.unread: set[tuple[int, str]] = set()
        self._header()
        known = set(session.scalars(select(Organisation.external_id)))
        for number, cells in sheet.rows:
            self._row(number, cells, known)
        self._closures(session)

    def _closures(self, session: Session) -> None:
        """Without a closures column (a sheet from before it) an offer's closures stay as they
        are; with it, its cell says which closures are now or to come (empty: none), and
        those that are over stay as they are."""
        if "closures" not in self.sheet.header:
            keep_closures(session, self.offers)
            return
        stored, today = stored_closures(session, self.offers), city_today()
        for record in self.offers:
            record["closures"] = closures_typed_over(
                stored.get(record.get("id"), []), record.get("closures", []),
                record.get("original_language"), today)

    def cell(self, column: str, row: int | None) -> str | None:
        if column not in self.sheet.header or row is None:
            return None
        return f"{get_column_letter(self.sheet.header.index(column) + 1)}{row}"

    def problem(self, row: int | None, column: str | None, reason) -> None:
        self.problems.append(SheetProblem(row, column, self.cell(column, row) if column
                                          else None, reason))

    def _header(self) -> None:
        seen = set()
        for name in self.sheet.header:
            if not name:
                continue
            if not is_column(name):
                self.problem(1, name, _l("is not a column of the template"))
            elif name in seen:
                self.problem(1, name, _l("appears twice"))
            seen.add(name)
        if "id" not in seen:
            self.problem(1, "id", _l("is missing: every row needs the id of its offer"))

    def _row(self, number: int, cells: list, known: set[str]) -> None:
        values = {name: cells[i] if i < len(cells) else None
                  for i, name in enumerate(self.sheet.header) if is_column(name)}
        for name, value in values.items():
            if isinstance(value, UnreadCell):
                self.problem(number, name, value.reason)
                self.unread.add((number, name))
                values[name] = None
        record, problems = row_to_record(values)
        for found in problems:
            self.problem(number, found.column, found.reason)
        organisation = record.get("organisation")
        name = (str(values.get("organisation_name") or "")).strip()
        if organisation and organisation not in known and name \
                and organisation not in self.organisations:
            self.organisations[organisation] = {"id": organisation, "name": name}
            self.organisation_rows[organisation] = number
        self.offers.append(record)
        self.rows.append(number)

    def data(self) -> dict:
        return {"organisations": list(self.organisations.values()), "offers": self.offers}

    def place(self, report: ImportReport) -> None:
        """The import's problems, each at its row and column."""
        by_id: dict[str, list[int]] = {}
        for record, number in zip(self.offers, self.rows, strict=True):
            if isinstance(record.get("id"), str):
                by_id.setdefault(record["id"], []).append(number)
        twice: dict[str, int] = {}
        for problem in report.problems:
            if problem.record.startswith("organisations[") or problem.field == "name":
                org = problem.record if not problem.record.startswith("organisations[") else \
                    list(self.organisations)[int(problem.record[14:-1])]
                self.problem(self.organisation_rows.get(org), "organisation_name"
                             if problem.field == "name" else "organisation", problem.reason)
                continue
            if problem.record.startswith("offers["):
                index = int(problem.record[7:-1])
                row, record = self.rows[index], self.offers[index]
            else:
                rows = by_id.get(problem.record, [None])
                if problem.field == "id" and len(rows) > 1:  # "appears twice"
                    twice[problem.record] = twice.get(problem.record, 0) + 1
                    row = rows[min(twice[problem.record], len(rows) - 1)]
                else:
                    row = rows[0]
                record = self.offers[self.rows.index(row)] if row else {}
            column = column_of(problem.field, record.get("original_language"))
            if (row, column) not in self.unread:
                self.problem(row, column, problem.reason)
        self.problems.sort(key=lambda p: (p.row or 0, self.sheet.header.index(p.column)
                                          if p.column in self.sheet.header else -1))


def _changed_columns(changes: dict) -> list[str]:
    columns = []
    for key, change in changes.items():
        before, after = change.get("before") or {}, change.get("after") or {}
        if key in TEXT_FIELDS:
            columns += [f"{key}_{lang}" for lang in sorted({*before, *after})]
        elif key in ("address", "contact"):
            columns += sorted(k for k in {*before, *after} if before.get(k) != after.get(k))
        else:
            columns.append(key)
    return columns


def _title(record: dict) -> str | None:
    titles = record.get("title") or {}
    return titles.get(record.get("original_language") or "de") or next(iter(titles.values()),
                                                                       None)


def fingerprint(planned: list[PlannedChange]) -> str:
    """What an import would do, record by record, with every value before and after: when the
    directory changes under a preview, the same file gives another fingerprint."""
    text = json.dumps([[p.kind, p.id, p.outcome, p.changes] for p in planned],
                      sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_sheet(session: Session, sheet: Sheet, actor: str) -> SheetCheck:
    """What importing the sheet would do, row by row, and every problem; writes nothing.
    Where some rows have problems, the others still show what they would do."""
    converted = _Converted(session, sheet)
    report = import_records(converted.data(), actor, dry_run=True)
    converted.place(report)
    bad_rows = {p.row for p in converted.problems}
    planned = report.planned
    if converted.problems:
        good = [r for r, n in zip(converted.offers, converted.rows, strict=True)
                if n not in bad_rows]
        planned = import_records({"organisations": list(converted.organisations.values()),
                                  "offers": good}, actor, dry_run=True).planned
    by_id = {(p.kind, p.id): p for p in planned}
    rows = []
    for record, number in zip(converted.offers, converted.rows, strict=True):
        plan = by_id.get(("offers", record.get("id")))
        outcome = "invalid" if number in bad_rows or plan is None else plan.outcome
        rows.append(RowPlan(number, record.get("id"), _title(record), outcome,
                            _changed_columns(plan.changes) if plan and outcome == "updated"
                            else []))
    return SheetCheck(converted.problems, rows,
                      [p.id for p in report.planned
                       if p.kind == "organisations" and p.outcome == "created"],
                      report, fingerprint(report.planned))


class StaleSheet(Exception):
    """The directory changed since the preview: the same file would now do something else."""


def import_sheet(session: Session, sheet: Sheet, actor: str,
                 expected: str | None = None) -> SheetCheck:
    """Import the sheet, all or nothing; with ``expected`` (a preview's fingerprint) only if it
    would still do exactly what the preview showed (else :class:`StaleSheet`)."""
    check = check_sheet(session, sheet, actor)
    if not check.ok:
        return check
    if expected is not None and check.fingerprint != expected:
        raise StaleSheet()
    converted = _Converted(session, sheet)
    check.report = import_records(converted.data(), actor)
    return check
