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

# Term frequency saturation. Higher than the textbook 1.2 because the pseudo-frequency sums
# weighted fields and languages (a title word counts 3, in two languages 6): tuned on the
# tuning half of the real-content benchmark.
K1 = 8.0
B = 0.75  # strength of field-length normalisation

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


def saturate(pseudo_frequency: np.ndarray) -> np.ndarray:
    return pseudo_frequency * (K1 + 1) / (pseudo_frequency + K1)


def idf(document_frequency: int, documents: int) -> float:
    """BM25's inverse document frequency, never negative (Lucene's form)."""
    return float(np.log1p((documents - document_frequency + 0.5) / (document_frequency + 0.5)))


class FieldStatistics:
    """Normalised term frequencies per (field, term), computed once per index generation."""

    def __init__(self, reader, size: int, cache_size: int):
        self.reader = reader
        self.size = size
        self.cache_size = cache_size
        self._documents = max(reader.doc_count(), 1)
        self._average: dict[str, float] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def _average_length(self, fieldname: str) -> float:
        average = self._average.get(fieldname)
        if average is None:
            average = self._average[fieldname] = max(
                self.reader.field_length(fieldname) / self._documents, 1.0)
        return average

    def postings(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents with ``term`` in ``fieldname`` and their length-normalised frequencies."""
        key = (fieldname, term)
        cached = self._postings.get(key)
        if cached is None:
            if key not in self.reader:
                cached = EMPTY
            else:
                matcher = self.reader.postings(fieldname, term)
                ids, weights = [], []
                while matcher.is_active():
                    ids.append(matcher.id())
                    weights.append(matcher.weight())
                    matcher.next()
                docs = np.array(ids, dtype=np.int64)
                keep = docs < self.size  # deleted documents beyond the live ones
                docs = docs[keep]
                frequency = np.array(weights, dtype=np.float32)[keep]
                doc_length = self.reader.doc_field_length
                lengths = np.array([doc_length(int(d), fieldname, 0) for d in docs],
                                   dtype=np.float32)
                norm = 1 - B + B * lengths / self._average_length(fieldname)
                cached = (docs, frequency / norm)
            if len(self._postings) >= self.cache_size:
                self._postings.clear()
            self._postings[key] = cached
        return cached


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
