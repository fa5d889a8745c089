"""An HSDS service or organization as a record of our import format, and what was left behind.

Everything our model can hold is taken; everything else is named in a :class:`Dropped` entry
with the reason, field by field, so an import can report it. Records written by our own export
carry the ``x-wegweiser`` extension and come back exactly as they were.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ...models import ARCHIVED, COSTS, PUBLISHED
from ..importer import EMAIL_PATTERN, ID_PATTERN, TEXT_LIMITS, URL_PATTERN
from ..lookups import Lookups
from . import EXTENSION
from .export import COST_OPTIONS, TAXONOMIES
from .mapping import Mapping
from .schedules import from_schedule

STATUSES = {"active": PUBLISHED, "inactive": ARCHIVED, "defunct": ARCHIVED,
            "temporarily closed": ARCHIVED}
COST_BY_OPTION = {label: cost for cost, label in COST_OPTIONS.items()}
OWN_TAXONOMIES = {taxonomy: kind for kind, (taxonomy, _t, _d) in TAXONOMIES.items()}
PHONE_ALLOWED = re.compile(r"[^+0-9 ()/\-.]")
FREE_WORDS = re.compile(r"^\s*(free|none|no (fee|charge|cost)s?|kostenlos|gratis)\b", re.I)
REDUCED_WORDS = re.compile(r"donation|sliding|reduced|low[- ]cost|ermäßigt", re.I)
ACCESSIBLE_WORDS = re.compile(r"wheelchair|step[- ]free|ramp|rollstuhl|barrierefrei", re.I)
# Fields that are never taken, and why (everything else not taken is "no field for it").
REASONS = {
    "contacts": "names of people are not kept",
    "metadata": "the change history of the source is not kept",
}
# Links between records, read where they are needed.
LINKS = {"id", "organization_id", "service_id", "location_id", "link_id", "organization",
         EXTENSION}


@dataclass(frozen=True)
class Dropped:
    record: str  # the HSDS id (or our external id) of the record
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.reason}"


def _filled(value) -> bool:
    return value not in (None, "", [], {})


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _object(value) -> dict:
    """``value`` if it is a JSON object, else an empty one (malformed input is not read)."""
    return value if isinstance(value, dict) else {}


def _objects(value) -> list[dict]:
    """The objects of a list (anything else in it, or a non-list, is not read)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class Converter:
    def __init__(self, lookups: Lookups, mapping: Mapping, place: tuple[str, str]):
        """``place``: the state and country of this directory's city (not kept per address)."""
        self.lookups = lookups
        self.mapping = mapping
        self.place = place
        self.dropped: list[Dropped] = []

    # -- helpers ------------------------------------------------------------------------

    def drop(self, record: str, field_name: str, reason: str) -> None:
        self.dropped.append(Dropped(record, field_name, reason))

    def _leftovers(self, record_id: str, source: dict, taken: set[str], prefix: str = "") -> None:
        for key, value in source.items():
            if key not in taken and key not in LINKS and _filled(value):
                self.drop(record_id, prefix + key,
                          REASONS.get(key, "no field for it in Wegweiser's model"))

    def external_id(self, record: dict) -> str | None:
        own = _object(record.get(EXTENSION)).get("id")
        if isinstance(own, str) and ID_PATTERN.match(own):
            return own
        hsds = record.get("id")
        if isinstance(hsds, str) and ID_PATTERN.match(f"hsds-{hsds}"):
            return f"hsds-{hsds}"
        return None

    def _texts(self, record: dict, extension: dict, name: str, source: str | None,
               language: str, record_id: str, limit: int) -> dict:
        translations = _object(extension.get("translations")).get(name)
        if isinstance(translations, dict):
            return {k: v for k, v in translations.items() if isinstance(v, str) and v}
        text = _text(record.get(source)) if source else None
        if not text:
            return {}
        if len(text) > limit:
            self.drop(record_id, source, f"shortened to {limit} characters")
            text = text[:limit].rstrip()
        return {language: text}

    def _contact(self, record_id: str, phones: list, email, website) -> dict:
        contact = {}
        for phone in phones:
            number = PHONE_ALLOWED.sub("", str(phone.get("number") or "")).strip()
            if phone.get("type") in (None, "voice", "hotline", "cell", "text") and \
                    3 <= len(number) <= 60 and "phone" not in contact:
                contact["phone"] = number
                if phone.get("extension"):
                    self.drop(record_id, "phones.extension", "a phone extension has no place")
            else:
                self.drop(record_id, "phones", f"only one phone number is kept "
                          f"({phone.get('type') or 'voice'} {phone.get('number')!r} left out)")
        if _text(email):
            if EMAIL_PATTERN.match(email.strip()):
                contact["email"] = email.strip()
            else:
                self.drop(record_id, "email", f"{email!r} is not an e-mail address")
        if _text(website):
            if URL_PATTERN.match(website.strip()):
                contact["website"] = website.strip()
            else:
                self.drop(record_id, "url", f"{website!r} is not an http(s) address")
        return contact

    # -- organizations ------------------------------------------------------------------

    def organization(self, org: dict) -> dict | None:
        record_id = self.external_id(org)
        where = _text(org.get("id")) or "(organization)"
        if record_id is None or not _text(org.get("name")):
            self.drop(where, "(record)", "an organization needs an id and a name")
            return None
        extension = _object(org.get(EXTENSION))
        language = self._language(extension)
        location = next((loc for loc in _objects(org.get("locations"))
                         if _objects(loc.get("addresses"))), None)
        address = self._address(where, location, extension, "locations")
        contact = self._contact(where, _objects(org.get("phones")), org.get("email"),
                                org.get("website"))
        record = {"id": record_id, "name": org["name"].strip()[:300],
                  "original_language": language,
                  "description": self._texts(org, extension, "description", "description",
                                             language, where, 20000),
                  **{k: address.get(k) for k in ("street", "postal_code", "city")},
                  **{k: contact.get(k) for k in ("phone", "email", "website")}}
        taken = {"name", "description", "phones", "email", "website"}
        self._leftovers(where, org, taken | ({"locations"} if location else set()))
        if location:
            self._location_leftovers(where, location, "locations.")
        return record

    def _language(self, extension: dict) -> str:
        language = self.lookups.languages.find(_text(extension.get("original_language")) or "") \
            or self.lookups.languages.find(self.mapping.text_language)
        return language.code

    def _address(self, record_id: str, location: dict | None, extension: dict,
                 where: str) -> dict:
        if isinstance(extension.get("address"), dict):
            return dict(extension["address"])
        if not location:
            return {}
        addresses = _objects(location.get("addresses"))
        physical = [a for a in addresses if a.get("address_type") in (None, "physical")] \
            or addresses
        address = {}
        if physical:
            first = physical[0]
            street = ", ".join(p for p in (_text(first.get("address_1")),
                                           _text(first.get("address_2"))) if p)
            for key, value in (("street", street), ("postal_code", _text(first.get("postal_code"))),
                               ("city", _text(first.get("city")))):
                if value:
                    address[key] = value[:20] if key == "postal_code" else value[:300]
            here = dict(zip(("state_province", "country"), self.place, strict=True))
            for key in ("attention", "region", "state_province", "country"):
                value = _text(first.get(key))
                if value and value.casefold() != here.get(key, "").casefold():
                    self.drop(record_id, f"{where}.addresses.{key}", f"{value!r} is not kept "
                              + ("(no field for it)" if key == "attention" else
                                 "(the directory's addresses all lie in its own city)"))
            if len(addresses) > 1:
                self.drop(record_id, f"{where}.addresses", f"only the first of "
                          f"{len(addresses)} addresses is kept")
        return address

    def _location_leftovers(self, record_id: str, location: dict, prefix: str,
                            taken: set[str] = frozenset()) -> None:
        self._leftovers(record_id, location, {"addresses", "latitude", "longitude",
                                              "accessibility", "location_type", "name",
                                              "organization_id", *taken}, prefix)

    # -- services -----------------------------------------------------------------------

    def service(self, service: dict, org_ids: dict[str, str]) -> dict | None:
        """``org_ids``: HSDS organization id → our external id of the organisation."""
        where = _text(service.get("id")) or "(service)"
        record_id = self.external_id(service)
        extension = _object(service.get(EXTENSION))
        organisation = extension.get("organisation") if extension.get("organisation") in \
            org_ids.values() else org_ids.get(_text(service.get("organization_id")) or "")
        if record_id is None or not _text(service.get("name")):
            self.drop(where, "(record)", "a service needs an id and a name; not imported")
            return None
        if organisation is None:
            self.drop(where, "(record)", "its organization is not in the data; not imported")
            return None
        language = self._language(extension)
        categories, target_groups = self._terms(where, _objects(service.get("attributes")))
        if not categories:
            if self.mapping.fallback_category:
                categories = [self.mapping.fallback_category]
                self.drop(where, "attributes", f"no term maps to a category; given "
                          f"{self.mapping.fallback_category!r} ({self.mapping.name})")
            else:
                self.drop(where, "(record)", "no term maps to one of our categories; "
                          "not imported")
                return None
        at_locations = _objects(service.get("service_at_locations"))
        location = next((sal.get("location") for sal in at_locations
                         if isinstance(sal.get("location"), dict)), None)
        address = self._address(where, location, extension, "location")
        if location and location.get("latitude") is not None and \
                location.get("longitude") is not None and not extension.get("address"):
            lat, lon = location["latitude"], location["longitude"]
            if isinstance(lat, int | float) and isinstance(lon, int | float) and \
                    -90 <= lat <= 90 and -180 <= lon <= 180:
                address.update(lat=float(lat), lon=float(lon))
            else:
                self.drop(where, "location.latitude", f"{lat}, {lon} is no point on Earth")
        areas, citywide = self._areas(where, _objects(service.get("service_areas")))
        phones = _objects(service.get("phones"))
        location_taken = set()
        if not phones and location:
            phones = _objects(location.get("phones"))
            location_taken.add("phones")
        if not service.get("languages") and location:
            location_taken.add("languages")
        record = {
            "id": record_id, "organisation": organisation, "original_language": language,
            "title": self._texts(service, extension, "title", "name", language, where,
                                 TEXT_LIMITS["title"]),
            "summary": self._texts(service, extension, "summary", None, language, where,
                                   TEXT_LIMITS["summary"]),
            "description": self._texts(service, extension, "description", "description",
                                       language, where, TEXT_LIMITS["description"]),
            "categories": categories, "target_groups": target_groups,
            "languages": self._languages(where, _objects(service.get("languages")),
                                         _objects(_object(location).get("languages"))),
            "areas": areas, "citywide": citywide, "address": address,
            "contact": self._contact(where, phones, service.get("email"), service.get("url")),
            "opening_hours": self._opening_hours(where, service, at_locations, location),
            "open_on_public_holidays": extension.get("open_on_public_holidays") is True,
            "cost": self._cost(where, service),
            "accessible": extension["accessible"]
            if isinstance(extension.get("accessible"), bool | None) and "accessible" in extension
            else self._accessible(location),
            "appointment_needed": extension.get("appointment_needed")
            if isinstance(extension.get("appointment_needed"), bool) else None,
            "status": self._status(where, service.get("status")),
            "verified_at": self._verified(where, service.get("assured_date")),
        }
        if isinstance(extension.get("closures"), list):  # checked by the import, as JSON's
            record["closures"] = extension["closures"]
        self._leftovers(where, service, {
            "name", "description", "status", "url", "email", "phones", "schedules",
            "service_areas", "languages", "cost_options", "attributes", "assured_date",
            "service_at_locations", "fees_description", "last_modified", "organization_id",
            "organization", EXTENSION})
        for i, sal in enumerate(at_locations):
            if sal.get("location") is location and location is not None:
                self._leftovers(where, sal, {"location", "schedules", "service_id",
                                             "location_id"}, "service_at_locations.")
                self._location_leftovers(where, location, "location.", location_taken)
            else:
                self.drop(where, f"service_at_locations[{i}]",
                          "only the first location is kept")
        return record

    def _terms(self, where: str, attributes: list) -> tuple[list[str], list[str]]:
        found: dict[str, list[str]] = {"categories": [], "target_groups": []}
        vocab = {"categories": self.lookups.categories,
                 "target_groups": self.lookups.target_groups}
        for attribute in attributes:
            term = _object(attribute.get("taxonomy_term"))
            code, name = _text(term.get("code")), _text(term.get("name"))
            own = OWN_TAXONOMIES.get(_text(term.get("taxonomy")) or "")
            hits = []
            if own and code and vocab[own].find(code):
                hits = [(own, code)]
            else:
                for kind in found:
                    hits += [(kind, s) for s in self.mapping.lookup(kind, code or "", name or "")]
                if not hits:
                    hits = [(kind, obj.slug) for kind in found
                            for obj in [vocab[kind].find(name or "")] if obj is not None]
            if not hits:
                self.drop(where, "attributes", f"term {name or code!r} "
                          f"({term.get('taxonomy') or 'no taxonomy'}) maps to nothing of ours")
            for kind, slug in hits:
                obj = vocab[kind].find(slug)
                if obj is not None and obj.slug not in found[kind]:
                    found[kind].append(obj.slug)
        return found["categories"], found["target_groups"]

    def _areas(self, where: str, service_areas: list) -> tuple[list[str], bool]:
        areas, citywide = [], False
        for area in service_areas:
            name = _text(area.get("name")) or ""
            found = self.lookups.areas.find(name)
            if found is None:
                self.drop(where, "service_areas", f"{name[:80]!r} is not an area of this city")
            elif found.kind == "city":
                citywide = True
            elif found.slug not in areas:
                areas.append(found.slug)
        if not areas and not citywide:
            citywide = True
            self.drop(where, "service_areas", "no area of this city: imported as citywide")
        return sorted(areas), citywide

    def _languages(self, where: str, *lists: list) -> list[str]:
        entries = next((entries for entries in lists if entries), [])
        codes = []
        for entry in entries:
            language = self.lookups.languages.find(_text(entry.get("code")) or "") or \
                self.lookups.languages.find(_text(entry.get("name")) or "")
            if language is None:
                self.drop(where, "languages", f"{entry.get('name') or entry.get('code')!r} "
                          "is not one of our languages")
            elif language.code not in codes:
                codes.append(language.code)
            if _text(entry.get("note")):
                self.drop(where, "languages.note", "no field for it")
        return codes

    def _opening_hours(self, where: str, service: dict, at_locations: list,
                       location: dict | None) -> list[dict]:
        schedules = _objects(service.get("schedules"))
        if not schedules:
            for sal in at_locations:
                schedules += _objects(sal.get("schedules"))
        if not schedules and location:
            schedules = _objects(location.get("schedules"))
        slots = []
        for schedule in schedules:
            found, reason = from_schedule(schedule)
            if reason:
                self.drop(where, "schedules", reason)
            for slot in found:
                if all(_slot_key(s) != _slot_key(slot) for s in slots):
                    slots.append(slot)
            for key in ("valid_from", "valid_to", "dtstart", "until", "count", "wkst",
                        "byweekno", "bymonthday", "byyearday", "schedule_link",
                        "attending_type", "notes", "timezone"):
                if _filled(schedule.get(key)) and not reason:
                    self.drop(where, f"schedules.{key}", "only weekly opening hours are kept")
        return sorted(slots, key=_slot_key)

    def _cost(self, where: str, service: dict) -> str:
        options = _objects(service.get("cost_options"))
        for option in options:
            if _text(option.get("option")) in COST_BY_OPTION:
                return COST_BY_OPTION[option["option"]]
        amounts = [o["amount"] for o in options if isinstance(o.get("amount"), int | float)
                   and not isinstance(o["amount"], bool)]
        text = _text(service.get("fees_description")) or ""
        if options:
            self.drop(where, "cost_options", "amounts and conditions are not kept, only "
                      "free / reduced / paid")
        if text:
            self.drop(where, "fees_description", "the text is not kept, only free / reduced "
                      "/ paid")
        if any(a > 0 for a in amounts):
            return "paid"
        if amounts:
            return "free"
        if FREE_WORDS.search(text):
            return "free"
        if REDUCED_WORDS.search(text):
            return "reduced"
        if re.search(r"\d|[$€£]", text):
            return "paid"
        if not text:
            self.drop(where, "cost", "the source does not say: imported as free (the import "
                      "format's default)")
            return COSTS[0]
        return "paid"

    @staticmethod
    def _accessible(location: dict | None) -> bool | None:
        entries = _objects(_object(location).get("accessibility"))
        text = " ".join(f"{e.get('description') or ''} {e.get('details') or ''}" for e in entries)
        return True if ACCESSIBLE_WORDS.search(text) else None

    def _status(self, where: str, status) -> str:
        if isinstance(status, str) and status in STATUSES:
            return STATUSES[status]
        self.drop(where, "status", f"{status!r} is no HSDS status: imported as published")
        return PUBLISHED

    def _verified(self, where: str, value) -> str | None:
        if not _text(value):
            return None
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            day = None
        if day is None or day > date.today():
            self.drop(where, "assured_date", f"{value!r} is no date in the past")
            return None
        return day.isoformat()


def _slot_key(slot: dict) -> tuple:
    return slot["weekday"], slot["opens"], slot.get("week_of_month") or 0
