"""The search service as the rest of the application sees it: a damaged, missing, locked or
unwritable index makes searches answer less well, never fail.

- Applying the change log fails (directory read-only, disk full, index damaged): searches go on
  from the current generation as it is; the update is tried again after ``retry_seconds``.
- The current generation cannot be read (missing, truncated, corrupt): the generation this
  process opened last answers if there is one, otherwise a plain database search
  (services/plain_search.py), flagged ``limited``; a rebuild into a new generation starts in
  the background and is swapped in only once verified (updater.rebuild).

Each kind of trouble is logged once when it starts and once when it ends.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
import traceback
import warnings

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from .service import SearchQuery, SearchResult, SearchService
from .updater import rebuild

log = logging.getLogger(__name__)

UPDATE, READ, REPAIR = "update", "read", "repair"
FAILED = object()
PROBLEMS = {UPDATE: "the search index cannot be brought up to date",
            READ: "the search index cannot be read",
            REPAIR: "the search index cannot be rebuilt"}


class GuardedSearch:
    def __init__(self, engine: SearchService, retry_seconds: float = 30.0):
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._problems: dict[str, str] = {}  # kind → what went wrong, while it lasts
        self._last_try: dict[str, float] = {}
        self._state = threading.Lock()
        self._repair: threading.Thread | None = None
        self._unreadable: str | None = None  # the generation that could not be read

    def __getattr__(self, name: str):
        """Everything else is the engine's (``analyse``, and its snapshot for tests)."""
        if name == "engine":
            raise AttributeError(name)
        return getattr(self.engine, name)

    @property
    def store(self):
        return self.engine.store

    @property
    def settings(self):
        return self.engine.settings

    @property
    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    def catch_up(self, session, fully: bool = False, processes: int = 1) -> None:
        """Apply the change log if possible (SearchService.catch_up); trouble is logged, never
        raised."""
        if not self._due(UPDATE):
            return
        if self._attempt(UPDATE, self.engine.catch_up, session, fully, processes) \
                is not FAILED:
            self._resolved(UPDATE)

    def search(self, query: SearchQuery, session) -> SearchResult:
        self.catch_up(session)
        if not self._worth_reading():
            return self._without_current(query, session)
        result = self._attempt(READ, self.engine.search_current, query, session)
        if result is FAILED:
            self._unreadable = self.store.current_generation()
            self._start_repair()
            return self._without_current(query, session)
        self._resolved(READ)
        return result

    def search_events(self, text: str, session, limit: int = 50,
                      caught_up: bool = False) -> list[int]:
        """Upcoming events matching ``text``; none while the index cannot be read.
        ``caught_up``: this request applied the change log a moment ago (an offer search)."""
        if not caught_up:
            self.catch_up(session)
        try:
            return self.engine.search_events(text, None, limit)
        except Exception as exc:  # noqa: BLE001 - offers are still searchable without it
            log.warning("the events index cannot be read (%s): %r", self.store.root, exc)
            return []

    def _worth_reading(self) -> bool:
        """While the current generation cannot be read, try it again when another one took
        its place, or every ``retry_seconds``."""
        return READ not in self._problems or \
            self.store.current_generation() != self._unreadable or self._due(READ)

    def _attempt(self, kind: str, action, *args):
        """``action(*args)``, or FAILED when the index lets it down (logged once).

        Whoosh leaves a damaged file open when reading it fails; the file is closed with the
        error, here, without a ResourceWarning."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return action(*args)
            except SQLAlchemyError:
                raise  # the database is the truth: without it there is nothing to answer from
            except Exception as exc:  # noqa: BLE001 - any trouble of the index or its directory
                self._trouble(kind, exc)
            gc.collect()  # the files of the failed attempt sit in reference cycles
            return FAILED

    def knows_word(self, word: str, session) -> bool:
        """SearchService.knows_word; while the index cannot be read, the thesaurus's words."""
        found = self._attempt(READ, self.engine.knows_word, word, session) \
            if self._worth_reading() else FAILED
        return self.engine.is_concept_word(word) if found is FAILED else found

    def wait_for_repair(self, timeout: float) -> bool:
        """For tests and drills: wait for a running rebuild; True when none is left running."""
        repair = self._repair
        if repair is not None:
            repair.join(timeout)
        return self._repair is None or not self._repair.is_alive()

    # -- answering without the current generation ---------------------------------------

    def _without_current(self, query: SearchQuery, session) -> SearchResult:
        last = self._attempt(READ, self.engine.search_last_opened, query)
        if last is not None and last is not FAILED:
            return last
        # Imported here: the plain search reads the filters of this package (filters.py).
        from ..services.plain_search import plain_search

        found = plain_search(session, query, self.settings)
        return SearchResult(found.offer_ids, found.total, query.page, query.per_page,
                            found.facets, limited=True, distances=found.distances)

    # -- repairing ----------------------------------------------------------------------

    def _start_repair(self) -> None:
        with self._state:
            if self._repair is not None and self._repair.is_alive():
                return
            if not self._due_locked(REPAIR):
                return
            damaged = self.store.current_generation()
            factory = current_app.extensions["wegweiser.sessionmaker"]
            self._repair = threading.Thread(target=self._rebuild, args=(factory, damaged),
                                            name="wegweiser-index-repair", daemon=True)
            self._repair.start()

    def _rebuild(self, factory, damaged: str | None) -> None:
        """A new generation from the database, unless another process made one meanwhile."""
        session = factory()
        try:
            count = self._attempt(REPAIR, rebuild, self.store, session, self.settings, None, 1,
                                  lambda: self.store.current_generation() == damaged)
        except SQLAlchemyError as exc:
            self._trouble(REPAIR, exc)
            return
        finally:
            session.close()
        if count is not FAILED:
            self._resolved(REPAIR)
            log.warning("search index rebuilt in %s (%d published offers)", self.store.root,
                        count)

    # -- bookkeeping --------------------------------------------------------------------

    def _due(self, kind: str) -> bool:
        with self._state:
            return self._due_locked(kind)

    def _due_locked(self, kind: str) -> bool:
        """Without trouble of this kind, always; with it, once every ``retry_seconds``."""
        if kind not in self._problems:
            return True
        now = time.monotonic()
        if now - self._last_try.get(kind, 0.0) < self.retry_seconds:
            return False
        self._last_try[kind] = now
        return True

    def _trouble(self, kind: str, exc: Exception) -> None:
        with self._state:
            first = kind not in self._problems
            self._problems[kind] = repr(exc)
            self._last_try[kind] = time.monotonic()
        if first:
            # The traceback as text: a log record must not keep the error (and its files).
            log.error("%s (%s): %s; searches go on without it\n%s", PROBLEMS[kind],
                      self.store.root, repr(exc), "".join(traceback.format_exception(exc)))

    def _resolved(self, kind: str) -> None:
        with self._state:
            if self._problems.pop(kind, None) is None:
                return
        log.warning("%s again (%s)", PROBLEMS[kind].replace("cannot", "can"), self.store.root)
