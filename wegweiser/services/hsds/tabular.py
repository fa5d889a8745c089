"""HSDS 3.0's tabular form (one CSV file per table, linked by ids, as in the official example's
``csv/`` folder) assembled into nested services and organizations, as the JSON form has them."""
from __future__ import annotations

import csv
from pathlib import Path

from .sources import Collected

NUMBERS = {"latitude", "longitude", "amount", "extension", "minimum_age", "maximum_age",
           "timezone", "count", "interval", "year_incorporated"}
# Tables hanging off a record: (table, the column naming the record, field in the record).
SERVICE_TABLES = (("phones", "service_id", "phones"), ("schedules", "service_id", "schedules"),
                  ("service_areas", "service_id", "service_areas"),
                  ("languages", "service_id", "languages"),
                  ("cost_options", "service_id", "cost_options"),
                  ("required_documents", "service_id", "required_documents"),
                  ("funding", "service_id", "funding"), ("contacts", "service_id", "contacts"),
                  ("metadata", "resource_id", "metadata"))
LOCATION_TABLES = (("addresses", "location_id", "addresses"),
                   ("accessibility", "location_id", "accessibility"),
                   ("phones", "location_id", "phones"), ("languages", "location_id", "languages"),
                   ("schedules", "location_id", "schedules"),
                   ("contacts", "location_id", "contacts"))
AT_LOCATION_TABLES = (("phones", "service_at_location_id", "phones"),
                      ("schedules", "service_at_location_id", "schedules"),
                      ("contacts", "service_at_location_id", "contacts"))
ORGANIZATION_TABLES = (("phones", "organization_id", "phones"),
                       ("contacts", "organization_id", "contacts"),
                       ("funding", "organization_id", "funding"),
                       ("programs", "organization_id", "programs"),
                       ("organization_identifiers", "organization_id",
                        "organization_identifiers"),
                       ("metadata", "resource_id", "metadata"))


def is_tabular_folder(path: Path) -> bool:
    return path.is_dir() and (path / "services.csv").exists() and \
        (path / "service_at_location.csv").exists()


def _value(column: str, text: str):
    if column in NUMBERS:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _table(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: _value(k, v.strip()) for k, v in row.items() if k and v and v.strip()}
                for row in csv.DictReader(handle)]


class _Tables:
    def __init__(self, folder: Path):
        self.folder = folder
        self.cache: dict[str, list[dict]] = {}

    def rows(self, name: str) -> list[dict]:
        if name not in self.cache:
            self.cache[name] = _table(self.folder, name)
        return self.cache[name]

    def attach(self, record: dict, tables) -> dict:
        for table, column, field in tables:
            children = [row for row in self.rows(table) if row.get(column) == record["id"]]
            if children:
                record[field] = children
        return record


def read_tabular_folder(folder: Path, found: Collected | None = None) -> Collected:
    found = found or Collected()
    tables = _Tables(folder)
    terms = {row["id"]: row for row in tables.rows("taxonomy_terms") if "id" in row}
    taxonomies = {row["id"]: row for row in tables.rows("taxonomies") if "id" in row}
    locations = {row["id"]: tables.attach(dict(row), LOCATION_TABLES)
                 for row in tables.rows("locations") if "id" in row}
    for row in tables.rows("organizations"):
        if "id" in row:
            org = tables.attach(dict(row), ORGANIZATION_TABLES)
            org_locations = [loc for loc in locations.values()
                             if loc.get("organization_id") == row["id"]]
            if org_locations:
                org["locations"] = org_locations
            found.add("organization", org)
    for row in tables.rows("services"):
        if "id" not in row:
            continue
        service = tables.attach(dict(row), SERVICE_TABLES)
        attributes = []
        for attribute in tables.rows("attributes"):
            if attribute.get("link_id") == row["id"] and attribute.get("taxonomy_term_id") in terms:
                term = dict(terms[attribute["taxonomy_term_id"]])
                if term.get("taxonomy_id") in taxonomies:
                    term["taxonomy_detail"] = taxonomies[term["taxonomy_id"]]
                attributes.append({**attribute, "taxonomy_term": term})
        if attributes:
            service["attributes"] = attributes
        at_locations = [tables.attach({**at, "location": locations[at["location_id"]]},
                                      AT_LOCATION_TABLES)
                        for at in tables.rows("service_at_location")
                        if at.get("service_id") == row["id"] and at.get("location_id") in locations]
        if at_locations:
            service["service_at_locations"] = at_locations
        found.add("service", service)
    return found
