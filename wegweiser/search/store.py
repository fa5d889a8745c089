"""The index directory: generations of the Whoosh index, the active one behind a symlink.

``current`` points at ``gen-<n>``; a rebuild writes a new generation beside it and replaces the
link atomically, so readers always find a complete index. ``applied-seq`` in a generation is the
change-log entry up to which that generation has applied every entry, ``applied-above`` the
entries after it applied already (ranges of sequence numbers). One writer at a time per
directory.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from whoosh import index as whoosh_index

from .events import EVENTS, build_event_schema
from .filters import DOCUMENT_FLAG_FILTERS
from .schema import build_schema

CURRENT = "current"
APPLIED_SEQ = "applied-seq"
APPLIED_ABOVE = "applied-above"
# The flags the filters read from index documents (filters.py), as a generation was built with:
# a generation without a filter's flag would count none of its offers, so it is rebuilt.
DOCUMENT_FLAGS = "document-flags"
# Raised whenever the analysis of words or what a document stores changes without changing the
# field names (e.g. the Arabic stemming, the stored offer version): a generation written with
# another format is rebuilt, as one without a filter's flag is. 3: Arabic light stemming, French
# stemmed with accents, Ukrainian lemmas; 4: Arabic-Indic and Persian digits as 0-9; 5: the
# spelling vocabulary keeps letters as written; 6: Ukrainian genitive plurals in -ів as nouns,
# Turkish stemmed with its dotless ı; 7: Turkish stemmed until stable (search.passes), a Persian
# word's ‌ای or ‌ی after its silent ه kept off the stemmer; 8: Kurdish lemmas (KLPT); 9: Pashto
# and Somali noun endings removed (languages.toml, suffix_steps); 10: open quarter-hours past
# midnight as +w…, and the closed days of closures (c20261222).
INDEX_FORMAT = 10
LOCK = "write.lock"
# The earliest moment (Unix seconds) at which an event document of a generation expires
# (search/events.py); 0 or missing: none will.
EVENTS_EXPIRY = "events-expiry"


def document_flags() -> str:
    return " ".join([f"format-{INDEX_FORMAT}", *sorted(f.flag for f in DOCUMENT_FLAG_FILTERS)])


class IndexLocked(Exception):
    """Another process is writing to this index directory."""


class IndexNotVerified(Exception):
    """A newly written generation does not hold what it should; it was not made current."""


class IndexStore:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_generation(self) -> str | None:
        try:
            return os.readlink(self.link)
        except (FileNotFoundError, OSError):
            return None

    def exists(self) -> bool:
        generation = self.current_generation()
        return generation is not None and whoosh_index.exists_in(self.root / generation)

    def schema_is_current(self) -> bool:
        """False when the index was built by an older version with other fields or without a
        flag that a filter reads."""
        generation = self.current_generation()
        if generation is None:
            return False
        try:
            flags = (self.root / generation / DOCUMENT_FLAGS).read_text()
        except OSError:
            flags = None
        if flags != document_flags():
            return False
        if not whoosh_index.exists_in(self.root / generation, indexname=EVENTS):
            return False  # built before events were indexed
        stored = whoosh_index.open_dir(str(self.root / generation))
        try:
            return set(stored.schema.names()) == set(build_schema().names())
        finally:
            stored.close()

    def open(self) -> tuple[str, object]:
        generation = self.current_generation()
        if generation is None:
            raise FileNotFoundError(f"no index in {self.root}")
        return generation, whoosh_index.open_dir(str(self.root / generation))

    def new_generation(self) -> tuple[Path, object]:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"gen-{time.time_ns()}"
        path.mkdir()
        (path / DOCUMENT_FLAGS).write_text(document_flags())
        whoosh_index.create_in(str(path), build_event_schema(), indexname=EVENTS).close()
        return path, whoosh_index.create_in(str(path), build_schema())

    def open_events(self, generation: str | Path):
        """The events index of a generation (search/events.py)."""
        return whoosh_index.open_dir(str(self.root / generation), indexname=EVENTS)

    def events_expiry(self, generation: str) -> int:
        try:
            return int((self.root / generation / EVENTS_EXPIRY).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def set_events_expiry(self, generation: str | Path, moment: int) -> None:
        self._write_marker(generation, EVENTS_EXPIRY, moment)

    def verify(self, path: Path, expected_ids: set[str]) -> None:
        """Read ``path`` afresh: it must hold one document for each of ``expected_ids``
        and nothing else, or it is removed and IndexNotVerified raised."""
        try:
            count, versions = _read_stored(path)
            stored = set(versions)
        except Exception as exc:  # noqa: BLE001 - whatever the reason, it is not usable
            shutil.rmtree(path, ignore_errors=True)
            raise IndexNotVerified(f"{path.name} cannot be read: {exc!r}") from exc
        if count != len(expected_ids) or stored != expected_ids:
            shutil.rmtree(path, ignore_errors=True)
            raise IndexNotVerified(f"{path.name} holds {count} documents, "
                                   f"{len(expected_ids)} expected")

    def stored_versions(self) -> dict[str, int | None]:
        """Offer id → the version its document in the current generation was written from,
        read afresh from disk (for drills comparing the index with the database)."""
        generation = self.current_generation()
        if generation is None:
            raise FileNotFoundError(f"no index in {self.root}")
        return _read_stored(self.root / generation)[1]

    def activate(self, path: Path) -> None:
        """Point ``current`` at ``path`` atomically and remove older generations."""
        tmp = self.root / f".{CURRENT}-{os.getpid()}"
        if tmp.is_symlink():
            tmp.unlink()
        os.symlink(path.name, tmp)
        os.replace(tmp, self.link)
        for old in self.root.glob("gen-*"):
            if old.name != path.name:
                # Readers that still have the old files open keep reading them (POSIX).
                shutil.rmtree(old, ignore_errors=True)

    def applied_seq(self, generation: str) -> int:
        try:
            return int((self.root / generation / APPLIED_SEQ).read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def set_applied_seq(self, generation: str | Path, seq: int) -> None:
        self._write_marker(generation, APPLIED_SEQ, seq)

    def applied_above(self, generation: str) -> set[int]:
        """Entries after the marker that this generation has applied already."""
        try:
            ranges = json.loads((self.root / generation / APPLIED_ABOVE).read_text())
        except (FileNotFoundError, ValueError):
            return set()
        return {seq for first, last in ranges for seq in range(first, last + 1)}

    def set_applied_above(self, generation: str | Path, seqs: set[int]) -> None:
        ranges: list[list[int]] = []
        for seq in sorted(seqs):
            if ranges and ranges[-1][1] == seq - 1:
                ranges[-1][1] = seq
            else:
                ranges.append([seq, seq])
        self._write_marker(generation, APPLIED_ABOVE, json.dumps(ranges))

    def _write_marker(self, generation: str | Path, name: str, value: int | str) -> None:
        target = self.root / generation / name
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(str(value))
        os.replace(tmp, target)

    @contextmanager
    def writing(self, wait: bool = False):
        """Hold this directory's writer lock; without ``wait``, raise IndexLocked if taken."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / LOCK), timeout=-1 if wait else 0)
        try:
            lock.acquire()
        except Timeout as exc:
            raise IndexLocked(str(self.root)) from exc
        try:
            yield
        finally:
            lock.release()


def _read_stored(path: Path) -> tuple[int, dict[str, int | None]]:
    """The number of documents of the generation at ``path`` and its offer ids with the
    version each document was written from."""
    index = whoosh_index.open_dir(str(path))
    try:
        with index.searcher() as searcher:
            return searcher.doc_count(), {fields["id"]: fields.get("version")
                                          for fields in searcher.all_stored_fields()}
    finally:
        index.close()
