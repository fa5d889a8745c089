"""Search in the database alone, for when the search index cannot be read.

Plain words (each must occur, as a part of a word, in an offer's texts in any language or in
its organisation's name) and the same filters and facet counts as the search index: several
values of one filter are alternatives, different filters must all hold, an area includes its
Ortsteile, citywide offers match every area and offers for everyone every target group; each
facet is counted over the results of the *other* filters. No stemming, no typo forgiveness,
no ranking: results come in the index's default order (title in the original language), or,
with a point ``near``, by distance from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from .. import geo, opening
from ..models import PUBLISHED, Offer, OfferText, Organisation
from ..search.filters import BY_NAME, FILTER_NAMES, SqlContext

MAX_WORDS = 8
MAX_WORD_CHARS = 100


@dataclass
class PlainResult:
    offer_ids: list[int]
    total: int
    facets: dict[str, dict[str, int]]
    distances: dict[int, float] = field(default_factory=dict)


def plain_search(session: Session, query, settings) -> PlainResult:
    """``query`` is a SearchQuery (text, the filters, page, per_page, now); every registered
    filter (search/filters.py) gives its condition and counts. ``settings``: the index's
    (search/updater.py IndexSettings: the city's time zone and public holidays)."""
    now = query.now or opening.local_now(settings.timezone)
    ctx = SqlContext(session, now, settings.public_holidays(now))
    words = _text_condition(session, query.text)
    filters = {facet: BY_NAME[facet].sql_condition(query.selected(facet), ctx)
               for facet in FILTER_NAMES if query.selected(facet)}

    def matching(*, without: str | None = None):
        conditions = [c for facet, c in filters.items() if facet != without]
        return select(Offer.id).where(Offer.status == PUBLISHED, *words, *conditions)

    final = matching()
    total = session.scalar(select(func.count()).select_from(final.subquery()))
    title = (select(func.lower(OfferText.text))
             .where(OfferText.offer_id == Offer.id, OfferText.field == "title",
                    OfferText.locale == Offer.original_language)
             .correlate(Offer).scalar_subquery())
    ordered = final.order_by(func.coalesce(title, Offer.external_id), Offer.external_id)
    distances: dict[int, float] = {}
    if query.near is None:
        ids = list(session.scalars(ordered.offset((query.page - 1) * query.per_page)
                                   .limit(query.per_page)))
    else:
        ids, distances = _by_distance(session, ordered, query)
    facets = {}
    for facet in FILTER_NAMES:
        counts = BY_NAME[facet].sql_counts(matching(without=facet).subquery(), ctx)
        facets[facet] = {value: n for value, n in counts.items() if n}
    return PlainResult(ids, total, facets, distances)


def _by_distance(session: Session, ordered, query) -> tuple[list[int], dict[int, float]]:
    """One page of the matching offers (ids in ``ordered``) by distance from ``query.near``,
    those without coordinates last; and their distances in km."""
    rows = session.execute(ordered.add_columns(Offer.lat, Offer.lon)).all()
    km = {offer_id: float(geo.distance_km(lat, lon, query.near.lat, query.near.lon))
          for offer_id, lat, lon in rows if lat is not None and lon is not None}
    ids = [offer_id for offer_id, _, _ in rows]
    ids.sort(key=lambda i: (i not in km, km.get(i, 0.0)))  # stable: the default order in ties
    start = (query.page - 1) * query.per_page
    ids = ids[start:start + query.per_page]
    return ids, {i: km[i] for i in ids if i in km}


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
