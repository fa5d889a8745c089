"""Reading search parameters from a query string, for the pages and the API alike."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from .. import geo
from ..models import Area
from ..search import FILTERS, SearchQuery
from ..search.filters import FALSE_VALUES, FLAG_FILTERS, TRUE_VALUES, VOCABULARY_FILTERS
from ..services.directory import Vocabularies
from ..services.event_listing import EventFilters
from ..services.nearby import find_area

MAX_PAGE = 1000
MAX_PER_PAGE = 100
MAX_QUERY_LENGTH = 10_000


@dataclass
class ParamError(ValueError):
    parameter: str
    message: str


def _integer(args: MultiDict, name: str, default: int, upper: int, strict: bool) -> int:
    raw = args.get(name)
    if raw is None or (raw == "" and not strict):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= upper:
        if strict:
            raise ParamError(name, f"must be a whole number from 1 to {upper}")
        return default if value is None else min(max(value, 1), upper)
    return value


def parse_near(args: MultiDict, vocab: Vocabularies,
               centre_of: Callable[[Area], geo.Point | None]) -> geo.Place | None:
    """``near``: a position ``lat,lon`` (rounded to geo.GRID here too, whatever was sent) or
    an Ortsteil or Stadtbezirk by slug or name, which stands for its centre (``centre_of``)."""
    raw = args.get("near", "").strip()
    if not raw:
        return None
    area = find_area(vocab, raw) if len(raw) <= 200 else None
    if area is not None:
        centre = centre_of(area)
        if centre is None:
            raise ParamError("near", f"has no known position for the area {area.slug!r}")
        return geo.Place(*centre, key=area.slug)
    try:
        return geo.Place(*geo.parse_point(raw))
    except ValueError as error:
        # geo's reason, unless it is the form this message already names.
        reason = "" if str(error) == "must be latitude,longitude in decimal degrees" \
            else f" ({error})"
        raise ParamError("near", "must be latitude,longitude in decimal degrees or the slug "
                                 f"of an area{reason}") from None


def parse_search_args(args: MultiDict, vocab: Vocabularies, locale: str, per_page: int,
                      strict: bool, near: geo.Place | None = None) -> SearchQuery:
    """``strict`` (the API) rejects unknown values; pages drop them, as a stale link may carry."""
    text = args.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        if strict:
            raise ParamError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
        text = text[:MAX_QUERY_LENGTH]
    selected = {}
    for f in FILTERS:  # search/filters.py
        try:
            selected[f.name] = f.parse(args.getlist(f.name),
                                       vocab.slugs(f.name) if f.vocabulary else None, strict)
        except ValueError as error:
            raise ParamError(f.name, str(error)) from None
    return SearchQuery(
        text=text,
        page=_integer(args, "page", 1, MAX_PAGE, strict),
        per_page=_integer(args, "per_page", per_page, MAX_PER_PAGE, strict),
        locale=locale,
        near=near,
        **selected,
    )


def unknown_filter_values(args: MultiDict, vocab: Vocabularies) -> list[str]:
    """Values of the vocabulary filters that name nothing in this directory (a link from before
    an area or category was renamed, or mistyped): the pages leave them out and say so."""
    return [value[:80] for f in VOCABULARY_FILTERS for value in args.getlist(f.name)
            if value and value not in vocab.slugs(f.name)][:5]


def query_args(query: SearchQuery, **changes) -> dict:
    """The query string of ``query`` (with ``changes``), for links that keep the search."""
    args: dict = {"q": query.text or None}
    args.update((f.name, f.link_value(query.selected(f.name))) for f in FLAG_FILTERS)
    args["page"] = query.page if query.page > 1 else None
    args.update((f.name, f.link_value(query.selected(f.name))) for f in VOCABULARY_FILTERS)
    args["near"] = query.near.query_value if query.near else None
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, [], "")}


def parse_page_args(args: MultiDict, per_page: int) -> tuple[int, int, bool]:
    """``page``, ``per_page`` and ``full`` of a paginated listing (the HSDS API); bad values
    raise ParamError."""
    full_raw = args.get("full", "").strip().lower()
    if full_raw not in TRUE_VALUES + FALSE_VALUES:
        raise ParamError("full", "must be true or false")
    return (_integer(args, "page", 1, MAX_PAGE * MAX_PER_PAGE, True),
            _integer(args, "per_page", per_page, MAX_PER_PAGE, True), full_raw in TRUE_VALUES)


def parse_datetime_arg(args: MultiDict, name: str) -> datetime | None:
    """An ISO 8601 date or date and time as naive UTC (as the database keeps times)."""
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ParamError(name, "must be a date or date and time (ISO 8601)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def event_categories(vocab: Vocabularies) -> list:
    """The categories events may have: every category (some, such as the network's own
    meetings, are for events only)."""
    return vocab.event_categories


def parse_event_args(args: MultiDict, vocab: Vocabularies, per_page: int,
                     strict: bool) -> EventArgs:
    """The events page's and API's parameters: the vocabulary filters as for offers (several
    values are alternatives), ``this_week``, ``q``, ``page`` and ``per_page``."""
    selected = {}
    for f in VOCABULARY_FILTERS:
        known = {c.slug for c in event_categories(vocab)} if f.name == "category" \
            else vocab.slugs(f.name)
        try:
            selected[f.name] = f.parse(args.getlist(f.name), known, strict)
        except ValueError as error:
            raise ParamError(f.name, str(error)) from None
    raw_week = args.get("this_week", "").strip().lower()
    if raw_week not in TRUE_VALUES + FALSE_VALUES and strict:
        raise ParamError("this_week", "must be true or false")
    text = args.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        if strict:
            raise ParamError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
        text = text[:MAX_QUERY_LENGTH]
    return EventArgs(text=text.strip(), this_week=raw_week in TRUE_VALUES,
                     page=_integer(args, "page", 1, MAX_PAGE, strict),
                     per_page=_integer(args, "per_page", per_page, MAX_PER_PAGE, strict),
                     per_page_asked="per_page" in args, **selected)


@dataclass(frozen=True)
class EventArgs:
    text: str = ""
    area: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    target_group: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    this_week: bool = False
    page: int = 1
    per_page: int = 20
    per_page_asked: bool = False  # given in the request: the paging links keep it

    def filters(self, ids: list[int] | None) -> EventFilters:
        """The listing's filters; ``ids``: what the text search found (None: no text)."""
        return EventFilters(self.area, self.category, self.target_group, self.language,
                            self.this_week, None if ids is None else tuple(ids))

    def link_args(self, **changes) -> dict:
        """The query string of these parameters (with ``changes``), for links."""
        args = {"q": self.text or None, "this_week": "1" if self.this_week else None,
                "page": self.page if self.page > 1 else None,
                "per_page": self.per_page if self.per_page_asked else None,
                **{name: list(getattr(self, name)) or None
                   for name in ("area", "category", "target_group", "language")}}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in (None, [], "")}
