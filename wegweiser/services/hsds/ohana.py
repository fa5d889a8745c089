"""The Ohana API's CSV layout (pre-HSDS 1.0; the San Mateo County sample) as HSDS 3.0 services.

Each service becomes one HSDS service at its location, with the location's address, phones,
accessibility and languages; keywords and Open Eligibility taxonomy ids become taxonomy terms
(taxonomies ``ohana-keywords`` and ``open-eligibility``) for the mapping file to translate.
Contacts (names of staff) and mail addresses are not carried over; holiday schedules have no
place in our model: the sample's recur every year (dated 0001, which Wegweiser's dated
closures cannot say) or give other hours for a day (not a closure). Both are named in
``ignored``.
"""
from __future__ import annotations

import csv
from pathlib import Path

from .ids import hsds_id
from .sources import Collected

FILES = ("organizations", "locations", "services", "addresses", "phones", "regular_schedules")
WEEKDAYS = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
            "friday": "FR", "saturday": "SA", "sunday": "SU"}
SERVICE_FIELDS = {"alternate_name": "alternate_name", "description": "description",
                  "website": "url", "email": "email", "interpretation_services":
                  "interpretation_services", "application_process": "application_process",
                  "fees": "fees_description", "wait_time": "wait_time",
                  "eligibility": "eligibility_description"}
OHANA_ONLY = ("audience", "accepted_payments")  # no HSDS field: kept as they are, reported


def is_ohana_folder(path: Path) -> bool:
    return path.is_dir() and all((path / f"{name}.csv").exists() for name in FILES)


def _rows(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _by(rows: list[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        if row.get(key):
            grouped.setdefault(row[key], []).append(row)
    return grouped


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _id(kind: str, key: str) -> str:
    return hsds_id(f"ohana-{kind}", key)


def _phones(rows: list[dict]) -> list[dict]:
    return [{"id": _id("phone", r["id"]), "number": r["number"],
             **({"type": r["number_type"]} if r.get("number_type") else {}),
             **({"extension": float(r["extension"])} if r.get("extension", "").isdigit() else {}),
             **({"description": r["department"]} if r.get("department") else {})}
            for r in rows if r.get("number")]


def _schedules(rows: list[dict]) -> list[dict]:
    schedules = []
    for row in rows:
        day = WEEKDAYS.get(row.get("weekday", "").strip().casefold())
        schedules.append({"id": _id("schedule", row["id"]), "freq": "WEEKLY", "interval": 1,
                          "byday": day or row.get("weekday", ""),
                          "opens_at": row.get("opens_at", ""),
                          "closes_at": row.get("closes_at", "")})
    return schedules


def _terms(service: dict, taxonomy: dict[str, str]) -> list[dict]:
    attributes = []
    for code in _split(service.get("taxonomy_ids", "")):
        attributes.append(("open-eligibility", code, taxonomy.get(code, code)))
    for keyword in _split(service.get("keywords", "")):
        attributes.append(("ohana-keywords", keyword, keyword))
    return [{"id": _id("attribute", f"{service['id']}/{name}/{code}"),
             "taxonomy_term": {"id": _id("term", f"{name}/{code}"), "code": code, "name": label,
                               "description": "", "taxonomy": name}}
            for name, code, label in attributes]


def _location(row: dict, addresses: list[dict], phones: list[dict]) -> dict:
    location = {"id": _id("location", row["id"]),
                "location_type": "virtual" if row.get("virtual") == "true" else "physical",
                "name": row.get("name", "")}
    for source, target in (("description", "description"), ("short_desc", "alternate_name"),
                           ("transportation", "transportation"), ("website", "url")):
        if row.get(source):
            location[target] = row[source]
    for key in ("latitude", "longitude"):
        try:
            location[key] = float(row[key])
        except (KeyError, ValueError):
            pass
    location["addresses"] = [{"id": _id("address", a["id"]), "address_1": a["address_1"],
                              **({"address_2": a["address_2"]} if a.get("address_2") else {}),
                              "city": a["city"], "state_province": a["state_province"],
                              "postal_code": a["postal_code"], "country": a["country"],
                              "address_type": "physical"} for a in addresses]
    location["accessibility"] = [{"id": _id("accessibility", f"{row['id']}/{item}"),
                                  "description": item.replace("_", " ")}
                                 for item in _split(row.get("accessibility", ""))]
    location["languages"] = [{"id": _id("language", f"location/{row['id']}/{name}"),
                              "name": name} for name in _split(row.get("languages", ""))]
    location["phones"] = phones
    return location


def read_ohana_folder(folder: Path, found: Collected | None = None) -> Collected:
    """Every service of an Ohana CSV folder as an HSDS service, with its organization."""
    found = found or Collected()
    taxonomy = {row["taxonomy_id"]: row["name"] for row in _rows(folder, "taxonomy")}
    locations = {row["id"]: row for row in _rows(folder, "locations")}
    addresses = _by(_rows(folder, "addresses"), "location_id")
    phone_rows = _rows(folder, "phones")
    schedules = _rows(folder, "regular_schedules")
    for row in _rows(folder, "organizations"):
        org = {"id": _id("organization", row["id"]), "name": row["name"],
               "description": row.get("description", "")}
        for key in ("email", "website", "alternate_name", "legal_status", "tax_status",
                    "tax_id"):
            if row.get(key):
                org[key] = row[key]
        org["phones"] = _phones(_by(phone_rows, "organization_id").get(row["id"], []))
        found.add("organization", org)
    for row in _rows(folder, "services"):
        location = locations.get(row.get("location_id", ""), {})
        service = {"id": _id("service", row["id"]), "name": row["name"],
                   "status": row.get("status") or "active"}
        if location.get("organization_id"):
            service["organization_id"] = _id("organization", location["organization_id"])
        for source, target in SERVICE_FIELDS.items():
            if row.get(source):
                service[target] = row[source]
        service["phones"] = _phones(_by(phone_rows, "service_id").get(row["id"], []))
        own = _by(schedules, "service_id").get(row["id"])
        service["schedules"] = _schedules(own or _by(schedules, "location_id")
                                          .get(row.get("location_id", ""), []))
        service["service_areas"] = [{"id": _id("service_area", f"{row['id']}/{name}"),
                                     "name": name} for name in _split(row["service_areas"])]
        service["languages"] = [{"id": _id("language", f"{row['id']}/{name}"), "name": name}
                                for name in _split(row.get("languages", ""))]
        service["attributes"] = _terms(row, taxonomy)
        if row.get("required_documents"):
            service["required_documents"] = [{"id": _id("document", row["id"]),
                                              "document": row["required_documents"]}]
        if row.get("funding_sources"):
            service["funding"] = [{"id": _id("funding", row["id"]),
                                   "source": row["funding_sources"]}]
        if location:
            service["service_at_locations"] = [{
                "id": _id("service_at_location", row["id"]),
                "location": _location(location, addresses.get(location["id"], []),
                                      _phones(_by(phone_rows, "location_id")
                                              .get(location["id"], [])))}]
        service.update({key: row[key] for key in OHANA_ONLY if row.get(key)})
        found.add("service", service)
    for name, why in (("contacts", "names of staff are not kept (people, not offers)"),
                      ("mail_addresses", "postal addresses for letters have no place"),
                      ("holiday_schedules", "yearly holidays (year 0001) and other hours "
                                            "for a day have no place: closures are dated"),
                      ("programs", "programs have no place in our model")):
        count = len(_rows(folder, name))
        if count:
            found.ignored.append((f"{folder.name}/{name}.csv", f"{count} row(s): {why}"))
    return found
