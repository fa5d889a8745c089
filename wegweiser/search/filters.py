"""The search filters: one class per filter, all registered in ``FILTERS`` (after datasette's
filter classes).

A filter knows everything about itself that does not depend on the search engine or the web:
its query parameter and how to read and validate it, the documents of the index that it lets
through (on the per-value document sets that the search service reads from the index), the
flag an offer's index document carries for it, its condition and facet counts in the plain
database search (``services/plain_search.py``), its texts (group label, chips, "Only the 3
offers …?" suggestions) and its OpenAPI parameter. The search service, the plain search, the
parameter parsing, the presenters, query understanding and the API go through this registry,
so a new filter is a new class here (plus its words in ``data/reference/filter-words.toml``
and a line in the OpenAPI document and the README, which tests/test_filters.py checks).

Semantics (DESIGN.md): several values of one filter are alternatives, different filters must
all hold; facet counts are computed over the results of the *other* filters, so the count
beside a value is what choosing it gives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, false, func, select

from ..geo import Place
from ..models import (
    CITY,
    PUBLISHED,
    Area,
    Category,
    Language,
    Offer,
    OfferClosure,
    OpeningHours,
    TargetGroup,
)
from ..models.offer import (
    FREE,
    offer_areas,
    offer_categories,
    offer_languages,
    offer_target_groups,
)
from ..opening import Closure, Slot, closed_terms, is_open_by_terms, open_terms, week_blocks
from .schema import CITYWIDE, EVERYONE, FLAGS, OPEN_BLOCKS, OPEN_ON_PUBLIC_HOLIDAYS

TRUE_VALUES = ("1", "true", "yes", "on")
FALSE_VALUES = ("0", "false", "no", "off", "")
NOT_GIVEN = "An empty value counts as not given."


@dataclass
class IndexValues:
    """What a filter sees of one index generation: per keyword field, each value's documents
    (as bitmaps, ``bitmaps.py``), and the moment "now" means."""
    fields: dict[str, dict[str, int]]
    now: datetime
    # The closed-day terms (opening.closed_term) of today and yesterday where they are public
    # holidays: a slot that opens on one is open only if its offer is open on public holidays.
    holiday_terms: frozenset[str] = frozenset()


@dataclass
class SqlContext:
    """What a filter needs for the plain database search; filters cache what they compute."""
    session: Any
    now: datetime  # local wall-clock time
    holidays: tuple[date, ...] = ()  # today and yesterday where they are public holidays
    cache: dict = field(default_factory=dict)


class Filter:
    """One filter. ``name`` is its query parameter, its key in facet counts and the name of
    its attribute of a SearchQuery."""

    name: ClassVar[str]
    group: ClassVar[str | None] = None  # filters of one group share a box in the filter column
    repeatable: ClassVar[bool] = False  # several values (alternatives) or one switch
    vocabulary: ClassVar[bool] = False  # values are the slugs of a vocabulary
    description: ClassVar[str]  # of the OpenAPI parameter
    # How much a value that a query's words name lifts the offers that have it, as a share of
    # understanding.FILTER_BOOST.
    boost_share: ClassVar[float] = 1.0

    # -- parameters ---------------------------------------------------------------------

    def default(self):
        raise NotImplementedError

    def normalise(self, value):
        """A SearchQuery's attribute value from what a caller passed."""
        raise NotImplementedError

    def parse(self, raw: list[str], known: set[str] | None, strict: bool):
        """The attribute value from the parameter's raw values; ``strict`` (the API) raises
        ValueError with the reason for a bad value, otherwise it is dropped."""
        raise NotImplementedError

    def selected(self, value) -> tuple[str, ...]:
        """The filter values an attribute value selects (as facet counts name them)."""
        raise NotImplementedError

    def link_value(self, selected: tuple[str, ...]):
        """The query string value that selects ``selected`` (None: leave the parameter out)."""
        raise NotImplementedError

    def toggled(self, selected: tuple[str, ...], value: str) -> tuple[str, ...]:
        """``selected`` with ``value`` added, or taken away when it is there."""
        if value in selected:
            return tuple(v for v in selected if v != value)
        return (*selected, value)

    def openapi_parameter(self) -> dict:
        raise NotImplementedError

    # -- the index ----------------------------------------------------------------------

    def value_sets(self, index: IndexValues) -> dict[str, int]:
        """Each value's documents, as its facet counts them."""
        raise NotImplementedError

    def matching(self, index: IndexValues, value: str) -> int:
        """The documents that choosing ``value`` lets through."""
        return self.value_sets(index).get(value, 0)

    # -- the plain database search ------------------------------------------------------

    def sql_condition(self, selected: tuple[str, ...], ctx: SqlContext):
        """A condition on ``Offer`` that holds for the offers the filter lets through."""
        raise NotImplementedError

    def sql_counts(self, ids, ctx: SqlContext) -> dict[str, int]:
        """Facet counts among the offers whose ids the subquery ``ids`` (column ``id``) has."""
        raise NotImplementedError

    # -- texts (called while a request's locale is active) ------------------------------

    def group_label(self) -> str:
        raise NotImplementedError

    def suggestion(self, count: int, label: str) -> str:
        """"Only the 3 offers …?": a link that applies the filter a query's words named."""
        raise NotImplementedError

    def note(self, counts: dict[str, int]) -> str | None:
        """A line under the filter's options, given its facet counts."""
        return None


# ---- filters by a vocabulary: several values, alternatives ---------------------------------

class VocabularyFilter(Filter):
    repeatable = True
    vocabulary = True
    wildcard: ClassVar[str | None] = None  # a value that every value of the filter includes

    def default(self):
        return ()

    def normalise(self, value):
        return tuple(value)

    def parse(self, raw, known, strict):
        values: list[str] = []
        for value in raw:
            if value in known:
                if value not in values:
                    values.append(value)
            elif strict:
                raise ValueError(f"unknown value {value[:80]!r}")
        return tuple(values)

    def selected(self, value):
        return value

    def link_value(self, selected):
        return list(selected) or None

    def openapi_parameter(self):
        return {"name": self.name, "in": "query", "required": False,
                "description": self.description,
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form", "explode": True}

    def value_sets(self, index):
        return index.fields[self.name]

    def matching(self, index, value):
        values = index.fields[self.name]
        bitmap = values.get(value, 0)
        if self.wildcard and value != self.wildcard:
            bitmap |= values.get(self.wildcard, 0)
        return bitmap

class AreaFilter(VocabularyFilter):
    """Stadtbezirke and Ortsteile: a Stadtbezirk includes its Ortsteile; citywide offers match
    every area and are counted under ``citywide`` only."""
    name = "area"
    wildcard = CITYWIDE
    # A place named is a wish, a group or a language a need: for "anything for teenagers in
    # Paunsdorf" an offer for young people elsewhere comes before an adults' one in Paunsdorf.
    boost_share = 0.5
    description = "Area slug (a Stadtbezirk includes the areas within it) or `citywide`."

    def sql_condition(self, selected, ctx):
        areas = self._areas(ctx)
        wanted = _with_descendants({s for s in selected if s != CITYWIDE}, areas)
        return Offer.citywide | Offer.areas.any(Area.id.in_(wanted)) if wanted \
            else Offer.citywide

    def sql_counts(self, ids, ctx):
        """Ortsteile and their Stadtbezirke (an offer counts once for each), citywide offers
        under ``citywide`` only."""
        areas = self._areas(ctx)
        per_slug: dict[str, set[int]] = {}
        for offer_id, area_id in ctx.session.execute(
                select(offer_areas.c.offer_id, offer_areas.c.area_id)
                .join(Offer, Offer.id == offer_areas.c.offer_id)
                .where(and_(Offer.id.in_(select(ids.c.id)), Offer.citywide.is_(False)))):
            for slug in _lineage(area_id, areas):
                per_slug.setdefault(slug, set()).add(offer_id)
        counts = {slug: len(offers) for slug, offers in per_slug.items()}
        counts[CITYWIDE] = ctx.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.id.in_(select(ids.c.id)), Offer.citywide.is_(True)))
        return counts

    @staticmethod
    def _areas(ctx: SqlContext) -> dict:
        if "areas" not in ctx.cache:
            ctx.cache["areas"] = {row.id: row for row in ctx.session.execute(
                select(Area.id, Area.slug, Area.parent_id, Area.kind))}
        return ctx.cache["areas"]

    def group_label(self):
        return _("District")

    def note(self, counts):
        citywide = counts.get(CITYWIDE, 0)
        if not citywide:
            return None
        return ngettext("Plus %(num)d offer for the whole city, found in every district.",
                        "Plus %(num)d offers for the whole city, found in every district.",
                        citywide)

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer in %(label)s?",
                        "Only the %(num)d offers in %(label)s?", count, label=label)


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


class LinkedVocabularyFilter(VocabularyFilter):
    """A vocabulary linked to offers through an association table."""
    link: ClassVar[Any]  # the association table
    link_column: ClassVar[Any]  # its column of the vocabulary's id
    model: ClassVar[Any]
    slug_field: ClassVar[str] = "slug"  # the model's column of the filter values

    @property
    def slug_column(self):
        return getattr(self.model, self.slug_field)

    def sql_condition(self, selected, ctx):
        values = set(selected)
        if self.wildcard and values - {self.wildcard}:
            values.add(self.wildcard)
        return exists().where(self.link.c.offer_id == Offer.id,
                              self.link_column == self.model.id, self.slug_column.in_(values))

    def sql_counts(self, ids, ctx):
        return dict(ctx.session.execute(
            select(self.slug_column, func.count(self.link.c.offer_id.distinct()))
            .join(self.link, self.link_column == self.model.id)
            .where(self.link.c.offer_id.in_(select(ids.c.id))).group_by(self.slug_column)).all())


class CategoryFilter(LinkedVocabularyFilter):
    name = "category"
    description = "Category slug."
    link, link_column = offer_categories, offer_categories.c.category_id
    model = Category

    def group_label(self):
        return _("Category")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer in the category “%(label)s”?",
                        "Only the %(num)d offers in the category “%(label)s”?", count,
                        label=label)


class TargetGroupFilter(LinkedVocabularyFilter):
    """Offers for everyone match every target group (counted under ``everyone`` only)."""
    name = "target_group"
    wildcard = EVERYONE
    description = "Target group slug."
    link, link_column = offer_target_groups, offer_target_groups.c.target_group_id
    model = TargetGroup

    def group_label(self):
        return _("For whom")

    def note(self, counts):
        everyone = counts.get(EVERYONE, 0)
        return _("Offers for everyone (%(num)d) are found with every group.", num=everyone) \
            if everyone else None

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer for “%(label)s”?",
                        "Only the %(num)d offers for “%(label)s”?", count, label=label)


class LanguageFilter(LinkedVocabularyFilter):
    """Languages the staff speak (not the language of the page)."""
    name = "language"
    description = "Code of a language the staff speak."
    link, link_column = offer_languages, offer_languages.c.language_id
    model, slug_field = Language, "code"

    def group_label(self):
        return _("Staff speak")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer where staff speak %(label)s?",
                        "Only the %(num)d offers where staff speak %(label)s?", count,
                        label=label)


# ---- switches: on or not given -------------------------------------------------------------

class FlagFilter(Filter):
    """A switch (``free=1``): only offers with a property. Its one value (``value``) names it
    in facet counts and recognised filters; the index document carries the flag ``flag``."""
    value: ClassVar[str]
    flag: ClassVar[str | None]
    meaning: ClassVar[str]  # "Only offers free of charge."

    @property
    def description(self) -> str:
        return f"{self.meaning} {NOT_GIVEN}"

    def default(self):
        return False

    def normalise(self, value):
        return bool(value)

    def parse(self, raw, known, strict):
        text = (raw[0] if raw else "").strip().lower()
        if text not in TRUE_VALUES + FALSE_VALUES:
            if strict:
                raise ValueError("must be true or false")
            text = ""
        return text in TRUE_VALUES

    def selected(self, value):
        return (self.value,) if value else ()

    def link_value(self, selected):
        return "1" if selected else None

    def openapi_parameter(self):
        return {"name": self.name, "in": "query", "required": False,
                "description": self.description,
                "schema": {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no",
                                                      "on", "off", ""]}}

    def has_flag(self, offer: Offer) -> bool:
        """Whether ``offer``'s index document carries the flag (mirrors ``condition``)."""
        raise NotImplementedError

    def condition(self):
        """The same as a condition on ``Offer``."""
        raise NotImplementedError

    def value_sets(self, index):
        return {self.value: index.fields[FLAGS].get(self.flag, 0)}

    def sql_condition(self, selected, ctx):
        return self.condition()

    def sql_counts(self, ids, ctx):
        return {self.value: ctx.session.scalar(select(func.count()).select_from(Offer).where(
            Offer.id.in_(select(ids.c.id)), self.condition()))}

    def option_label(self) -> str:
        """The switch in the filter column."""
        raise NotImplementedError

    def chip_label(self) -> str:
        """The active filter as a chip, a suggestion and in the API's recognised filters."""
        raise NotImplementedError


class OpenNowFilter(FlagFilter):
    """Open at this moment, to the quarter-hour (the index keeps each offer's open quarter-hours
    of the week and the days it is closed; no flag): an offer with a slot open now that opened
    on a day not closed (opening.open_terms)."""
    name = "open_now"
    value = "open"
    flag = None
    meaning = ("Only offers open at this moment (the city's local time, to the quarter-hour; "
               "not on the days of a temporary closure).")

    def value_sets(self, index):
        postings = index.fields[OPEN_BLOCKS]
        found = 0
        for closed, terms in sorted(open_terms(index.now).items()):
            opened = 0
            for term in sorted(terms):
                opened |= postings.get(term, 0)
            if closed in index.holiday_terms:  # a slot opening on a public holiday
                opened &= index.fields[FLAGS].get(OPEN_ON_PUBLIC_HOLIDAYS, 0)
            found |= opened & ~postings.get(closed, 0)
        return {self.value: found}

    def sql_condition(self, selected, ctx):
        open_ids = self._open_ids(ctx)
        return Offer.id.in_(open_ids) if open_ids else false()

    def sql_counts(self, ids, ctx):
        return {self.value: len(self._open_ids(ctx).intersection(
            ctx.session.scalars(select(ids.c.id))))}

    @staticmethod
    def _open_ids(ctx: SqlContext) -> set[int]:
        """Published offers open at ``ctx.now``, as the index counts them."""
        if "open_ids" not in ctx.cache:
            now = ctx.now
            yesterday = (now.isoweekday() - 2) % 7 + 1  # a slot may run past midnight
            slots: dict[int, list[Slot]] = {}
            on_holidays: set[int] = set()
            for offer_id, weekday, opens, closes, week, on_holiday in ctx.session.execute(
                    select(OpeningHours.offer_id, OpeningHours.weekday, OpeningHours.opens,
                           OpeningHours.closes, OpeningHours.week_of_month,
                           Offer.open_on_public_holidays)
                    .join(Offer, Offer.id == OpeningHours.offer_id)
                    .where(Offer.status == PUBLISHED,
                           OpeningHours.weekday.in_((now.isoweekday(), yesterday)))):
                slots.setdefault(offer_id, []).append(Slot(weekday, opens, closes, week))
                if on_holiday:
                    on_holidays.add(offer_id)
            since = now.date() - timedelta(days=1)
            closures: dict[int, list[Closure]] = {}
            for offer_id, first, last in ctx.session.execute(
                    select(OfferClosure.offer_id, OfferClosure.first_day, OfferClosure.last_day)
                    .where(OfferClosure.first_day <= now.date(),
                           OfferClosure.last_day >= since)):
                closures.setdefault(offer_id, []).append(Closure(first, last))
            holidays = [Closure(day, day) for day in ctx.holidays]  # closed unless open then
            for offer_id in set(slots) - on_holidays:
                closures.setdefault(offer_id, []).extend(holidays)
            ctx.cache["open_ids"] = {
                offer_id for offer_id, found in slots.items()
                if is_open_by_terms(week_blocks(found) | closed_terms(
                    closures.get(offer_id, ()), since), now)}
        return ctx.cache["open_ids"]

    def group_label(self):
        return _("Opening hours")

    def option_label(self):
        return _("Open now")

    def chip_label(self):
        return _("open now")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer open now?", "Only the %(num)d offers open now?",
                        count)


class FreeFilter(FlagFilter):
    name = "free"
    value = flag = "free"
    meaning = "Only offers free of charge."

    def has_flag(self, offer):
        return offer.cost == FREE

    def condition(self):
        return Offer.cost == FREE

    def group_label(self):
        return _("Cost")

    def option_label(self):
        return _("Free of charge only")

    def chip_label(self):
        return _("free of charge")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer free of charge?",
                        "Only the %(num)d offers free of charge?", count)


class AccessibleFilter(FlagFilter):
    name = "accessible"
    group = "access"
    value = flag = "accessible"
    meaning = ("Only offers with step-free access (accessible for wheelchair users); offers "
               "without this information are left out.")

    def has_flag(self, offer):
        return offer.accessible is True

    def condition(self):
        return Offer.accessible.is_(True)

    def group_label(self):
        return _("Access")

    def option_label(self):
        return _("Accessible for wheelchair users")

    def chip_label(self):
        return _("wheelchair accessible")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer accessible for wheelchair users?",
                        "Only the %(num)d offers accessible for wheelchair users?", count)


class NoAppointmentFilter(FlagFilter):
    name = "no_appointment"
    group = "access"
    value = flag = "no_appointment"
    meaning = ("Only offers where one can come without an appointment; offers without this "
               "information are left out.")

    def has_flag(self, offer):
        return offer.appointment_needed is False

    def condition(self):
        return Offer.appointment_needed.is_(False)

    def group_label(self):
        return _("Access")

    def option_label(self):
        return _("No appointment needed")

    def chip_label(self):
        return _("no appointment needed")

    def suggestion(self, count, label):
        return ngettext("Only the %(num)d offer without an appointment?",
                        "Only the %(num)d offers without an appointment?", count)


# ---- the registry --------------------------------------------------------------------------

# In the order of the filter column, the chips and the API's facets.
FILTERS: tuple[Filter, ...] = (
    AreaFilter(), CategoryFilter(), TargetGroupFilter(), LanguageFilter(),
    OpenNowFilter(), FreeFilter(), AccessibleFilter(), NoAppointmentFilter(),
)
BY_NAME: dict[str, Filter] = {f.name: f for f in FILTERS}
FILTER_NAMES = tuple(BY_NAME)
VOCABULARY_FILTERS = tuple(f for f in FILTERS if isinstance(f, VocabularyFilter))
FLAG_FILTERS = tuple(f for f in FILTERS if isinstance(f, FlagFilter))
# The flags of index documents that filters read (an index document may carry others).
DOCUMENT_FLAG_FILTERS = tuple(f for f in FLAG_FILTERS if f.flag)


class SearchQuery:
    """Plain words, every registered filter (an attribute each: a tuple of values, or a bool
    for a switch), the page, the reader's locale and, to order by distance, a point
    ``near`` (latitude, longitude). Immutable."""

    def __init__(self, text: str = "", *, page: int = 1, per_page: int = 20,
                 locale: str = "de", now: datetime | None = None,
                 near: Place | tuple[float, float] | None = None, **filters):
        unknown = filters.keys() - BY_NAME.keys()
        if unknown:
            raise TypeError(f"unknown filters: {', '.join(sorted(unknown))}")
        values = {"text": text, "page": page, "per_page": per_page, "locale": locale,
                  "now": now,  # now: the moment "open now" means (default: the current time)
                  "near": None if near is None else Place(*near)}
        for f in FILTERS:
            values[f.name] = f.normalise(filters[f.name]) if f.name in filters else f.default()
        self.__dict__.update(values)

    def selected(self, facet: str) -> tuple[str, ...]:
        return BY_NAME[facet].selected(self.__dict__[facet])

    def __setattr__(self, name, value):
        raise AttributeError("SearchQuery is immutable")

    def __eq__(self, other):
        return isinstance(other, SearchQuery) and self.__dict__ == other.__dict__

    def __hash__(self):
        return hash(tuple(self.__dict__.items()))

    def __repr__(self):
        given = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"SearchQuery({given})"
