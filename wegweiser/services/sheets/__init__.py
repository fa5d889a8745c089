"""Spreadsheets (CSV and XLSX) of offers, one row per offer, for initiatives' own lists.

- ``columns``: the columns, and a row turned into a record of the JSON import format and back.
- ``files``: reading CSV and XLSX files into rows; writing the directory and the template.
- ``importing``: rows checked by the JSON import's own validation (no second validator), its
  problems pointed back to row and column, and the import itself (all or nothing).
"""
