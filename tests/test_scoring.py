"""The postings the ranking reads (search/scoring.py) are the index's own, block by block."""
from __future__ import annotations

from wegweiser.search import search_service
from wegweiser.search.scoring import all_postings

from .helpers import import_and_index


def walked(matcher) -> tuple[list[int], list[float]]:
    """A matcher's postings a posting at a time, as any Whoosh matcher offers them."""
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_postings_read_a_block_at_a_time_are_those_read_one_at_a_time(app, tmp_path):
    # 300 offers share "Gemeinschaftsgarten" (several blocks of postings), every third has
    # "Gießkanne" twice, one has "Regentonne" (a single posting).
    offers = [{"id": f"garten-{n}", "organisation": "verein", "original_language": "de",
               "title": {"de": f"Gemeinschaftsgarten {n}"},
               "description": {"de": "Gießkanne und Gießkanne" if n % 3 == 0 else
                               ("Regentonne" if n == 7 else "Beete")},
               "categories": ["social-counselling"], "citywide": True} for n in range(300)]
    import_and_index(app, tmp_path, offers)
    with app.app_context():
        reader = search_service()._current().searcher.reader()
        checked = set()
        for fieldname, text in (("title_de", "gemeinschaftsgart"), ("body_de", "giesskann"),
                                ("body_de", "regenton"), ("body_de", "beet")):
            terms = [t for t in reader.lexicon(fieldname)
                     if (t.decode() if isinstance(t, bytes) else t).startswith(text)]
            assert terms, (fieldname, text)
            for term in terms:
                fast = all_postings(reader.postings(fieldname, term))
                slow = walked(reader.postings(fieldname, term))
                assert fast == (list(slow[0]), list(slow[1])), (fieldname, term)
                checked.add((type(reader.postings(fieldname, term)).__name__,
                             len(fast[0]) > 128))
        # Postings longer than a block of the on-disk matcher and shorter ones were compared.
        assert ("W3LeafMatcher", True) in checked and len(checked) > 1, checked
