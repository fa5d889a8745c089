"""The judged query set: the suite fails when search quality drops below 90 % success@5."""
from __future__ import annotations

from wegweiser import db
from wegweiser.search import SearchQuery, search_service
from wegweiser.search.evaluation import evaluate, load_judgements
from wegweiser.services.directory import offers_by_ids

from .conftest import DATA

JUDGEMENTS = load_judgements(DATA / "judged_queries.toml")
LANGUAGES = {"de", "en", "ar", "fa", "uk", "ru", "tr", "fr"}


def test_the_judged_set_is_broad_enough():
    assert len(JUDGEMENTS) >= 100
    for lang in LANGUAGES:
        assert sum(j.lang == lang for j in JUDGEMENTS) >= 10, lang
    kinds = {j.kind for j in JUDGEMENTS}
    assert {"misspelled", "inflected", "diacritics", "arabic-letters-persian",
            "cross-language"} <= kinds


def test_success_at_5_is_at_least_90_percent(demo_ctx):
    session = db.session()

    def search(text: str, lang: str) -> list[str]:
        result = search_service().search(SearchQuery(text=text, locale=lang, per_page=20),
                                         session)
        return [o.external_id for o in offers_by_ids(session, result.offer_ids)]

    summary = evaluate(JUDGEMENTS, search)
    success, mrr, _ = summary.overall
    failed = [(o.judgement.lang, o.judgement.q) for o in summary.failures()]
    assert success >= 0.90, f"success@5 {success:.1%}, MRR {mrr:.3f}; failed: {failed}"
