"""Where "near" is: a position a reader's browser sent (already rounded, geo.py), or the
centre of an Ortsteil or Stadtbezirk they chose.

The city's area data has names and numbers but no boundaries, so an area's centre is where
its offers are: the median of the coordinates of the published offers in it (a Stadtbezirk:
in it and its Ortsteile). The median, not the mean, so that one offer with a wrong address
does not move the centre. An area without located offers takes its Stadtbezirk's centre, and
failing that the city's own position (its city file).
"""
from __future__ import annotations

import statistics

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..cities import City
from ..geo import Point
from ..models import PUBLISHED, Area, Offer
from ..models.offer import offer_areas
from .directory import Vocabularies
from .lookups import fold_key


def area_centre(session: Session, area: Area, city: City) -> Point | None:
    for place in (area, area.parent):
        if place is None or place.kind not in ("quarter", "district"):
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
    return {fold_key(a.name): a for a in areas}.get(key)
