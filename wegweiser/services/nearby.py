"""Where "near" is: a position a reader's browser sent (already rounded, geo.py), or the
centre of an Ortsteil or Stadtbezirk they chose; and where a street is, for the editors.

The city's area data has names and numbers but no boundaries, so an area's centre is where
its offers are: the median of the coordinates of the published offers in it (a Stadtbezirk:
in it and its Ortsteile). The median, not the mean, so that one offer with a wrong address
does not move the centre. An area without located offers takes its Stadtbezirk's centre, and
failing that the city's own position (its city file).
"""
from __future__ import annotations

import csv
import re
import statistics
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cities import City
from ..geo import Point
from ..models import DISTRICT, PUBLISHED, QUARTER, Area, Offer
from ..models.offer import offer_areas
from .directory import Vocabularies
from .lookups import fold_key


def area_centre(session: Session, area: Area, city: City) -> Point | None:
    for place in (area, area.parent):
        if place is None or place.kind not in (QUARTER, DISTRICT):
            continue
        ids = [place.id, *(child.id for child in place.children)]
        rows = session.execute(
            select(Offer.id, Offer.lat, Offer.lon)
            .join(offer_areas, offer_areas.c.offer_id == Offer.id)
            .where(offer_areas.c.area_id.in_(ids), Offer.status == PUBLISHED,
                   Offer.lat.is_not(None), Offer.lon.is_not(None)).distinct()).all()
        if rows:
            return (statistics.median(r.lat for r in rows),
                    statistics.median(r.lon for r in rows))
    if city.latitude is None or city.longitude is None:
        return None
    return city.latitude, city.longitude


def find_area(vocab: Vocabularies, text: str) -> Area | None:
    """An Ortsteil or Stadtbezirk by its slug or its name as typed ("Schleussig", "connewitz")."""
    key = fold_key(text)
    areas = [a for d in vocab.districts for a in (d, *d.children)]
    for area in areas:
        if area.slug == key:
            return area
    named = {}
    for area in areas:
        for name in area.names:
            named.setdefault(fold_key(name), []).append(area)
    found = named.get(key, [])
    return found[0] if len(found) == 1 else None


HOUSE_NUMBER = re.compile(r"\s*\d+\s*[a-z]?(\s*[-–/]\s*\d+\s*[a-z]?)?$")


def street_key(street: str) -> str:
    """A street's name as typed, compared without case, accents, house number and the
    abbreviation "Str.": "Eisenbahnstr. 12a" and "eisenbahnstraße 3" are the same street."""
    key = HOUSE_NUMBER.sub("", fold_key(street))
    return re.sub(r"str\b\.?", "strasse", key).rstrip(" ,")


def street_position(session: Session, street: str, postal_code: str | None,
                    city: City | None = None) -> Point | None:
    """Where a street is: from the city's own street list if its city file names one, else as
    far as the directory knows it, the median of the coordinates of the offers on it. Either
    way in the same postal code area if one is given and has the street. No outside geocoder
    is asked."""
    key = street_key(street)
    if not key:
        return None
    listed = city_streets(city.streets).get(key, []) if city and city.streets else []
    if not listed:
        listed = [(r.postal_code, r.lat, r.lon) for r in session.execute(
            select(Offer.street, Offer.postal_code, Offer.lat, Offer.lon)
            .where(Offer.street.is_not(None), Offer.lat.is_not(None),
                   Offer.lon.is_not(None))) if street_key(r.street) == key]
    if postal_code and any(code == postal_code for code, _, _ in listed):
        listed = [row for row in listed if row[0] == postal_code]
    if not listed:
        return None
    return (statistics.median(lat for _, lat, _ in listed),
            statistics.median(lon for _, _, lon in listed))


@cache
def city_streets(path: str) -> dict[str, list[tuple[str | None, float, float]]]:
    """A city's street list by street key: (postal code, latitude, longitude) of each entry
    (a long street may have one per postal code or section)."""
    streets: dict[str, list] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            streets.setdefault(street_key(row["street"]), []).append(
                (row.get("postal_code") or None, float(row["lat"]), float(row["lon"])))
    return streets
