"""The published directory as HSDS 3.0: every published offer a service, every organisation
with a published offer an organization.

Works on the plain records of ``records.py`` (what the JSON export and the API give), so what
is exported is exactly what an import of the same records would write.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import CITY, PUBLISHED, Area, Category, Language, Offer, Organisation, TargetGroup
from ..directory import (
    organisations_with_offers,
    published_offers,
    published_offers_by_external_ids,
)
from ..records import offer_record, organisation_record
from . import EXTENSION
from .ids import hsds_id
from .schedules import to_schedules

HSDS_VERSION = "3.0"
PLACES = Path(__file__).resolve().parents[2] / "data" / "hsds" / "places.toml"
# Our own taxonomies: term codes are our slugs, names the English labels.
TAXONOMIES = {
    "categories": ("wegweiser-categories", "Wegweiser categories",
                   "Topics of support offers for refugees (Wegweiser's vocabulary)"),
    "target_groups": ("wegweiser-target-groups", "Wegweiser target groups",
                      "Groups of people an offer is meant for (Wegweiser's vocabulary)"),
}
COST_OPTIONS = {"free": "free of charge", "reduced": "reduced fee", "paid": "paid"}
ADDRESS_PARTS = ("street", "postal_code", "city")


@dataclass(frozen=True)
class Names:
    """What an export needs besides the records: English labels, area names, the place."""

    labels: dict[str, dict[str, str]]  # "categories"/"target_groups"/"languages" → slug → label
    areas: dict[str, str]  # slug → name
    city: str
    state_province: str
    country: str

    @classmethod
    def load(cls, session: Session) -> Names:
        labels = {name: {obj.slug: obj.label("en") for obj in session.scalars(select(model))}
                  for name, model in (("categories", Category), ("target_groups", TargetGroup),
                                      ("languages", Language))}
        areas = list(session.scalars(select(Area)))
        city = next((a for a in areas if a.kind == CITY), None)
        place = city_place(city.slug if city else "")
        return cls(labels=labels, areas={a.slug: a.name for a in areas},
                   city=city.name if city else "", state_province=place.get("state_province", ""),
                   country=place.get("country", ""))


def city_place(slug: str) -> dict[str, str]:
    """The state and the ISO 3166-1 country code of a city (``places.toml``; empty when the
    file does not name the city), for the addresses of exports and of schema.org data."""
    return dict(tomllib.loads(PLACES.read_text(encoding="utf-8")).get(slug, {}))


def _original(texts: dict[str, str], language: str) -> str | None:
    if texts.get(language):
        return texts[language]
    return texts[sorted(texts)[0]] if texts else None


def _address(address: dict, names: Names, owner_id: str) -> list[dict]:
    if not all(address.get(part) for part in ADDRESS_PARTS):
        return []
    return [{"id": hsds_id("address", owner_id), "address_1": address["street"],
             "city": address["city"], "state_province": names.state_province,
             "postal_code": address["postal_code"], "country": names.country,
             "address_type": "physical"}]


def _partial_address(address: dict) -> dict:
    """An address HSDS cannot hold (it needs street, postal code and city together)."""
    return {} if all(address.get(p) for p in ADDRESS_PARTS) else \
        {k: v for k, v in address.items() if k in ADDRESS_PARTS and v}


def _term(kind: str, slug: str, names: Names) -> dict:
    taxonomy, title, description = TAXONOMIES[kind]
    return {"id": hsds_id("taxonomy_term", taxonomy, slug), "code": slug,
            "name": names.labels[kind].get(slug, slug), "description": "",
            "taxonomy": taxonomy, "language": "en",
            "taxonomy_id": hsds_id("taxonomy", taxonomy),
            "taxonomy_detail": {"id": hsds_id("taxonomy", taxonomy), "name": title,
                                "description": description, "version": "1"}}


def _phones(phone: str | None, owner: str) -> list[dict]:
    return [{"id": hsds_id("phone", owner), "number": phone, "type": "voice"}] if phone else []


def service(record: dict, names: Names, updated_at: datetime | None = None) -> dict:
    """One offer record (``records.offer_record``) as a fully nested HSDS service."""
    external_id = record["id"]
    service_id = hsds_id("service", external_id)
    language = record["original_language"]
    contact, _address = record["contact"], record["address"]
    result = {
        "id": service_id,
        "organization_id": hsds_id("organization", record["organisation"]),
        "name": _original(record["title"], language) or external_id,
        "description": _original(record["description"], language)
        or _original(record["summary"], language) or "",
        "status": "active",
    }
    if contact.get("website"):
        result["url"] = contact["website"]
    if contact.get("email"):
        result["email"] = contact["email"]
    if record.get("verified_at"):
        result["assured_date"] = record["verified_at"]
    if updated_at is not None:
        result["last_modified"] = updated_at.replace(tzinfo=UTC).isoformat() \
            .replace("+00:00", "Z")
    result["phones"] = _phones(contact.get("phone"), external_id)
    result["schedules"] = to_schedules(
        record["opening_hours"],
        lambda *key: hsds_id("schedule", external_id, *key))
    areas = [(slug, names.areas.get(slug, slug)) for slug in record["areas"]]
    if record["citywide"]:
        areas.insert(0, ("", names.city))
    result["service_areas"] = [
        {"id": hsds_id("service_area", external_id, slug), "service_id": service_id,
         "name": name, **({"description": f"{names.city} (citywide)"} if not slug else {})}
        for slug, name in areas]
    result["languages"] = [
        {"id": hsds_id("language", external_id, code), "service_id": service_id,
         "name": names.labels["languages"].get(code, code), "code": code}
        for code in record["languages"]]
    result["cost_options"] = [{"id": hsds_id("cost_option", external_id), "service_id": service_id,
                               "option": COST_OPTIONS[record["cost"]],
                               **({"amount": 0} if record["cost"] == "free" else {})}]
    result["attributes"] = [
        {"id": hsds_id("attribute", external_id, kind, slug), "link_id": service_id,
         "link_type": "service", "link_entity": "service",
         "taxonomy_term_id": hsds_id("taxonomy_term", TAXONOMIES[kind][0], slug),
         "taxonomy_term": _term(kind, slug, names)}
        for kind in ("categories", "target_groups") for slug in record[kind]]
    result["service_at_locations"] = _service_at_locations(record, names, service_id)
    result[EXTENSION] = _service_extension(record)
    return result


def _service_at_locations(record: dict, names: Names, service_id: str) -> list[dict]:
    address = record["address"]
    addresses = _address(address, names, record["id"])
    has_point = address.get("lat") is not None
    if not addresses and not has_point and record["accessible"] is not True:
        return []
    location_id = hsds_id("location", record["id"])
    location = {"id": location_id, "location_type": "physical",
                "name": _original(record["title"], record["original_language"]) or record["id"],
                "addresses": [{**a, "location_id": location_id} for a in addresses]}
    if has_point:
        location["latitude"], location["longitude"] = address["lat"], address["lon"]
    if record["accessible"] is True:
        location["accessibility"] = [{"id": hsds_id("accessibility", record["id"]),
                                      "location_id": location_id,
                                      "description": "Step-free access (wheelchair accessible)"}]
    return [{"id": hsds_id("service_at_location", record["id"]), "service_id": service_id,
             "location_id": location_id, "location": location}]


def _service_extension(record: dict) -> dict:
    extension = {"id": record["id"], "organisation": record["organisation"],
                 "original_language": record["original_language"],
                 "translations": {name: record[name] for name in ("title", "summary",
                                                                  "description")},
                 "accessible": record["accessible"],
                 "appointment_needed": record["appointment_needed"],
                 "open_on_public_holidays": record["open_on_public_holidays"],
                 "closures": record["closures"]}
    partial = _partial_address(record["address"])
    if partial:
        extension["address"] = partial
    return extension


def organization(record: dict, names: Names) -> dict:
    """One organisation record (``records.organisation_record`` with its original language)
    as an HSDS organization."""
    external_id = record["id"]
    org_id = hsds_id("organization", external_id)
    language = record.get("original_language", "de")
    result = {"id": org_id, "name": record["name"],
              "description": _original(record["description"], language) or ""}
    if record.get("email"):
        result["email"] = record["email"]
    if record.get("website"):
        result["website"] = record["website"]
    result["phones"] = _phones(record.get("phone"), f"organisation/{external_id}")
    addresses = _address(record, names, f"organisation/{external_id}")
    if addresses:
        location_id = hsds_id("location", "organisation", external_id)
        result["locations"] = [{"id": location_id, "location_type": "physical",
                                "organization_id": org_id, "name": record["name"],
                                "addresses": [{**a, "location_id": location_id}
                                              for a in addresses]}]
    extension = {"id": external_id, "original_language": language,
                 "translations": {"description": record["description"]}}
    partial = _partial_address(record)
    if partial:
        extension["address"] = partial
    result[EXTENSION] = extension
    return result


def _organisation_record(org: Organisation) -> dict:
    return {**organisation_record(org), "original_language": org.original_language}


def services(session: Session, offers: list[Offer], names: Names | None = None) -> list[dict]:
    names = names or Names.load(session)
    return [service(offer_record(o), names, o.updated_at) for o in offers]


def organizations(session: Session, orgs: list[Organisation],
                  names: Names | None = None) -> list[dict]:
    names = names or Names.load(session)
    return [organization(_organisation_record(o), names) for o in orgs]


def export_document(session: Session, licence: dict) -> dict:
    """The whole published directory: ``services`` (an HSDS service package), ``organizations``
    (an HSDS organization package) and what the file is (version, licence, time)."""
    names = Names.load(session)
    return {
        EXTENSION: {"hsds_version": HSDS_VERSION, "licence": licence,
                    "exported_at": datetime.now(UTC).replace(microsecond=0)
                    .isoformat().replace("+00:00", "Z")},
        "organizations": organizations(session, organisations_with_offers(session), names),
        "services": services(session, published_offers(session), names),
    }


def published_offer_by_hsds_id(session: Session, service_id: str) -> Offer | None:
    ids = session.scalars(select(Offer.external_id).where(Offer.status == PUBLISHED))
    external_id = next((i for i in ids if hsds_id("service", i) == service_id), None)
    found = published_offers_by_external_ids(session, [external_id]) if external_id else []
    return found[0] if found else None


def organisation_by_hsds_id(session: Session, organization_id: str) -> Organisation | None:
    ids = select(Offer.organisation_id).where(Offer.status == PUBLISHED)
    for org in session.scalars(select(Organisation).where(Organisation.id.in_(ids))):
        if hsds_id("organization", org.external_id) == organization_id:
            return org
    return None
