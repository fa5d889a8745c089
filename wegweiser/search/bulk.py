"""A faster Whoosh segment writer, for a whole index generation and for large batches of changes.

It writes the same segment as Whoosh's ``SegmentWriter`` (same terms, postings, weights, field
lengths, stored fields, block layout), two things done differently:

- *Analysis.* The text fields' analyzers (analysis.py: a regular expression, then one cached
  step per word) run as one ``findall`` and a dictionary look-up per word, counted with
  ``Counter``, instead of a chain of generators yielding a token object per word.
- *Postings.* Whoosh puts every posting as a tuple into a pool that is pickled to temporary
  files past ``limitmb``, sorted and merged back, then hands them to the codec one by one. Here
  they are kept per term in arrays, already in document order, and given to the codec a block
  at a time; past ``SPILL_BYTES`` they are written to disk as sorted runs and merged term by
  term (``_TermPool``).

``write_postings`` relies on the block buffer of Whoosh 2.7's W3 codec (``W3PostingsWriter``:
``_ids``, ``_weights``, ``_values``, ``_maxweight``, ``_minlength``, ``_maxlength``, filled as
``add_posting`` would); tests/test_index_bulk.py compares every term's postings, every field
length and every stored field with an index written by Whoosh's own writer.
"""
from __future__ import annotations

import pickle
import shutil
import tempfile
from array import array
from collections import Counter, defaultdict
from itertools import chain, repeat
from operator import sub
from pathlib import Path

import numpy as np
from whoosh.analysis import CompositeAnalyzer, RegexTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PostingsWriter, _lenfield
from whoosh.formats import Frequency
from whoosh.system import emptybytes
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from .analysis import WordFilter

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
    cached = words.get  # the cache is shared by threads (analysis.py): one lookup, no race
    pieces: dict[str, tuple[str, ...]] = {}

    def terms_of_piece(piece: str) -> tuple[str, ...]:
        found = pieces.get(piece)
        if found is None:
            found = tuple(chain.from_iterable(
                known_terms if (known_terms := cached(word)) is not None
                else terms_of_word(word) for word in findall(piece)))
            if len(piece) <= MAX_CACHED_PIECE:
                if len(pieces) >= MAX_CACHED_PIECES:
                    pieces.clear()
                pieces[piece] = found
        return found

    def terms(text: str) -> Counter:
        return Counter(terms_of_piece(text))

    return terms


MAX_CACHED_PIECE = 200  # characters: titles and names repeat, descriptions hardly
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

    def sorted_run(self) -> _FieldRun:
        """The postings sorted by term and document: a run of this field."""
        terms = sorted(((term.encode("utf-8"), number) for term, number in self.numbers.items()))
        rank = np.empty(len(terms), dtype=np.int64)
        rank[[number for _, number in terms]] = np.arange(len(terms))
        ranks = rank[np.frombuffer(self.term_numbers, dtype=np.int32)]
        docnums = np.frombuffer(self.docnums, dtype=np.int32)
        order = np.lexsort((docnums, ranks))
        starts = np.searchsorted(ranks[order], np.arange(len(terms) + 1))
        return _FieldRun([tbytes for tbytes, _ in terms], starts, docnums[order],
                         np.frombuffer(self.frequencies, dtype=np.int32)[order])


class _FieldRun:
    """One field's postings of a run, sorted by term and document: term i's postings are
    ``docnums[starts[i]:starts[i + 1]]`` (and their frequencies)."""

    __slots__ = ("terms", "starts", "docnums", "frequencies")

    def __init__(self, terms: list, starts, docnums, frequencies):
        self.terms, self.starts, self.docnums, self.frequencies = \
            terms, starts, docnums, frequencies

    def save(self, path: Path) -> None:
        with open(path.with_suffix(".terms"), "wb") as handle:
            pickle.dump(self.terms, handle, pickle.HIGHEST_PROTOCOL)
        for name in ("starts", "docnums", "frequencies"):
            np.save(path.with_suffix(f".{name}.npy"), getattr(self, name))

    @classmethod
    def load(cls, path: Path) -> _FieldRun:
        with open(path.with_suffix(".terms"), "rb") as handle:
            terms = pickle.load(handle)
        return cls(terms, *(np.load(path.with_suffix(f".{name}.npy"), mmap_mode="r")
                            for name in ("starts", "docnums", "frequencies")))


# Postings a BulkWriter holds in memory before it writes them to disk as a sorted run; past
# the limit the postings on disk are merged term by term when the segment is written. The
# estimate: 12 bytes for a posting of a field analysed here, OTHER_POSTING_BYTES for another.
SPILL_BYTES = 256 * 1024 * 1024
OTHER_POSTING_BYTES = 120


class _SpilledRun:
    """The postings held when the pool spilled, on disk, field by field."""

    def __init__(self, directory: Path, number: int, pool: _TermPool):
        self.directory, self.number = directory, number
        self.counted_fields = set(pool.counted)
        for fieldname, counted in pool.counted.items():
            counted.sorted_run().save(self._path(fieldname, "counted"))
        other: dict[str, dict] = defaultdict(dict)
        for (fieldname, tbytes), postings in pool.other.items():
            other[fieldname][tbytes] = postings
        self.other_fields = set(other)
        for fieldname, postings in other.items():
            with open(self._path(fieldname, "other"), "wb") as handle:
                pickle.dump(postings, handle, pickle.HIGHEST_PROTOCOL)

    def _path(self, fieldname: str, kind: str) -> Path:
        return self.directory / f"{self.number}-{kind}-{fieldname}"

    def fieldnames(self) -> set:
        return self.counted_fields | self.other_fields

    def counted(self, fieldname: str) -> _FieldRun | None:
        if fieldname not in self.counted_fields:
            return None
        return _FieldRun.load(self._path(fieldname, "counted"))

    def other(self, fieldname: str) -> dict:
        if fieldname not in self.other_fields:
            return {}
        with open(self._path(fieldname, "other"), "rb") as handle:
            return pickle.load(handle)


class _HeldRun:
    """The postings still in memory, read like a spilled run."""

    def __init__(self, pool: _TermPool):
        self.pool = pool

    def fieldnames(self) -> set:
        return {*self.pool.counted, *(fieldname for fieldname, _ in self.pool.other)}

    def counted(self, fieldname: str) -> _FieldRun | None:
        counted = self.pool.counted.get(fieldname)
        return counted.sorted_run() if counted is not None else None

    def other(self, fieldname: str) -> dict:
        return {tbytes: postings for (name, tbytes), postings in self.pool.other.items()
                if name == fieldname}


class _TermPool:
    """Postings in memory: for the fields analysed here per _CountedField (weight and value
    follow from the frequency), for any other (and for ``add_reader``) per term, as Whoosh's
    pool is given them. Past ``limit`` (estimated bytes; None: no limit) they are written to
    ``directory`` (a temporary directory in it) as a run sorted by field and term; documents
    only ever come after those added before, so a term's postings are its postings in each
    run one after the other."""

    def __init__(self, limit: int | None = None, directory: str | None = None):
        self.counted: dict[str, _CountedField] = {}
        self.other: dict[tuple[str, bytes], tuple[list, list, list]] = {}
        self.in_order = True
        self.limit, self.directory = limit, directory
        self.held = 0
        self.runs: list[_SpilledRun] = []
        self._spill_dir: Path | None = None

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
        self.held += OTHER_POSTING_BYTES
        if self.limit is not None and self.held > self.limit:
            self.spill()

    def add_counts(self, fieldname: str, docnum: int, counts: Counter) -> None:
        self.counted_field(fieldname).add(docnum, counts)
        self.held += 12 * len(counts)
        if self.limit is not None and self.held > self.limit:
            self.spill()

    def counted_field(self, fieldname: str) -> _CountedField:
        counted = self.counted.get(fieldname)
        if counted is None:
            counted = self.counted[fieldname] = _CountedField()
        return counted

    def spill(self) -> None:
        if not self.counted and not self.other:
            return
        if self._spill_dir is None:
            self._spill_dir = Path(tempfile.mkdtemp(prefix="wegweiser-postings-",
                                                    dir=self.directory))
        self.runs.append(_SpilledRun(self._spill_dir, len(self.runs), self))
        self.counted.clear()
        self.other.clear()
        self.held = 0

    def sorted_terms(self, schema):
        """(fieldname, term bytes, docnums, weights, values) in the order of Whoosh's pool."""
        runs = [*self.runs, _HeldRun(self)]
        for fieldname in sorted(set().union(*(run.fieldnames() for run in runs))):
            yield from self._field_terms(fieldname, schema[fieldname].format.field_boost,
                                         runs)

    def _field_terms(self, fieldname: str, boost: float, runs: list):
        merged: dict[bytes, tuple[list, list, list]] = {}
        for run in runs:
            for tbytes, postings in run.other(fieldname).items():
                held = merged.get(tbytes)
                merged[tbytes] = postings if held is None else \
                    tuple(a + b for a, b in zip(held, postings, strict=True))
        counted: dict[bytes, list] = defaultdict(list)  # term → (run, its index there)
        for field_run in filter(None, (run.counted(fieldname) for run in runs)):
            for i, tbytes in enumerate(field_run.terms):
                counted[tbytes].append((field_run, i))
        in_order = self.in_order and not merged.keys() & counted.keys()
        packed: dict[int, bytes] = {}
        for tbytes in sorted(merged.keys() | counted.keys()):
            docnums, weights, values = merged.get(tbytes, ((), (), ()))
            if tbytes in counted:
                parts = [(run.docnums[run.starts[i]:run.starts[i + 1]],
                          run.frequencies[run.starts[i]:run.starts[i + 1]])
                         for run, i in counted[tbytes]]
                if len(parts) > 1:
                    parts = [tuple(map(np.concatenate, zip(*parts, strict=True)))]
                found, frequencies = parts[0]
                found_weights = (frequencies.astype(np.float64) * boost).tolist()
                frequencies = frequencies.tolist()
                for frequency in set(frequencies) - packed.keys():
                    packed[frequency] = _packed(frequency)
                found_values = list(map(packed.__getitem__, frequencies))
                if docnums:
                    docnums = [*docnums, *found.tolist()]
                    weights, values = [*weights, *found_weights], [*values, *found_values]
                else:
                    docnums, weights, values = found.tolist(), found_weights, found_values
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
        self.runs.clear()
        self.held = 0
        if self._spill_dir is not None:
            shutil.rmtree(self._spill_dir, ignore_errors=True)
            self._spill_dir = None


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

    def __init__(self, ix, spill_bytes: int | None = SPILL_BYTES, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _TermPool(spill_bytes, getattr(ix.storage, "folder", None))
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
            counted = pool.counted_field(fieldname)
            renumbered = np.empty(len(numbers), dtype=np.int32)
            for term, number in numbers.items():
                renumbered[number] = counted.numbers[term]
            counted.term_numbers.frombytes(
                renumbered[np.frombuffer(term_numbers, dtype=np.int32)].tobytes())
            counted.docnums.frombytes(
                (np.frombuffer(docnums, dtype=np.int32) + base).astype(np.int32).tobytes())
            counted.frequencies.frombytes(frequencies)
            pool.held += len(frequencies) * 3  # 12 bytes a posting
        for key, (docnums, weights, values) in batch["other"].items():
            postings = pool.other.get(key)
            if postings is None:
                postings = pool.other[key] = ([], [], [])
            elif postings[0] and postings[0][-1] >= docnums[0] + base:
                pool.in_order = False
            postings[0].extend(docnum + base for docnum in docnums)
            postings[1].extend(weights)
            postings[2].extend(values)
            pool.held += OTHER_POSTING_BYTES * len(docnums)
        if batch["documents"]:
            self._added = True
        if pool.limit is not None and pool.held > pool.limit:
            pool.spill()

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


_LENGTH_OF_BYTE = [None, *map(byte_to_length, range(1, 256))]  # as doc_field_length reads


def _lengths(reader, fieldname: str, doccount: int) -> list:
    """Each document's length of ``fieldname`` as the codec reads it back (what Whoosh's
    ``add_postings`` passes with every posting): the length column read at once."""
    if reader is None:
        return [0] * doccount
    column = reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return [0] * doccount
    if getattr(column, "_typecode", None) != "B" or column._fixedlen != 1:
        return [reader.doc_field_length(docnum, fieldname) for docnum in range(doccount)]
    count = min(column._count, doccount)
    data = column._dbfile.get(column._basepos, count) if count else b""
    return [*map(_LENGTH_OF_BYTE.__getitem__, data), *([None] * (doccount - count))]


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
