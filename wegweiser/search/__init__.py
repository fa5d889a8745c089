"""Search: the only package that talks to Whoosh. It returns ids, totals and facet counts."""
from __future__ import annotations

from flask import current_app, g

from .filters import FILTERS
from .guard import GuardedSearch
from .highlight import highlighted
from .schema import configure_languages
from .service import FACET_FIELDS, SearchQuery, SearchResult, SearchService
from .store import IndexStore
from .updater import IndexSettings, rebuild

__all__ = ["FACET_FIELDS", "FILTERS", "GuardedSearch", "SearchQuery", "SearchResult",
           "SearchService", "highlighted", "init_app", "rebuild_index", "search_service"]


def init_app(app) -> None:
    languages = app.config.get("WEGWEISER_INDEX_LANGUAGES")
    configure_languages(tuple(code.strip() for code in (languages or "").split(",")
                              if code.strip()))
    store = IndexStore(app.config["WEGWEISER_INDEX_DIR"])
    engine = SearchService(store, IndexSettings.from_config(app.config))
    app.extensions["wegweiser.search"] = GuardedSearch(
        engine, retry_seconds=app.config.get("WEGWEISER_INDEX_RETRY_SECONDS", 30))
    app.after_request(_apply_own_changes)


def search_service() -> GuardedSearch:
    return current_app.extensions["wegweiser.search"]


def rebuild_index(session, progress=None, processes: int = 1) -> int:
    service = search_service()
    return rebuild(service.store, session, service.settings, progress, processes)


def _apply_own_changes(response):
    """After a request that changed offers, bring this process's index up to date at once."""
    session = g.get("db_session")
    if session is not None and session.info.pop("offers_changed", False):
        search_service().catch_up(session)
    return response
