"""The city a directory serves, as data: ``data/reference/<slug>-areas.toml``'s ``[city]`` table.

Its name in each interface language (for running text), the site's name (a brand, the same in
every language), its time zone, its default map position and the address of a map of a place.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask import current_app

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    timezone: str = "Europe/Berlin"
    latitude: float | None = None
    longitude: float | None = None
    map_url: str = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    @property
    def site_name(self) -> str:
        return f"Wegweiser {self.name}"

    def name_in(self, lang: str) -> str:
        return self.names.get(lang, self.name)


@cache
def city_info(slug: str) -> City:
    with open(REFERENCE_DIR / f"{slug}-areas.toml", "rb") as handle:
        data = tomllib.load(handle)["city"]
    return City(slug=data["slug"], name=data["name"], names=dict(data.get("names", {})),
                timezone=data.get("timezone", "Europe/Berlin"),
                latitude=data.get("latitude"), longitude=data.get("longitude"),
                **({"map_url": data["map_url"]} if "map_url" in data else {}))


def current_city() -> City:
    return city_info(current_app.config["WEGWEISER_CITY"])
