"""BM25F statistics of one index generation, as arrays over its documents.

The search service matches with bitmaps (bitmaps.py) and ranks the documents it matched with
BM25F: for each query word, the term frequencies of all its terms in all fields, each divided by
its field's length normalisation and multiplied by the field's weight, are summed into one
pseudo-frequency and saturated once (Robertson & Zaragoza, "The Probabilistic Relevance
Framework: BM25 and Beyond", 2009, section 3.5). Arrays make that cost microseconds per term
instead of a Python loop over every posting on every query.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher

# Term frequency saturation. Higher than the textbook 1.2 because the pseudo-frequency sums
# weighted fields and languages (a title word counts 3, in two languages 6): tuned on the
# tuning half of the real-content benchmark.
K1 = 8.0
B = 0.75  # strength of field-length normalisation
PLAIN_K1 = 1.2  # the textbook saturation, for the plain per-field score (service.PLAIN_WEIGHT)

EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def mask_of(bitmap: int, size: int) -> np.ndarray:
    """A bitmap (bit n = document n) as a boolean array of ``size`` documents."""
    length = max((size + 7) // 8, (bitmap.bit_length() + 7) // 8)
    data = np.frombuffer(bitmap.to_bytes(length, "little"), dtype=np.uint8)
    return np.unpackbits(data, bitorder="little")[:size].astype(bool)


def bitmap_of(mask: np.ndarray) -> int:
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")


def bitmap_of_docnums(docnums: np.ndarray, size: int) -> int:
    mask = np.zeros(size, dtype=bool)
    mask[docnums] = True
    return bitmap_of(mask)


def saturate(pseudo_frequency: np.ndarray, k1: float = K1) -> np.ndarray:
    return pseudo_frequency * (k1 + 1) / (pseudo_frequency + k1)


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency, never negative (Lucene's form)."""
    return float(np.log1p((documents - document_frequency + 0.5) / (document_frequency + 0.5)))


# Postings and field lengths per index segment, kept across index generations: Whoosh never
# changes a segment, and a change to the directory adds a small new one, so after an editor's
# save only that segment is read again. Keyed by the segment's unique id.
_SEGMENT_POSTINGS: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
_SEGMENT_LENGTHS: dict[tuple[str, str], np.ndarray] = {}
SEGMENT_CACHE_BYTES = 256 * 2**20  # per process; emptied when full (then read again)
_cached_bytes = 0


def _remember(cache: dict, key, value):
    global _cached_bytes
    size = sum(a.nbytes for a in value) if isinstance(value, tuple) else value.nbytes
    if _cached_bytes + size > SEGMENT_CACHE_BYTES:
        _SEGMENT_POSTINGS.clear()
        _SEGMENT_LENGTHS.clear()
        _cached_bytes = 0
    cache[key] = value
    _cached_bytes += size + 100  # and the key
    return value


class FieldStatistics:
    """Normalised term frequencies per (field, term) for one index generation."""

    def __init__(self, reader, size: int, cache_size: int):
        self.reader = reader
        self.size = size
        self.cache_size = cache_size
        self._documents = max(reader.doc_count(), 1)
        self._segments = [(leaf, offset, _segment_id(leaf))
                          for leaf, offset in reader.leaf_readers()]
        self._average: dict[str, float] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _average_length(self, fieldname: str) -> float:
        average = self._average.get(fieldname)
        if average is None:
            average = self._average[fieldname] = max(
                self.reader.field_length(fieldname) / self._documents, 1.0)
        return average

    def field_lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of ``fieldname`` (document number = position)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            parts = []
            for leaf, _, segment in self._segments:
                cached = _SEGMENT_LENGTHS.get((segment, fieldname))
                if cached is None:
                    count = leaf.doc_count_all()
                    if not leaf.field_length(fieldname):
                        # No document of the segment has the field (a language nobody writes
                        # in yet): asked per document, Whoosh looks for the missing length
                        # column on disk each time (10,000 file checks per field).
                        lengths_of_segment = np.zeros(count, dtype=np.float32)
                    else:
                        # Whoosh answers None (not the default) for a document without the
                        # field: 0, not the NaN numpy would make of it.
                        lengths_of_segment = np.fromiter(
                            (leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(count)),
                            dtype=np.float32, count=count)
                    cached = _remember(_SEGMENT_LENGTHS, (segment, fieldname), lengths_of_segment)
                parts.append(cached)
            lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            self._lengths[fieldname] = lengths
        return lengths

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents with ``term`` in ``fieldname`` and their length-normalised frequencies."""
        key = (fieldname, term)
        cached = self._postings.get(key)
        if cached is None:
            docs_parts, frequency_parts = [], []
            for leaf, offset, segment in self._segments:
                docs, frequency = _segment_postings(leaf, segment, fieldname, term)
                if len(docs):
                    docs_parts.append(docs + offset)
                    frequency_parts.append(frequency)
            if not docs_parts:
                cached = EMPTY
            else:
                docs = np.concatenate(docs_parts)
                frequency = np.concatenate(frequency_parts)
                keep = docs < self.size  # deleted documents beyond the live ones
                docs, frequency = docs[keep], frequency[keep]
                lengths = self.field_lengths(fieldname)[docs]
                norm = 1 - B + B * lengths / self._average_length(fieldname)
                cached = (docs, frequency / norm)
            if len(self._postings) >= self.cache_size:
                self._postings.clear()
            self._postings[key] = cached
        return cached


def _segment_id(leaf) -> str:
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else str(id(leaf))


def _segment_postings(leaf, segment: str, fieldname: str, term: str):
    key = (segment, fieldname, term)
    cached = _SEGMENT_POSTINGS.get(key)
    if cached is None:
        if (fieldname, term) not in leaf:
            cached = EMPTY
        else:
            ids, weights = all_postings(leaf.postings(fieldname, term))
            cached = (np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32))
        _remember(_SEGMENT_POSTINGS, key, cached)
    return cached


def all_postings(matcher) -> tuple[list[int], list[float]]:
    """Every document number and weight of a term's matcher, in order. Whoosh's on-disk matcher
    decodes a block's ids and weights at once: read so, a block at a time, instead of a posting
    at a time through ``id()``, ``weight()`` and ``next()`` (the first lookups of a long
    question's words spent most of their time there). Other matchers (postings inlined in the
    term's entry, a writer's in-memory ones) are walked a posting at a time."""
    ids: list[int] = []
    weights: list[float] = []
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            # Private, but the block's own decoding; tests/test_scoring.py holds it equal to
            # the posting-at-a-time walk.
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids[matcher._i:])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
        return ids, weights
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def top(scores: np.ndarray, candidates: np.ndarray, order: np.ndarray, limit: int) -> list[int]:
    """The ``limit`` best of the ``candidates`` (document numbers), by score, ties in the
    directory's default ``order`` (position per document)."""
    if limit <= 0 or not len(candidates):
        return []
    own = scores[candidates]
    if len(candidates) > limit * 4:
        # Only what can reach the page is sorted: everything at least as good as the
        # limit-th best score (ties included, so the default order still decides them).
        threshold = np.partition(own, len(own) - limit)[len(own) - limit]
        keep = own >= threshold
        candidates, own = candidates[keep], own[keep]
    ranked = candidates[np.lexsort((order[candidates], -own))]
    return [int(d) for d in ranked[:limit]]
