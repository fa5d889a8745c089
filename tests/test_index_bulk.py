"""The bulk writer (search/bulk.py) writes exactly what Whoosh's own writer writes."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import PUBLISHED, Offer
from wegweiser.search import bulk, search_service, updater
from wegweiser.search.bulk import BulkWriter, fast_terms, segment_contents
from wegweiser.search.schema import build_schema
from wegweiser.search.store import IndexStore

SCHEMA = build_schema()
FAST_FIELDS = {name: fast_terms(field) for name, field in SCHEMA.items()}
SAMPLES = ["Deutschkurse für Frauen und Kinder, Asylberatung (kostenlos)",
           "l'école d'été", "сім'я і діти", "Almanya'da çalışmak", "مدرسة اللغة الألمانية",
           "می‌خواهم کلاس زبان", "Fußballtraining Fussball", "a  b\u200cc  ÄÖÜ ß", "",
           "ካብ ትግርኛ", "Kurdî: zimanê almanî", "x" * 300, "Beratung ; Rat ; l' ; ; x ;y",
           "Frauen ; Frauen ; women ; نساء ; Frauen"]


def test_the_text_fields_take_the_fast_analysis():
    fast = {name for name, terms in FAST_FIELDS.items() if terms is not None}
    assert {"title_de", "body_ar", "vocab_uk", "title_xx", "organisation", "spelling"} <= fast
    assert not {"id", "area", "category", "flags"} & fast


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=200) | st.sampled_from(SAMPLES)
       | st.lists(st.text(max_size=30) | st.sampled_from(SAMPLES)).map(" ; ".join))
def test_fast_analysis_gives_the_analyzers_terms(text):
    for name, terms in FAST_FIELDS.items():
        if terms is not None:
            assert terms(text) == Counter(token.text for token in SCHEMA[name].analyzer(text))


# The database only supplies the offers' rows here; what is compared is the index files, so
# one backend is enough (each run takes a minute).
ONE_BACKEND = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def _published_ids() -> list[int]:
    return list(db.session().scalars(
        select(Offer.id).where(Offer.status == PUBLISHED).order_by(Offer.id)))


@ONE_BACKEND
def test_bulk_writer_writes_the_segments_whooshs_writer_writes(demo_ctx, tmp_path,
                                                               monkeypatch):
    """Same files, byte for byte, from one process and from two, and with the postings spilled
    to disk in many runs (a tiny memory limit): a new generation; changes (documents replaced
    and one removed) in a second segment; everything merged into one."""
    monkeypatch.setattr(updater, "PARALLEL_FROM", 10)
    spills = []
    spill = bulk._TermPool.spill
    monkeypatch.setattr(bulk._TermPool, "spill",
                        lambda pool: spills.append(len(pool.runs)) or spill(pool))
    session, settings_ = db.session(), search_service().settings
    ids = _published_ids()[::2]  # half the demo offers: enough for every case, half the time
    assert len(ids) > 50
    results = {}
    for name, writer_of, processes in (
            ("whoosh", lambda index: index.writer(), 1), ("bulk", BulkWriter, 1),
            ("bulk-forked", BulkWriter, 2),
            ("bulk-spilled", lambda index: BulkWriter(index, spill_bytes=15_000), 1),
            ("bulk-forked-spilled", lambda index: BulkWriter(index, spill_bytes=15_000), 2)):
        path, index = IndexStore(tmp_path / name).new_generation()
        stages = []
        for offer_ids, replace, commit in ((ids, False, {}),
                                           (ids[::3] + [max(ids) + 1000], True, {}),
                                           (ids[1::5], True, {"optimize": True})):
            writer, unpublished = writer_of(index), set()
            updater.write_offers_in_processes(writer, session, offer_ids, settings_,
                                              replace=replace, processes=processes,
                                              unpublished=unpublished)
            assert unpublished == set(offer_ids) - set(ids)  # from either half
            writer.commit(**commit)
            stages.append(segment_contents(path))
        index.close()
        results[name] = stages
    whoosh = results["whoosh"]
    assert [len(stage) for stage in whoosh] == [1, 2, 1]
    assert whoosh[1][0]["deleted"]  # the replaced documents
    assert len(spills) > 20 and max(spills) > 5  # many runs, also in one segment
    for name in ("bulk", "bulk-forked", "bulk-spilled", "bulk-forked-spilled"):
        for stage_whoosh, stage_bulk in zip(whoosh, results[name], strict=True):
            for segment_whoosh, segment_bulk in zip(stage_whoosh, stage_bulk, strict=True):
                assert segment_bulk["files"].keys() == segment_whoosh["files"].keys()
                for file, data in segment_whoosh["files"].items():
                    assert segment_bulk["files"][file] == data, (name, file)
                assert segment_bulk == segment_whoosh, name


@ONE_BACKEND
def test_spilled_postings_are_removed(demo_ctx, tmp_path):
    """The runs a writer spilled are deleted with the segment written, and when it cancels."""
    session, settings_ = db.session(), search_service().settings
    ids = _published_ids()
    for finish in ("commit", "cancel"):
        path, index = IndexStore(tmp_path / finish).new_generation()
        writer = BulkWriter(index, spill_bytes=30_000)
        updater.write_offers(writer, session, ids, settings_, replace=False)
        assert writer.pool.runs
        spilled = writer.pool._spill_dir
        assert spilled.parent == path and any(spilled.iterdir())
        getattr(writer, finish)()
        index.close()
        assert not spilled.exists()
