"""Reading HSDS 3.0 JSON: our export, pages of the HSDS API, single records, lists of them.

Every document is boiled down to services and organizations by HSDS id; a record met twice
(the official example has its service in five files) is merged, the first non-empty value of
each field winning. What holds neither (a lone location, a list of taxonomy terms) is named in
``ignored``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..importer import read_json


@dataclass
class Collected:
    services: dict[str, dict] = field(default_factory=dict)
    organizations: dict[str, dict] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, why)

    def add(self, kind: str, record: dict) -> None:
        target = self.services if kind == "service" else self.organizations
        key = record.get("id") if isinstance(record.get("id"), str) and record["id"] \
            else f"(no id {len(target) + 1})"
        existing = target.setdefault(key, {})
        for name, value in record.items():
            if existing.get(name) in (None, "", [], {}):
                existing[name] = value


def _is_service(record: dict) -> bool:
    return ("status" in record or "organization_id" in record or "service_areas" in record
            or ("schedules" in record and "location_type" not in record))


def _is_other(record: dict) -> bool:
    """A location or a taxonomy term: neither a service nor an organization."""
    return "location_type" in record or ("code" in record and "taxonomy" in record) \
        or "taxonomy_detail" in record


def collect(document, where: str, found: Collected, kind: str | None = None) -> None:
    """Add every service and organization of one JSON document to ``found`` (``kind``: what
    the records of a list are, where the document says so)."""
    if isinstance(document, list):
        for i, item in enumerate(document):
            collect(item, f"{where}[{i}]", found, kind)
        return
    if not isinstance(document, dict):
        found.ignored.append((where, "is neither an HSDS record nor a list of them"))
        return
    if "contents" in document and isinstance(document["contents"], list):  # an API page
        collect(document["contents"], f"{where}.contents", found)
        return
    if ("services" in document and "name" not in document) or "organizations" in document:
        for key in ("organizations", "services"):  # our export (packages)
            collect(document.get(key, []), f"{where}.{key}", found, key[:-1])
        return
    if isinstance(document.get("service"), dict) and "location" in document:
        service = dict(document["service"])  # a service_at_location
        at_location = {k: v for k, v in document.items() if k != "service"}
        service.setdefault("service_at_locations", []).append(at_location)
        collect(service, f"{where}.service", found)
        return
    if "name" not in document:
        found.ignored.append((where, _l("has no name, which HSDS requires of every service and "
                                        "organization") if kind or "id" in document
                              else "is no HSDS service or organization"))
        return
    if kind == "organization" or not (kind == "service" or _is_service(document)
                                      or _is_other(document)):
        for i, service in enumerate(document.get("services") or []):
            if isinstance(service, dict):
                collect({**service, "organization_id": service.get("organization_id")
                         or document.get("id")}, f"{where}.services[{i}]", found, "service")
        found.add("organization", {k: v for k, v in document.items() if k != "services"})
    elif kind == "service" or _is_service(document):
        if isinstance(document.get("organization"), dict):
            found.add("organization", document["organization"])
            document = {**document, "organization_id": document.get("organization_id")
                        or document["organization"].get("id")}
        found.add("service", document)
    else:
        found.ignored.append((where, "is a location or taxonomy term, not a service"))


def read_json_files(paths: list[Path], found: Collected | None = None) -> Collected:
    found = found or Collected()
    for path in paths:
        try:
            document = read_json(Path(path))
        except ValueError as exc:
            found.unreadable.append((str(path), exc.args[0]))
            continue
        collect(document, Path(path).name, found)
    return found
