"""Reading offer spreadsheets (CSV, XLSX) into rows, and writing them (export, template).

A row whose first cell starts with ``#`` is a note, not an offer (the template's explanations,
the licence line of a CSV export). Excel's CSV (semicolons, Windows-1252) is read as well.
"""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from .columns import cell_text, safe_text

OFFERS_SHEET, LISTS_SHEET, ABOUT_SHEET = "Offers", "Lists", "Licence"
MAX_ROWS = 5000
NOTE = "#"
# Room below the last row where the drop-downs still apply.
SPARE_ROWS = 500
# An XLSX file is a zip archive: what it unpacks to is limited before openpyxl reads it (a small
# upload must not unpack to gigabytes of XML).
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


class UnreadableSheet(Exception):
    """The file is neither an XLSX workbook nor a CSV file of offers."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class UnreadCell:
    """A cell whose value the file does not hold: a formula never computed (a file written by
    a program, not saved by a spreadsheet program) or one whose result is an error (``#REF!``).
    Read as empty, it would lose what the cell stands for without a word."""

    reason: object  # a lazy translation


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cells)


def kind_of(filename: str) -> str | None:
    suffix = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    return suffix if suffix in ("csv", "xlsx") else None


def read_sheet(data: bytes, kind: str) -> Sheet:
    lines = _xlsx_lines(data) if kind == "xlsx" else _csv_lines(data)
    first = next(lines, None)
    if first is None:
        raise UnreadableSheet(_l("The file is empty."))
    sheet = Sheet([(_text(value) or "").casefold() for value in first])
    for number, cells in enumerate(lines, 2):
        texts = [_text(c) for c in cells]
        if not any(texts) or (texts and (texts[0] or "").startswith(NOTE)):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise UnreadableSheet(_l("The file has more than %(limit)d rows.", limit=MAX_ROWS))
        sheet.rows.append((number, list(cells)))
    if not sheet.rows:
        raise UnreadableSheet(_l("The file is empty."))
    return sheet


def _text(value) -> str | None:
    return str(value.reason) if isinstance(value, UnreadCell) else cell_text(value)


def _xlsx_lines(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise UnreadableSheet(_l("What you sent is too large."))
        # The values as last computed, and the formulas (to tell one never computed from an
        # empty cell).
        books = [load_workbook(io.BytesIO(data), read_only=True, data_only=only)
                 for only in (True, False)]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise UnreadableSheet(_l("The file cannot be read as an XLSX spreadsheet.")) from exc
    merged = _merged_cells(_offers_sheet(books[0]))
    values, formulas = (_offers_sheet(book).iter_rows() for book in books)
    for number, (row, formula_row) in enumerate(zip(values, formulas, strict=False), 1):
        cells = [_cell_value(cell, formula) for cell, formula
                 in itertools.zip_longest(row, formula_row[:len(row)])]
        for column, ref in merged.get(number, {}).items():
            cells += [None] * (column - len(cells))
            cells[column - 1] = UnreadCell(_l(
                "is part of the merged cells %(cells)s, which hold one value for all: unmerge "
                "them and fill in each cell", cells=ref))
        yield cells
    for book in books:
        book.close()


def _merged_cells(sheet) -> dict[int, dict[int, str]]:
    """Row → column → range of every merged cell but the first of its range (which holds the
    value), below the header; read from the sheet's XML (a read-only sheet does not list them)."""
    with sheet._get_source() as source:
        refs = re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', source.read())
    merged: dict[int, dict[int, str]] = {}
    for ref in refs:
        first_col, first_row, last_col, last_row = range_boundaries(ref.decode())
        for row in range(max(first_row, 2), last_row + 1):
            for column in range(first_col, last_col + 1):
                if (row, column) != (first_row, first_col):
                    merged.setdefault(row, {})[column] = ref.decode()
    return merged


def _offers_sheet(book):
    by_name = {ws.title.casefold(): ws for ws in book.worksheets}
    return by_name.get(OFFERS_SHEET.casefold(), book.worksheets[0])


def _cell_value(cell, formula):
    if cell.data_type == "e":
        return UnreadCell(_l("holds the error %(error)s of a formula: correct the formula or "
                             "type the value", error=cell.value))
    if cell.value is None and formula is not None and formula.data_type == "f":
        return UnreadCell(_l("holds a formula that was never computed: open and save the file "
                             "in a spreadsheet program, or type the value"))
    return cell.value


def _csv_lines(data: bytes):
    # Excel's "Unicode text" is UTF-16 with a byte order mark (and tabs between cells).
    unicode = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if unicode else ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise UnreadableSheet(_l("The file cannot be read as a CSV file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableSheet(_l("The file cannot be read as a CSV file.")) from exc


# -- writing --------------------------------------------------------------------------------

@dataclass
class SheetContent:
    """What a written spreadsheet holds: its columns and rows, the explanation of each column
    (template), the drop-down lists by column, and lines about the data (licence, source)."""

    columns: list[str]
    rows: list[dict]
    explanations: dict[str, str] | None = None
    lists: dict[str, list[str]] = field(default_factory=dict)
    strict: set[str] = field(default_factory=set)  # columns whose list allows nothing else
    about: list[tuple[str, str]] = field(default_factory=list)


def write_csv(content: SheetContent) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(content.columns)
    if content.explanations:
        writer.writerow([NOTE + " " + content.explanations.get(c, "") if i == 0
                         else content.explanations.get(c, "")
                         for i, c in enumerate(content.columns)])
    for label, value in content.about:
        writer.writerow([f"{NOTE} {label}: {value}"])
    for row in content.rows:
        writer.writerow([safe_text(row.get(c)) if row.get(c) is not None else ""
                         for c in content.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text_cell(ws, row: int, column: int, value) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with


def write_xlsx(content: SheetContent) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = OFFERS_SHEET
    for i, name in enumerate(content.columns, 1):
        _text_cell(ws, 1, i, name)
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(name) + 4))
        if content.explanations and content.explanations.get(name):
            ws.cell(row=1, column=i).comment = Comment(content.explanations[name], "Wegweiser")
    first = 2
    if content.explanations:
        for i, name in enumerate(content.columns, 1):
            text = content.explanations.get(name, "")
            _text_cell(ws, 2, i, f"{NOTE} {text}" if i == 1 else text)
            ws.cell(row=2, column=i).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=2, column=i).font = Font(italic=True)
        first = 3
    ws.freeze_panes = ws.cell(row=first, column=2)
    for r, row in enumerate(content.rows, first):
        for i, name in enumerate(content.columns, 1):
            if row.get(name) is not None:
                _text_cell(ws, r, i, row[name])
    last = first + len(content.rows) + SPARE_ROWS
    if "postal_code" in content.columns:
        letter = get_column_letter(content.columns.index("postal_code") + 1)
        for r in range(first, last + 1):
            ws[f"{letter}{r}"].number_format = "@"  # 04277 stays text
    _drop_downs(book, ws, content, first, last)
    about = book.create_sheet(ABOUT_SHEET)
    for r, (label, value) in enumerate(content.about, 1):
        _text_cell(about, r, 1, label)
        _text_cell(about, r, 2, value)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drop_downs(book, ws, content: SheetContent, first: int, last: int) -> None:
    """Each listed column gets a drop-down of the values on a hidden sheet (long lists do not
    fit into a validation's formula)."""
    if not content.lists:
        return
    lists = book.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for i, (name, values) in enumerate(content.lists.items(), 1):
        if name not in content.columns:
            continue
        letter = get_column_letter(i)
        _text_cell(lists, 1, i, name)
        for r, value in enumerate(values, 2):
            _text_cell(lists, r, i, value)
        strict = name in content.strict
        check = DataValidation(
            type="list", allow_blank=True,
            formula1=f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}",
            showErrorMessage=strict, errorStyle="stop" if strict else "information")
        target = get_column_letter(content.columns.index(name) + 1)
        check.add(f"{target}{first}:{target}{last}")
        ws.add_data_validation(check)
