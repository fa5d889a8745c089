"""Search over the demo data: filters, the area hierarchy, citywide and everyone, facet counts
checked against counts computed independently from the database, and hostile queries."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wegweiser import db
from wegweiser.models import PUBLISHED, Area, Offer
from wegweiser.opening import open_state
from wegweiser.search import FACET_FIELDS, SearchQuery, search_service

FILTERS = ("area", "category", "target_group", "language")


NOW = datetime(2026, 11, 24, 10, 20)  # a Tuesday morning, when many offers are open


def offer_values(offer: Offer) -> dict[str, set[str]]:
    """What each filter sees of an offer, derived from the database alone."""
    if offer.citywide:
        areas = {"citywide"}
    else:
        areas = {a.slug for a in offer.areas} | {a.parent.slug for a in offer.areas
                                                  if a.parent and a.parent.kind == "district"}
    return {
        "area": areas,
        "category": {c.slug for c in offer.categories},
        "target_group": {t.slug for t in offer.target_groups},
        "language": {lang.code for lang in offer.languages},
        "free": {"free"} if offer.cost == "free" else set(),
        "open_now": {"open"} if open_state([h.slot() for h in offer.opening_hours],
                                           NOW).is_open else set(),
        "accessible": {"accessible"} if offer.accessible is True else set(),
        "no_appointment": {"no_appointment"} if offer.appointment_needed is False else set(),
    }


def passes(values: dict[str, set[str]], facet: str, selected: tuple[str, ...]) -> bool:
    if not selected:
        return True
    have = values[facet]
    if facet == "area" and "citywide" in have:
        return True
    if facet == "target_group" and "everyone" in have:
        return True
    return bool(have & set(selected))


@pytest.fixture(scope="module")
def published(demo_app):
    with demo_app.app_context():
        offers = db.session().scalars(
            select(Offer).where(Offer.status == PUBLISHED).options(
                selectinload(Offer.areas).selectinload(Area.parent),
                selectinload(Offer.categories), selectinload(Offer.target_groups),
                selectinload(Offer.languages), selectinload(Offer.opening_hours))).all()
        return {o.id: offer_values(o) for o in offers}


@pytest.fixture(scope="module")
def vocabulary(published):
    values = {facet: sorted({v for vals in published.values() for v in vals[facet]})
              for facet in FACET_FIELDS}
    values["area"] = sorted(set(values["area"]) | {"mitte", "sued", "connewitz", "thekla"})
    return values


def all_ids(query: SearchQuery) -> list[int]:
    session = db.session()
    ids, page = [], 1
    while True:
        result = search_service().search(
            SearchQuery(**{**query.__dict__, "page": page, "per_page": 100}), session)
        ids.extend(result.offer_ids)
        if page >= result.pages:
            return ids
        page += 1


def expected_facets(candidates, query: SearchQuery, vocabulary) -> dict[str, dict[str, int]]:
    facets = {}
    for facet in FACET_FIELDS:
        others = [i for i in candidates
                  if all(passes(candidates[i], f, query.selected(f)) for f in FACET_FIELDS
                         if f != facet)]
        counts = {}
        for value in vocabulary[facet]:
            n = sum(1 for i in others if value in candidates[i][facet])
            if n:
                counts[value] = n
        facets[facet] = counts
    return facets


def filter_queries(vocabulary):
    def pick(facet):
        return st.lists(st.sampled_from(vocabulary[facet]), max_size=2, unique=True).map(tuple)
    return st.builds(
        SearchQuery,
        text=st.sampled_from(["", "", "Deutsch", "Beratung", "Kinder", "Frauen Café"]),
        area=pick("area"), category=pick("category"), target_group=pick("target_group"),
        language=pick("language"), free=st.booleans(), open_now=st.booleans(),
        accessible=st.booleans(), no_appointment=st.booleans(), now=st.just(NOW),
    )


def test_facets_and_totals_match_counts_computed_from_the_database(demo_ctx, published,
                                                                   vocabulary):
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(filter_queries(vocabulary))
    def check(query):
        text_only = SearchQuery(text=query.text, now=NOW)
        matched = set(all_ids(text_only))
        candidates = {i: published[i] for i in matched}
        result = search_service().search(query, db.session())
        expected_ids = {i for i in candidates
                        if all(passes(candidates[i], f, query.selected(f)) for f in FACET_FIELDS)}
        assert result.total == len(expected_ids)
        assert set(all_ids(query)) == expected_ids
        assert result.facets == expected_facets(candidates, query, vocabulary)

    check()


def test_a_district_includes_its_quarters_and_citywide_offers(demo_ctx, published):
    district = set(all_ids(SearchQuery(area=("sued",))))
    quarter = set(all_ids(SearchQuery(area=("connewitz",))))
    citywide = {i for i, v in published.items() if v["area"] == {"citywide"}}
    assert citywide and citywide <= quarter <= district
    assert quarter - citywide, "the demo data has offers in Connewitz"
    outside = {i for i, v in published.items() if "sued" not in v["area"] and i not in citywide}
    assert not district & outside
    only_citywide = set(all_ids(SearchQuery(area=("citywide",))))
    assert only_citywide == citywide


def test_offers_for_everyone_match_every_target_group(demo_ctx, published):
    everyone = {i for i, v in published.items() if "everyone" in v["target_group"]}
    women = set(all_ids(SearchQuery(target_group=("women",))))
    assert everyone and everyone <= women


def test_paging_returns_every_result_once(demo_ctx, published):
    ids = all_ids(SearchQuery())
    assert len(ids) == len(set(ids)) == len(published)
    page = search_service().search(SearchQuery(page=999, per_page=10), db.session())
    assert page.offer_ids == [] and page.total == len(published)


@pytest.mark.parametrize("text, stem", [
    ("Deutschkurs", "deutsch"),
    ("deutschkurse", "deutsch"),
    ("German course", "language-courses"),
    ("Fahrradwerkstatt", "mobility"),
    ("bike repair", "mobility"),
    ("Kleiderkammer", "donations"),
])
def test_words_find_offers_by_text_and_by_category_vocabulary(demo_ctx, text, stem):
    result = search_service().search(SearchQuery(text=text, per_page=5), db.session())
    assert result.total > 0
    offers = db.session().scalars(select(Offer).where(Offer.id.in_(result.offer_ids))).all()
    assert any(stem in (o.translations_of("title").get("de", "").lower())
               or stem in {c.slug for c in o.categories} for o in offers)


def test_umlauts_and_sharp_s_are_folded(demo_ctx):
    search = search_service().search
    session = db.session()
    for a, b in [("Grünau", "Gruenau"), ("Grünau", "Grunau"), ("Straße", "strasse"),
                 ("Begegnungscafé", "begegnungscafe")]:
        assert search(SearchQuery(text=a), session).total == search(SearchQuery(text=b),
                                                                     session).total


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300) | st.sampled_from([
    '"unbalanced', "a AND OR NOT (", "*", "title:x", "x" * 10_000, "\x00\ud7ff", "((((",
    "Deutsch~2", "~", "-", "' OR 1=1 --", "مدرسة\u200c", "\u202e"]))
def test_any_query_string_is_plain_words_and_never_raises(demo_ctx, text):
    result = search_service().search(SearchQuery(text=text), db.session())
    assert result.total >= 0
    assert len(result.offer_ids) <= result.per_page


def test_vocabulary_fields_are_computed_from_filter_values_exactly(demo_ctx):
    """The vocabulary fields' documents, derived from the filter values, are exactly the
    published offers whose labels and synonyms analyse to the term; the index itself holds no
    postings for them."""
    from wegweiser.search import bitmaps
    from wegweiser.search.documents import vocabulary_text
    from wegweiser.search.schema import text_field_name

    service = search_service()
    service.search(SearchQuery(), db.session())
    snap = service._snapshot
    reader = snap.searcher.reader()
    docnums = {fields["id"]: docnum for docnum, fields in reader.iter_docs()}
    expected: dict[tuple[str, str], set[int]] = {}
    offers = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).all()
    for offer in offers:
        for lang, texts in vocabulary_text(offer).items():
            name = text_field_name("vocab", lang)
            for text in texts:
                for token in service._analyzers[name](text):
                    expected.setdefault((name, token.text), set()).add(docnums[str(offer.id)])
    assert len(expected) > 1000
    for (name, term), docs in expected.items():
        assert list(bitmaps.docnums(snap.term_bitmap(name, term))) == sorted(docs), (name, term)
    assert snap.term_bitmap("vocab_de", "no-such-label-word") == 0
    assert not [n for n in reader.indexed_field_names() if n.startswith("vocab_")]