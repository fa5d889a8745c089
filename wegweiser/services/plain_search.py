"""Search in the database alone, for when the search index cannot be read.

Plain words (each must occur, as a part of a word, in an offer's texts in any language or in
its organisation's name) and the same filters and facet counts as the search index: several
values of one filter are alternatives, different filters must all hold, an area includes its
Ortsteile, citywide offers match every area and offers for everyone every target group; each
facet is counted over the results of the *other* filters. No stemming, no typo forgiveness,
no ranking: results come in the index's default order (title in the original language).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    CITY,
    PUBLISHED,
    Area,
    Category,
    Language,
    Offer,
    OfferText,
    OpeningHours,
    Organisation,
    TargetGroup,
)
from ..models.offer import FREE, offer_areas, offer_categories, offer_languages, offer_target_groups
from ..opening import Slot, current_block, week_blocks

CITYWIDE, EVERYONE = "citywide", "everyone"
MAX_WORDS = 8
MAX_WORD_CHARS = 100
FACETS = ("area", "category", "target_group", "language", "free", "open_now")
LINKS = {"category": (offer_categories, offer_categories.c.category_id, Category, Category.slug),
         "target_group": (offer_target_groups, offer_target_groups.c.target_group_id,
                          TargetGroup, TargetGroup.slug),
         "language": (offer_languages, offer_languages.c.language_id, Language, Language.code)}


@dataclass
class PlainResult:
    offer_ids: list[int]
    total: int
    facets: dict[str, dict[str, int]]


def plain_search(session: Session, query, timezone: str) -> PlainResult:
    """``query`` is a SearchQuery (text, the filters, page, per_page, now)."""
    areas = {row.id: row for row in session.execute(
        select(Area.id, Area.slug, Area.parent_id, Area.kind))}
    now = query.now or datetime.now(ZoneInfo(timezone))
    open_ids = _open_offer_ids(session, now)
    words = _text_condition(session, query.text)
    filters = {facet: condition for facet in FACETS
               if (condition := _filter(facet, query.selected(facet), areas, open_ids))
               is not None}

    def matching(*, without: str | None = None):
        conditions = [c for facet, c in filters.items() if facet != without]
        return select(Offer.id).where(Offer.status == PUBLISHED, *words, *conditions)

    final = matching()
    total = session.scalar(select(func.count()).select_from(final.subquery()))
    title = (select(func.lower(OfferText.text))
             .where(OfferText.offer_id == Offer.id, OfferText.field == "title",
                    OfferText.locale == Offer.original_language)
             .correlate(Offer).scalar_subquery())
    ids = list(session.scalars(final.order_by(func.coalesce(title, Offer.external_id),
                                              Offer.external_id)
                               .offset((query.page - 1) * query.per_page).limit(query.per_page)))
    facets = {facet: _counts(session, facet, matching(without=facet), areas, open_ids)
              for facet in FACETS}
    return PlainResult(ids, total, facets)


def _text_condition(session: Session, text: str) -> list:
    """Every word must occur in a text of the offer or in its organisation's name."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    fold = func.casefold if sqlite else func.lower  # db.py gives SQLite a Unicode casefold
    conditions = []
    for word in text.split()[:MAX_WORDS]:
        word = word[:MAX_WORD_CHARS].casefold() if sqlite else word[:MAX_WORD_CHARS].lower()
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        in_texts = exists().where(OfferText.offer_id == Offer.id,
                                  fold(OfferText.text).like(pattern, escape="\\"))
        in_name = exists().where(Organisation.id == Offer.organisation_id,
                                 fold(Organisation.name).like(pattern, escape="\\"))
        conditions.append(or_(in_texts, in_name))
    return conditions


def _filter(facet: str, selected: tuple[str, ...], areas: dict, open_ids: set[int]):
    if not selected:
        return None
    if facet == "free":
        return Offer.cost == FREE
    if facet == "open_now":
        return Offer.id.in_(open_ids) if open_ids else false()
    if facet == "area":
        wanted = _with_descendants({s for s in selected if s != CITYWIDE}, areas)
        return or_(Offer.citywide, Offer.areas.any(Area.id.in_(wanted))) if wanted \
            else Offer.citywide
    values = set(selected)
    if facet == "target_group" and values - {EVERYONE}:
        values.add(EVERYONE)
    link, column, model, slug = LINKS[facet]
    return exists().where(link.c.offer_id == Offer.id, column == model.id, slug.in_(values))


def _with_descendants(slugs: set[str], areas: dict) -> set[int]:
    found = {area_id for area_id, row in areas.items() if row.slug in slugs}
    while True:
        more = {area_id for area_id, row in areas.items() if row.parent_id in found} - found
        if not more:
            return found
        found |= more


def _lineage(area_id: int, areas: dict) -> list[str]:
    """An area's slug and its ancestors' up to (not including) the city."""
    chain, row = [], areas.get(area_id)
    while row is not None and row.kind != CITY:
        chain.append(row.slug)
        row = areas.get(row.parent_id)
    return chain


def _open_offer_ids(session: Session, now: datetime) -> set[int]:
    """Published offers open at ``now`` (local wall-clock time), as the index counts them."""
    block = current_block(now)
    yesterday = (now.isoweekday() - 2) % 7 + 1  # a slot may run past midnight
    slots: dict[int, list[Slot]] = {}
    for offer_id, weekday, opens, closes in session.execute(
            select(OpeningHours.offer_id, OpeningHours.weekday, OpeningHours.opens,
                   OpeningHours.closes)
            .join(Offer, Offer.id == OpeningHours.offer_id)
            .where(Offer.status == PUBLISHED,
                   OpeningHours.weekday.in_((now.isoweekday(), yesterday)))):
        slots.setdefault(offer_id, []).append(Slot(weekday, opens, closes))
    return {offer_id for offer_id, found in slots.items() if block in week_blocks(found)}


def _counts(session: Session, facet: str, base, areas: dict, open_ids: set[int]) -> dict:
    ids = base.subquery()
    if facet == "free":
        counts = {"free": session.scalar(select(func.count()).select_from(Offer).where(
            Offer.id.in_(select(ids.c.id)), Offer.cost == FREE))}
    elif facet == "open_now":
        counts = {"open": len(open_ids.intersection(session.scalars(select(ids.c.id))))}
    elif facet == "area":
        counts = _area_counts(session, ids, areas)
    else:
        link, column, model, slug = LINKS[facet]
        counts = dict(session.execute(
            select(slug, func.count(link.c.offer_id.distinct()))
            .join(link, column == model.id)
            .where(link.c.offer_id.in_(select(ids.c.id))).group_by(slug)).all())
    return {value: n for value, n in counts.items() if n}


def _area_counts(session: Session, ids, areas: dict) -> dict[str, int]:
    """Ortsteile and their Stadtbezirke (an offer counts once for each), citywide offers
    under ``citywide`` only."""
    per_slug: dict[str, set[int]] = {}
    for offer_id, area_id in session.execute(
            select(offer_areas.c.offer_id, offer_areas.c.area_id)
            .join(Offer, Offer.id == offer_areas.c.offer_id)
            .where(and_(Offer.id.in_(select(ids.c.id)), Offer.citywide.is_(False)))):
        for slug in _lineage(area_id, areas):
            per_slug.setdefault(slug, set()).add(offer_id)
    counts = {slug: len(offers) for slug, offers in per_slug.items()}
    counts[CITYWIDE] = session.scalar(select(func.count()).select_from(Offer).where(
        Offer.id.in_(select(ids.c.id)), Offer.citywide.is_(True)))
    return counts
