"""The city a directory serves, as data: ``data/reference/<slug>-areas.toml``'s ``[city]`` table.

Its name in each interface language (for running text), the site's name (a brand, the same in
every language), its time zone, its default map position and the address of a map of a place.
One deployment serves one city: the setting ``WEGWEISER_CITY`` names its file.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from . import opening
from .public_holidays import HolidayCalendar, UnknownHolidays

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"
AREAS_SUFFIX = "-areas.toml"
QUARTER_TERMS = ("Ortsteil", "Stadtteil")
OSM_MAP_URL = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


class UnknownCity(ValueError):
    """``WEGWEISER_CITY`` names no city file, or its file lacks what a city needs."""


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    timezone: str = "Europe/Berlin"
    latitude: float | None = None
    longitude: float | None = None
    map_url: str = OSM_MAP_URL
    # What the city calls the areas of a Stadtbezirk: "Ortsteil" (Leipzig) or "Stadtteil"
    # (Dresden); the interface has its texts for both.
    quarter_term: str = "Ortsteil"
    # The city's own street list with positions (a CSV file beside the city file: street,
    # postal_code, lat, lon), where the editors' addresses get their coordinates; optional.
    streets: str | None = None
    # How people write area names in other scripts where the consonants of the German name are
    # too few for the search to hear them (search/soundalike.py): area or place name (the
    # first part several areas' names share, "Grünau") → spellings ("Грюнау", "غروناو").
    area_spellings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The city's own words for the search thesaurus (``<city>-concepts.toml`` beside the city
    # file, concepts.toml's format): its social pass, its transport company… A concept with an
    # id of concepts.toml gains the words, another id is a concept of the city's own.
    concepts: tuple[dict, ...] = ()
    # Its public holidays: ``public_holidays = { country = "DE", subdivision = "SN" }`` (the
    # holidays package's codes); without it the city has none and weekly hours always hold.
    holidays: HolidayCalendar | None = None

    @property
    def site_name(self) -> str:
        return f"Wegweiser {self.name}"

    def name_in(self, lang: str) -> str:
        return self.names.get(lang, self.name)

    def map_link(self, lat: float | None, lon: float | None) -> str | None:
        """The address of a map around a place (``map_url`` with ``{lat}`` and ``{lon}``)."""
        if lat is None or lon is None:
            return None
        return self.map_url.format(lat=f"{lat:.5f}", lon=f"{lon:.5f}")


def known_cities() -> list[str]:
    return sorted(path.name.removesuffix(AREAS_SUFFIX)
                  for path in REFERENCE_DIR.glob(f"*{AREAS_SUFFIX}"))


@cache
def city_info(slug: str) -> City:
    path = REFERENCE_DIR / f"{slug}{AREAS_SUFFIX}"
    if not slug or "/" in slug or not path.is_file():
        raise UnknownCity(
            f"WEGWEISER_CITY={slug!r}: there is no city file {path.name} in {REFERENCE_DIR}. "
            f"Known cities: {', '.join(known_cities())}. Another city needs its own "
            f"<city>{AREAS_SUFFIX} (see the README, 'Another city').")
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    table = data.get("city")
    if not isinstance(table, dict) or not table.get("name") or not data.get("stadtbezirk"):
        raise UnknownCity(f"{path.name}: a city file needs a [city] table with a name and at "
                          "least one [[stadtbezirk]]")
    # What no default can guess for another city: its clock ("open now", every date) and its
    # place on a map ("near me" from an area without located offers, schema.org data).
    for key, what in (("timezone", "its IANA time zone, e.g. \"Europe/Berlin\""),
                      ("latitude", "the latitude of its centre in degrees"),
                      ("longitude", "the longitude of its centre in degrees")):
        if key not in table:
            raise UnknownCity(f"{path.name}: the [city] table needs {key} ({what})")
    for key, limit in (("latitude", 90), ("longitude", 180)):
        if isinstance(table[key], bool) or not isinstance(table[key], int | float) \
                or not -limit <= table[key] <= limit:
            raise UnknownCity(f"{path.name}: {key} must be a number of degrees between "
                              f"-{limit} and {limit}")
    try:
        ZoneInfo(table["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownCity(f"{path.name}: unknown time zone {table.get('timezone')!r}") from exc
    if table.get("quarter_term", "Ortsteil") not in QUARTER_TERMS:
        raise UnknownCity(f"{path.name}: quarter_term must be one of {', '.join(QUARTER_TERMS)}")
    if table.get("slug", slug) != slug:
        raise UnknownCity(f"{path.name}: its [city] slug is {table['slug']!r}, not {slug!r}")
    _check_unique_names(path, data)
    return City(slug=slug, name=table["name"], names=dict(table.get("names", {})),
                timezone=table["timezone"],
                latitude=float(table["latitude"]), longitude=float(table["longitude"]),
                map_url=table.get("map_url", OSM_MAP_URL),
                quarter_term=table.get("quarter_term", "Ortsteil"),
                streets=_streets_file(path, table.get("streets")),
                area_spellings=_area_spellings(path, data),
                concepts=_concepts(slug), holidays=_holidays(path, table))


def _holidays(city_file: Path, table: dict) -> HolidayCalendar | None:
    given = table.get("public_holidays")
    if given is None:
        return None
    if not isinstance(given, dict) or not isinstance(given.get("country"), str) \
            or not isinstance(given.get("subdivision", ""), str):
        raise UnknownCity(f"{city_file.name}: public_holidays must be a table like "
                          '{ country = "DE", subdivision = "SN" }')
    calendar = HolidayCalendar(given["country"], given.get("subdivision"))
    try:
        calendar.check()
    except UnknownHolidays as exc:
        raise UnknownCity(f"{city_file.name}: public_holidays: {exc}") from exc
    return calendar


def _check_unique_names(city_file: Path, data: dict) -> None:
    """Every area's name names one area: pages, filters and the needs report show areas by
    name, and exports write them so (HSDS service areas), where an import reads a name that two
    areas share as the one whose slug it also is."""
    seen = {data["city"]["name"]}
    for district in data["stadtbezirk"]:
        for area in (district, *district.get("ortsteile", ())):
            if area["name"] in seen:
                raise UnknownCity(
                    f"{city_file.name}: two areas are named {area['name']!r}; give the "
                    f"Stadtbezirk a name of its own (Dresden's is 'Stadtbezirk Blasewitz')")
            seen.add(area["name"])


def _area_spellings(city_file: Path, data: dict) -> dict[str, tuple[str, ...]]:
    """The ``[city.area_spellings]`` table, checked: every key names an area of the file (or
    the place name that begins an area's name), every value is a list of words."""
    table = data["city"].get("area_spellings", {})
    names: set[str] = set()
    for district in data["stadtbezirk"]:
        for area in (district, *district.get("ortsteile", ())):
            names.add(area["name"])
            names.add(area["name"].partition("-")[0])
    spellings = {}
    for name, written in table.items():
        if name not in names:
            raise UnknownCity(f"{city_file.name}: [city.area_spellings] names {name!r}, which "
                              "is no area of the city (nor the first part of an area's name)")
        if not isinstance(written, list) or not all(isinstance(w, str) and w.strip()
                                                    for w in written):
            raise UnknownCity(f"{city_file.name}: [city.area_spellings] {name!r} must be a "
                              "list of spellings")
        spellings[name] = tuple(written)
    return spellings


CONCEPTS_SUFFIX = "-concepts.toml"


def _concepts(slug: str) -> tuple[dict, ...]:
    """The city's ``[[concept]]`` tables, checked: an ``id`` and lists of words per language."""
    path = REFERENCE_DIR / f"{slug}{CONCEPTS_SUFFIX}"
    if not path.is_file():
        return ()
    with open(path, "rb") as handle:
        concepts = tomllib.load(handle).get("concept", [])
    for concept in concepts:
        if not isinstance(concept.get("id"), str) or not concept["id"]:
            raise UnknownCity(f"{path.name}: every [[concept]] needs an id")
        for lang, words in concept.items():
            if lang != "id" and (not isinstance(words, list) or not all(
                    isinstance(w, str) and w.strip() for w in words)):
                raise UnknownCity(f"{path.name}: concept {concept['id']!r}, {lang}: must be a "
                                  "list of words")
    return tuple(concepts)


def _streets_file(city_file: Path, name: str | None) -> str | None:
    if name is None:
        return None
    streets = REFERENCE_DIR / str(name)
    if "/" in str(name) or not streets.is_file():
        raise UnknownCity(f"{city_file.name}: its street list {name!r} is not a file in "
                          f"{REFERENCE_DIR}")
    return str(streets)


def current_city() -> City:
    return city_info(current_app.config["WEGWEISER_CITY"])


def city_today() -> date:
    """Today in the city's time zone (closures, for instance, are days there)."""
    return opening.local_now(current_city().timezone).date()
