"""Reading search parameters from a query string, for the pages and the API alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from ..search import SearchQuery
from ..services.directory import Vocabularies

FILTERS = ("area", "category", "target_group", "language")
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}
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


def parse_search_args(args: MultiDict, vocab: Vocabularies, locale: str, per_page: int,
                      strict: bool) -> SearchQuery:
    """``strict`` (the API) rejects unknown values; pages drop them, as a stale link may carry."""
    text = args.get("q", "")
    if len(text) > MAX_QUERY_LENGTH:
        if strict:
            raise ParamError("q", f"is longer than {MAX_QUERY_LENGTH} characters")
        text = text[:MAX_QUERY_LENGTH]
    selected = {}
    for name in FILTERS:
        known = vocab.slugs(name)
        values = []
        for value in args.getlist(name):
            if value in known:
                if value not in values:
                    values.append(value)
            elif strict:
                raise ParamError(name, f"unknown value {value[:80]!r}")
        selected[name] = tuple(values)
    free_raw = args.get("free", "").strip().lower()
    if free_raw not in TRUE_VALUES | FALSE_VALUES:
        if strict:
            raise ParamError("free", "must be true or false")
        free_raw = ""
    open_raw = args.get("open_now", "").strip().lower()
    if open_raw not in TRUE_VALUES | FALSE_VALUES:
        if strict:
            raise ParamError("open_now", "must be true or false")
        open_raw = ""
    return SearchQuery(
        text=text,
        free=free_raw in TRUE_VALUES,
        open_now=open_raw in TRUE_VALUES,
        page=_integer(args, "page", 1, MAX_PAGE, strict),
        per_page=_integer(args, "per_page", per_page, MAX_PER_PAGE, strict),
        locale=locale,
        **selected,
    )


def query_args(query: SearchQuery, **changes) -> dict:
    """The query string of ``query`` (with ``changes``), for links that keep the search."""
    args: dict = {"q": query.text or None, "free": "1" if query.free else None,
                  "open_now": "1" if query.open_now else None,
                  "page": query.page if query.page > 1 else None}
    for name in FILTERS:
        args[name] = list(query.selected(name)) or None
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, [], "")}


def parse_page_args(args: MultiDict, per_page: int) -> tuple[int, int, bool]:
    """``page``, ``per_page`` and ``full`` of a paginated listing (the HSDS API); bad values
    raise ParamError."""
    full_raw = args.get("full", "").strip().lower()
    if full_raw not in TRUE_VALUES | FALSE_VALUES:
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
