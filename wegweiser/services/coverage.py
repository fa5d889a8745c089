"""Coverage of the directory: published offers by area, category, target group and the
languages staff speak, the gaps in it, stale offers by organisation and missing translations.

Everything here is read from the link tables in a few queries and returned as plain data.
"""
from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ..models import DISTRICT, PUBLISHED, Area, Offer, OfferText, Organisation
from ..models.offer import (
    FREE,
    offer_areas,
    offer_categories,
    offer_languages,
    offer_target_groups,
)
from ..models.vocabulary import Category, Language, TargetGroup
from .freshness import stale_before
from .reference import REFERENCE_DIR

EVERYONE = "everyone"  # an offer for everyone serves every target group
NOT_A_GAP_LANGUAGE = "de"  # every offer can be had in German; gaps are about other languages
SELECTION = ("category", "target_group", "language")
GRID_COLUMNS = 5


@dataclass
class OfferFacts:
    organisation_id: int
    citywide: bool
    free: bool
    areas: set[str] = field(default_factory=set)  # slugs of Ortsteile and Stadtbezirke
    category: set[str] = field(default_factory=set)
    target_group: set[str] = field(default_factory=set)
    language: set[str] = field(default_factory=set)
    # Where the offer is local (computed once by Coverage; empty for citywide offers):
    districts: set[str] = field(default_factory=set)
    quarters: set[str] = field(default_factory=set)  # an offer for a district: all its quarters


@dataclass(frozen=True)
class Selection:
    category: str | None = None
    target_group: str | None = None
    language: str | None = None
    free: bool = False

    def admits(self, offer: OfferFacts) -> bool:
        if self.category and self.category not in offer.category:
            return False
        if self.target_group and not ({self.target_group, EVERYONE} & offer.target_group):
            return False
        if self.language and self.language not in offer.language:
            return False
        return offer.free or not self.free

    @property
    def empty(self) -> bool:
        return not (self.category or self.target_group or self.language or self.free)


@dataclass
class Coverage:
    """Published offers as facts, and the city's districts with their quarters."""

    offers: list[OfferFacts]
    districts: list[dict]  # {"slug", "name", "quarters": [{"slug", "name"}]}

    def matching(self, selection: Selection) -> list[OfferFacts]:
        return [offer for offer in self.offers if selection.admits(offer)]

    def citywide(self, selection: Selection) -> int:
        return sum(1 for offer in self.matching(selection) if offer.citywide)

    def __post_init__(self) -> None:
        district_of = {q["slug"]: d["slug"] for d in self.districts for q in d["quarters"]}
        quarters_of = {d["slug"]: {q["slug"] for q in d["quarters"]} for d in self.districts}
        for offer in self.offers:
            if offer.citywide:
                continue
            offer.districts = {district_of.get(slug, slug) for slug in offer.areas} \
                & quarters_of.keys()
            offer.quarters = {slug for slug in offer.areas if slug in district_of}
            for slug in offer.areas & quarters_of.keys():
                offer.quarters |= quarters_of[slug]

    def by_area(self, selection: Selection) -> list[dict]:
        """Local offers (not citywide) per district and per quarter; an offer for a whole
        district counts for each of its quarters."""
        per_district: dict[str, int] = defaultdict(int)
        per_quarter: dict[str, int] = defaultdict(int)
        for offer in self.matching(selection):
            for slug in offer.districts:
                per_district[slug] += 1
            for slug in offer.quarters:
                per_quarter[slug] += 1
        return [{"slug": d["slug"], "name": d["name"], "count": per_district[d["slug"]],
                 "quarters": [{**q, "count": per_quarter[q["slug"]]} for q in d["quarters"]]}
                for d in self.districts]

    def tally(self, dimension: str, values: list[str], free: bool = False
              ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """In one pass: per value of ``dimension``, local offers per district, and citywide
        offers (an offer for everyone counts for every target group)."""
        local = {value: dict.fromkeys((d["slug"] for d in self.districts), 0)
                 for value in values}
        citywide = dict.fromkeys(values, 0)
        for offer in self.offers:
            if free and not offer.free:
                continue
            have = getattr(offer, dimension)
            if dimension == "target_group" and EVERYONE in have:
                have = values
            for value in have:
                if value not in local:
                    continue
                if offer.citywide:
                    citywide[value] += 1
                for slug in offer.districts:
                    local[value][slug] += 1
        return local, citywide

    def matrix(self, dimension: str, values: list[str], free: bool = False) -> list[dict]:
        """Per district, local offers of each value of ``dimension`` (category, target group,
        language)."""
        local, _citywide = self.tally(dimension, values, free)
        return [{"slug": d["slug"], "name": d["name"],
                 "counts": {value: local[value][d["slug"]] for value in values}}
                for d in self.districts]

    def values_offered(self, dimension: str) -> set[str]:
        return set().union(*(getattr(o, dimension) for o in self.offers)) if self.offers \
            else set()


def load_coverage(session: Session) -> Coverage:
    published = select(Offer.id).where(Offer.status == PUBLISHED)
    offers = {row.id: OfferFacts(row.organisation_id, bool(row.citywide), row.cost == FREE)
              for row in session.execute(select(Offer.id, Offer.organisation_id,
                                                Offer.citywide, Offer.cost)
                                         .where(Offer.status == PUBLISHED))}
    links = (("areas", offer_areas, Area, Area.slug, offer_areas.c.area_id),
             ("category", offer_categories, Category, Category.slug,
              offer_categories.c.category_id),
             ("target_group", offer_target_groups, TargetGroup, TargetGroup.slug,
              offer_target_groups.c.target_group_id),
             ("language", offer_languages, Language, Language.code,
              offer_languages.c.language_id))
    for name, table, model, key, column in links:
        for offer_id, value in session.execute(
                select(table.c.offer_id, key).join(model, model.id == column)
                .where(table.c.offer_id.in_(published))):
            getattr(offers[offer_id], name).add(value)
    districts = [{"slug": d.slug, "name": d.name, "code": d.code,
                  "quarters": [{"slug": q.slug, "name": q.name} for q in d.children]}
                 for d in session.scalars(select(Area).where(Area.kind == DISTRICT)
                                          .order_by(Area.code))]
    return Coverage(list(offers.values()), districts)


def grid_positions(city: str, districts: list[dict]) -> list[list[str]]:
    """Rows of district slugs for the tile map ("" for an empty tile)."""
    path = REFERENCE_DIR / f"{city}-district-grid.toml"
    known = {d["slug"] for d in districts}
    rows: list[list[str]] = []
    if path.exists():
        with open(path, "rb") as handle:
            rows = [[slug if slug in known else "" for slug in row]
                    for row in tomllib.load(handle).get("rows", [])]
    placed = {slug for row in rows for slug in row}
    rest = [d["slug"] for d in districts if d["slug"] not in placed]
    rows += [rest[i:i + GRID_COLUMNS] for i in range(0, len(rest), GRID_COLUMNS)]
    return rows


# -- gaps -----------------------------------------------------------------------------------

@dataclass
class Gap:
    """No local offer of ``value`` (of ``dimension``) in ``areas``; ``free``: there are local
    offers there, but none free of charge; ``citywide``: offers reachable from everywhere."""

    dimension: str
    value: str
    areas: list[str]
    free: bool = False
    citywide: int = 0


def gaps(coverage: Coverage, categories: list[str], target_groups: list[str],
         languages: list[str]) -> list[Gap]:
    """Districts without a local offer: per category (and without a free one), per target
    group, per language staff speak (German left out: it is the language of every offer)."""
    names = {d["slug"]: d["name"] for d in coverage.districts}
    found: list[Gap] = []
    for dimension, values in (("category", categories), ("target_group", target_groups),
                              ("language", languages)):
        values = [v for v in values if (dimension, v) not in (
            ("target_group", EVERYONE), ("language", NOT_A_GAP_LANGUAGE))]
        local, citywide = coverage.tally(dimension, values)
        if dimension == "category":
            free_local, free_citywide = coverage.tally(dimension, values, free=True)
        for value in values:
            missing = [names[slug] for slug, count in local[value].items() if not count]
            if missing:
                found.append(Gap(dimension, value, missing, citywide=citywide[value]))
            if dimension == "category":
                not_free = [names[slug] for slug, count in local[value].items()
                            if count and not free_local[value][slug]]
                if not_free:
                    found.append(Gap(dimension, value, not_free, free=True,
                                     citywide=free_citywide[value]))
    return found


def quarters_without(coverage: Coverage, selection: Selection) -> list[str]:
    """Ortsteile without a local offer for ``selection`` (an offer for their whole
    Stadtbezirk counts)."""
    return [quarter["name"] for row in coverage.by_area(selection)
            for quarter in row["quarters"] if not quarter["count"]]


# -- freshness and translations ------------------------------------------------------------

def stale_by_organisation(session: Session, today: date | None = None) -> list[dict]:
    """Organisations with published offers not confirmed for too long, most stale first."""
    stale = or_(Offer.verified_at.is_(None), Offer.verified_at < stale_before(today))
    rows = session.execute(
        select(Organisation.external_id, Organisation.name, func.count(Offer.id),
               func.sum(case((stale, 1), else_=0)))
        .join(Offer, Offer.organisation_id == Organisation.id)
        .where(Offer.status == PUBLISHED)
        .group_by(Organisation.id, Organisation.external_id, Organisation.name)).all()
    result = [{"id": external_id, "name": name, "published": published, "stale": int(count or 0)}
              for external_id, name, published, count in rows if count]
    return sorted(result, key=lambda r: (-r["stale"], r["name"]))


def missing_translations(session: Session, languages: list[str]) -> list[dict]:
    """Per interface language: published offers without a title in it."""
    published = session.scalar(select(func.count(Offer.id)).where(Offer.status == PUBLISHED))
    have = dict(session.execute(
        select(OfferText.locale, func.count(func.distinct(OfferText.offer_id)))
        .join(Offer, Offer.id == OfferText.offer_id)
        .where(Offer.status == PUBLISHED, OfferText.field == "title", OfferText.text != "")
        .group_by(OfferText.locale)).all())
    return [{"language": lang, "missing": published - have.get(lang, 0),
             "published": published} for lang in languages]

