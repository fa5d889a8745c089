"""Search quality over the demo data: success@5 and MRR per language and per kind of query.

    python benchmarks/search_quality.py [--failures]

Loads the demo data into a temporary SQLite database, builds the index, runs every judged query
of tests/data/judged_queries.toml in its page language and prints the scores, overall, per
language, per kind, and for the word queries (all kinds but the natural-language questions).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wegweiser import create_app, db  # noqa: E402
from wegweiser.search import SearchQuery, rebuild_index, search_service  # noqa: E402
from wegweiser.search.evaluation import evaluate, load_judgements  # noqa: E402
from wegweiser.services.directory import offers_by_ids  # noqa: E402
from wegweiser.services.setup import demo_files, import_files, initialise_database  # noqa: E402

JUDGEMENTS = ROOT / "tests" / "data" / "judged_queries.toml"


def searcher():
    session = db.session()

    def search(text: str, lang: str) -> list[str]:
        result = search_service().search(SearchQuery(text=text, locale=lang, per_page=20),
                                         session)
        return [o.external_id for o in offers_by_ids(session, result.offer_ids)]

    return search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--failures", action="store_true", help="list the queries that failed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/quality.sqlite3",
                          "WEGWEISER_INDEX_DIR": f"{tmp}/index", "SECRET_KEY": "quality"})
        with app.app_context():
            initialise_database()
            assert import_files(demo_files(), "import:demo").ok
            rebuild_index(db.session())
            summary = evaluate(load_judgements(JUDGEMENTS), searcher())
    print(summary.report())
    words = summary.scores([o for o in summary.outcomes if o.judgement.kind != "question"])
    print(f"{'word queries':16} {words[0]:9.1%} {words[1]:6.3f} {words[2]:7d}"
          "   (every kind but question: the demo gate, >= 97 %)")
    if args.failures:
        print("\nfailed:")
        for outcome in summary.failures():
            j = outcome.judgement
            print(f"  [{j.lang}/{j.kind}] {j.q!r}: first relevant at {outcome.rank}; "
                  f"top 5 {outcome.ranked[:5]}")


if __name__ == "__main__":
    main()
