"""A faster Whoosh segment writer, for a whole index generation and for large batches of changes.

It writes the same segment as Whoosh's ``SegmentWriter`` (same terms, postings, weights, field
lengths, stored fields, block layout), two things done differently:

- *Analysis.* The text fields' analyzers (analysis.py: a regular expression, then one cached
  step per word) run as one ``findall`` and a dictionary look-up per word, counted with
  ``Counter``, instead of a chain of generators yielding a token object per word.
- *Postings.* Whoosh puts every posting as a tuple into a pool that is pickled to temporary
  files past ``limitmb``, sorted and merged back, then hands them to the codec one by one; an
  index of 10,000 offers has about nine million (the vocabulary fields: labels and synonyms of
  an offer's filter values in every content language). Here they are kept per term in arrays,
  already in document order, and given to the codec a block at a time.

``write_postings`` relies on the block buffer of Whoosh 2.7's W3 codec (``W3PostingsWriter``:
``_ids``, ``_weights``, ``_values``, ``_maxweight``, ``_minlength``, ``_maxlength``, filled as
``add_posting`` would); tests/test_index_bulk.py compares every term's postings, every field
length and every stored field with an index written by Whoosh's own writer.
"""
from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from itertools import chain, repeat
from operator import sub

import numpy as np
from whoosh.analysis import CompositeAnalyzer, RegexTokenizer
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.formats import Frequency
from whoosh.system import emptybytes
from whoosh.writing import SegmentWriter

from .analysis import LABEL_SEPARATOR, WordFilter

_PACKED: dict[int, bytes] = {}  # frequency → its posting value (Frequency format)


def _packed(frequency: int) -> bytes:
    value = _PACKED.get(frequency)
    if value is None:
        from whoosh.system import pack_uint

        value = _PACKED[frequency] = pack_uint(frequency)
    return value


def fast_terms(field):
    """For a field analysed by analysis.py's analyzers into the Frequency format: a function
    text → its terms with their frequencies (as the analyzer yields them); else None."""
    analyzer = field.analyzer
    if not isinstance(field.format, Frequency) or not isinstance(analyzer, CompositeAnalyzer) \
            or len(analyzer.items) != 2:
        return None
    tokenizer, word_filter = analyzer.items
    if type(tokenizer) is not RegexTokenizer or tokenizer.gaps or \
            not isinstance(word_filter, WordFilter):
        return None
    findall = tokenizer.expression.findall
    terms_of_word = word_filter.terms_of_word
    words = word_filter.word_cache()
    pieces: dict[str, tuple[str, ...]] = {}

    def terms_of_piece(piece: str) -> tuple[str, ...]:
        found = pieces.get(piece)
        if found is None:
            found = tuple(chain.from_iterable(
                words[word] if word in words else terms_of_word(word)
                for word in findall(piece)))
            if len(piece) <= MAX_CACHED_PIECE:
                if len(pieces) >= MAX_CACHED_PIECES:
                    pieces.clear()
                pieces[piece] = found
        return found

    known = pieces.get

    def terms(text: str) -> Counter:
        # Labels (LABEL_SEPARATOR between them) repeat from offer to offer: their terms are
        # kept. No token contains the separator, so the text's tokens are the pieces' tokens.
        parts = text.split(LABEL_SEPARATOR)
        found = list(map(known, parts))
        if None in found:
            found = list(map(terms_of_piece, parts))
        return Counter(chain.from_iterable(found))

    return terms


MAX_CACHED_PIECE = 200  # characters: labels and titles, not descriptions
MAX_CACHED_PIECES = 100_000


class _CountedField:
    """The postings of one field analysed here: term number, document number and frequency of
    each, appended a document at a time by C-level calls (no Python step per posting)."""

    __slots__ = ("numbers", "term_numbers", "docnums", "frequencies")

    def __init__(self):
        self.numbers: defaultdict[str, int] = defaultdict()
        self.numbers.default_factory = self.numbers.__len__  # a new term: the next number
        self.term_numbers, self.docnums, self.frequencies = array("i"), array("i"), array("i")

    def add(self, docnum: int, counts: Counter) -> None:
        self.term_numbers.extend(map(self.numbers.__getitem__, counts.keys()))
        self.frequencies.extend(counts.values())
        self.docnums.extend(repeat(docnum, len(counts)))

    def by_term(self, boost: float):
        """(term bytes, docnums, weights, values) per term, in term and document order."""
        terms = sorted(((term.encode("utf-8"), number) for term, number in self.numbers.items()))
        rank = np.empty(len(terms), dtype=np.int64)
        rank[[number for _, number in terms]] = np.arange(len(terms))
        ranks = rank[np.frombuffer(self.term_numbers, dtype=np.int32)]
        docnums = np.frombuffer(self.docnums, dtype=np.int32)
        order = np.lexsort((docnums, ranks))
        ranks, docnums = ranks[order], docnums[order]
        frequencies = np.frombuffer(self.frequencies, dtype=np.int32)[order]
        weights = (frequencies.astype(np.float64) * boost).tolist()
        packed = {int(f): _packed(int(f)) for f in np.unique(frequencies)}
        values = list(map(packed.__getitem__, frequencies.tolist()))
        docnums = docnums.tolist()
        bounds = [0, *(np.flatnonzero(np.diff(ranks)) + 1).tolist(), len(docnums)]
        for (tbytes, _), start, end in zip(terms, bounds[:-1], bounds[1:], strict=True):
            yield tbytes, docnums[start:end], weights[start:end], values[start:end]


class _TermPool:
    """Postings in memory: for the fields analysed here per _CountedField (weight and value
    follow from the frequency), for any other (and for ``add_reader``) per term, as Whoosh's
    pool is given them."""

    def __init__(self):
        self.counted: dict[str, _CountedField] = {}
        self.other: dict[tuple[str, bytes], tuple[list, list, list]] = {}
        self.in_order = True

    def add(self, item) -> None:
        """Whoosh's pool interface: (fieldname, term bytes, docnum, weight, value)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if docnum < 0:  # a word for a separate spelling field: not used by this schema
            return
        postings = self.other.get((fieldname, tbytes))
        if postings is None:
            postings = self.other[(fieldname, tbytes)] = ([], [], [])
        elif postings[0][-1] >= docnum:
            self.in_order = False
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes if vbytes is not None else emptybytes)

    def add_counts(self, fieldname: str, docnum: int, counts: Counter) -> None:
        counted = self.counted.get(fieldname)
        if counted is None:
            counted = self.counted[fieldname] = _CountedField()
        counted.add(docnum, counts)

    def sorted_terms(self, schema):
        """(fieldname, term bytes, docnums, weights, values) in the order of Whoosh's pool."""
        fieldnames = sorted({*self.counted, *(fieldname for fieldname, _ in self.other)})
        for fieldname in fieldnames:
            merged = {tbytes: postings for (name, tbytes), postings in self.other.items()
                      if name == fieldname}
            in_order = self.in_order
            if fieldname in self.counted:
                boost = schema[fieldname].format.field_boost
                for tbytes, *postings in self.counted[fieldname].by_term(boost):
                    if tbytes in merged:
                        in_order = False
                        postings = [a + b for a, b in zip(merged[tbytes], postings, strict=True)]
                    merged[tbytes] = postings
            for tbytes in sorted(merged):
                docnums, weights, values = merged[tbytes]
                if not in_order:
                    order = sorted(range(len(docnums)),
                                   key=lambda i: (docnums[i], weights[i], values[i]))
                    docnums = [docnums[i] for i in order]
                    weights = [weights[i] for i in order]
                    values = [values[i] for i in order]
                yield fieldname, tbytes, docnums, weights, values

    def cleanup(self) -> None:
        self.counted.clear()
        self.other.clear()


class _BlockWriter(W3PostingsWriter):
    """W3PostingsWriter whose block encoding runs in C: the same tuples, so the same bytes."""

    def _mini_ids(self):
        ids = self._ids
        if self._byteids:
            return tuple(ids)
        return tuple(map(sub, ids, chain((0,), ids)))

    def _mini_weights(self):
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        if weights.count(weights[0]) == len(weights):
            return weights[0]
        return tuple(weights)


def write_postings(postwriter: W3PostingsWriter, docnums: list, weights: list,
                   values: list, lengths: list) -> None:
    """Add the postings of one term, exactly as ``add_posting`` one at a time would: a full
    block is written when the next posting arrives, the last one by ``finish_postings``."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if start:
            postwriter._write_block()
        end = start + limit
        ids = docnums[start:end]
        postwriter._ids = array("I", ids)
        chunk = weights[start:end]
        postwriter._weights = array("f", chunk)
        highest = max(chunk)
        postwriter._maxweight = highest if highest > 0 else 0
        chunk = values[start:end]
        postwriter._values = chunk if all(chunk) else [v for v in chunk if v]
        known = list(filter(None, map(lengths.__getitem__, ids)))
        postwriter._minlength = min(known) if known else None
        postwriter._maxlength = max(known) if known else 0


def _fast_fields(schema) -> dict:
    fast = {}
    for name, field in schema.items():
        if field.separate_spelling() or field.vector:
            raise ValueError(f"BulkWriter: field {name} needs spelling or vectors")
        fast[name] = fast_terms(field)
    return fast


class _Analysis:
    """Turning a document into postings (``self.pool``) and what the per-document writer keeps
    (``self.perdocwriter``): Whoosh's ``SegmentWriter.add_document`` with the analysis above."""

    schema: object
    pool: _TermPool
    perdocwriter: object
    docnum: int
    _fast: dict

    def add_document(self, **fields):
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add, add_counts = self.pool.add, self.pool.add_counts
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    fast = self._fast[fieldname]
                    if fast is not None and isinstance(value, str) and fieldboost == 1.0:
                        counts = fast(value)
                        if scorable:
                            length = sum(counts.values())
                        add_counts(fieldname, docnum, counts)
                    else:
                        for tbytes, frequency, weight, vbytes in field.index(value):
                            if scorable:
                                length += frequency
                            add((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                       length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1


class _Recorded:
    """A per-document writer that only records what it is given (DocumentBatch)."""

    def __init__(self):
        self.documents: list[list[tuple]] = []
        self._current: list[tuple] = []

    def start_doc(self, docnum: int) -> None:
        self._current = []

    def add_field(self, fieldname, field, value, length) -> None:
        self._current.append((fieldname, value, length, False))

    def add_column_value(self, fieldname, column, value) -> None:
        self._current.append((fieldname, value, None, True))

    def finish_doc(self) -> None:
        self.documents.append(self._current)

    def cancel_doc(self) -> None:
        self._current = []


class DocumentBatch(_Analysis):
    """Documents analysed apart from the writer (in another process): ``add_document`` as a
    writer's, then ``exported()`` (plain data) goes to ``BulkWriter.add_batch``."""

    def __init__(self, schema):
        self.schema = schema
        self.pool = _TermPool()
        self.perdocwriter = _Recorded()
        self.docnum = 0
        self._fast = _fast_fields(schema)

    def _check_state(self) -> None:
        pass

    _doc_boost = SegmentWriter._doc_boost
    _field_boost = SegmentWriter._field_boost
    _check_fields = SegmentWriter._check_fields

    def exported(self) -> dict:
        return {"documents": self.perdocwriter.documents,
                "counted": {name: (dict(counted.numbers), counted.term_numbers.tobytes(),
                                   counted.docnums.tobytes(), counted.frequencies.tobytes())
                            for name, counted in self.pool.counted.items()},
                "other": self.pool.other}


class BulkWriter(_Analysis, SegmentWriter):
    """``SegmentWriter`` with the faster analysis and posting pool described above. Used like
    ``index.writer()``: ``BulkWriter(index)``."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _TermPool()
        self._fast = _fast_fields(self.schema)

    def add_batch(self, batch: dict) -> None:
        """Add the documents of an exported DocumentBatch, after those added so far."""
        self._check_state()
        base, schema, perdocwriter = self.docnum, self.schema, self.perdocwriter
        for records in batch["documents"]:
            perdocwriter.start_doc(self.docnum)
            for fieldname, value, length, column in records:
                if column:
                    perdocwriter.add_column_value(fieldname, schema[fieldname].column_type,
                                                  value)
                else:
                    perdocwriter.add_field(fieldname, schema[fieldname], value, length)
            perdocwriter.finish_doc()
            self.docnum += 1
        pool = self.pool
        for fieldname, (numbers, term_numbers, docnums, frequencies) in \
                batch["counted"].items():
            counted = pool.counted.get(fieldname)
            if counted is None:
                counted = pool.counted[fieldname] = _CountedField()
            renumbered = np.empty(len(numbers), dtype=np.int32)
            for term, number in numbers.items():
                renumbered[number] = counted.numbers[term]
            counted.term_numbers.frombytes(
                renumbered[np.frombuffer(term_numbers, dtype=np.int32)].tobytes())
            counted.docnums.frombytes(
                (np.frombuffer(docnums, dtype=np.int32) + base).astype(np.int32).tobytes())
            counted.frequencies.frombytes(frequencies)
        for key, (docnums, weights, values) in batch["other"].items():
            postings = pool.other.get(key)
            if postings is None:
                postings = pool.other[key] = ([], [], [])
            elif postings[0] and postings[0][-1] >= docnums[0] + base:
                pool.in_order = False
            postings[0].extend(docnum + base for docnum in docnums)
            postings[1].extend(weights)
            postings[2].extend(values)
        if batch["documents"]:
            self._added = True

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths_reader = self.per_document_reader() if self.codec.length_stats else None
        fieldwriter = self.fieldwriter
        doccount = self.docnum
        current_field = None
        lengths: list = []
        for fieldname, tbytes, docnums, weights, values in self.pool.sorted_terms(self.schema):
            if fieldname != current_field:
                if current_field is not None:
                    fieldwriter.finish_field()
                current_field = fieldname
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                lengths = _lengths(lengths_reader, fieldname, doccount)
            fieldwriter.start_term(tbytes)
            postwriter = fieldwriter._postwriter
            if type(postwriter) is W3PostingsWriter:
                postwriter.__class__ = _BlockWriter
            write_postings(postwriter, docnums, weights, values, lengths)
            fieldwriter.finish_term()
        if current_field is not None:
            fieldwriter.finish_field()
        fieldwriter.close()
        if lengths_reader is not None:
            lengths_reader.close()


def _lengths(reader, fieldname: str, doccount: int) -> list:
    """Each document's length of ``fieldname`` as the codec reads it back (what Whoosh's
    ``add_postings`` passes with every posting)."""
    if reader is None:
        return [0] * doccount
    return [reader.doc_field_length(docnum, fieldname) for docnum in range(doccount)]


def segment_contents(path) -> list[dict]:
    """What the index in directory ``path`` holds, segment by segment: its documents, deleted
    documents, field lengths and the bytes of each of its files (named without the segment's
    random id). Two indexes with equal contents answer every query alike."""
    from whoosh import index as whoosh_index

    index = whoosh_index.open_dir(str(path))
    try:
        contents = []
        for segment in index._segments():
            storage = segment.open_compound_file(index.storage) if segment.is_compound() \
                else index.storage
            files = {}
            for name in storage.list():
                if name.startswith(segment.make_filename("")):
                    with storage.open_file(name) as handle:
                        files[name.split(".", 1)[1]] = handle.read()
            contents.append({"documents": segment.doc_count_all(),
                             "deleted": sorted(segment.deleted_docs()),
                             "field_lengths": dict(segment._fieldlengths), "files": files})
        return contents
    finally:
        index.close()
