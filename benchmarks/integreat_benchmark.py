"""Real-content benchmark: the Integreat migrant-information pages and their real questions.

    python benchmarks/integreat_benchmark.py [--dataset ../shared/datasets/integreat-qa]
                                             [--cross] [--untranslated] [--failures N]

Builds an import file in the project's import format from the integreat-qa dataset (one offer
per page: its title is the first line of the page text in each language, the rest of the text
its description; de and en for all 617 pages, fr/ar/uk where the test splits carry the page),
imports it with the importer into a temporary SQLite database exactly as ``wegweiser import``
would, builds the index and asks every answerable question through ``GET /api/v1/offers`` (Flask
test client) in the question's language. A hit is the question's own page. Prints success@5 and
MRR@10 per language, for the tuning half (even page ids) and the reporting half (odd page ids),
and milliseconds per query; in the same run, the same for a plain Whoosh BM25F index over the
same texts (wegweiser/search/baseline.py).

``--cross`` also asks the fr/ar/uk questions against an import from which that language's texts
were removed (German and English only), as a question about a page nobody translated.
``--untranslated`` removes the question's language only from the pages of the question's half
(even or odd page ids) and keeps it in the other half: the directory has Arabic texts, only not
for this page. The translations the search learns from the directory's translated offers
(wegweiser/search/lexicon.py) are then learned from the other half's pages only.

Nothing from these questions may go into the thesaurus, synonyms or stop-word lists: the figures
would mean nothing. Not part of the test suite. Dataset: Tür an Tür – Digitalfabrik gGmbH,
integreat-qa, CC BY 4.0.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wegweiser import create_app, db  # noqa: E402
from wegweiser.search import SearchQuery, rebuild_index, search_service  # noqa: E402
from wegweiser.search.baseline import PlainBM25F  # noqa: E402
from wegweiser.services.setup import import_files, initialise_database  # noqa: E402

DATASET = ROOT.parent / "shared" / "datasets" / "integreat-qa"
FILES = {"de": "dataset_de.json", "en": "dataset_en.json", "fr": "test_fr.json",
         "ar": "test_ar.json", "uk": "test_uk.json"}
CROSS_LANGUAGES = ("ar", "uk", "fr")
TITLE_LIMIT, DESCRIPTION_LIMIT = 200, 20000
DEPTH, MRR_DEPTH = 5, 10


def load(dataset: Path):
    """Pages ({page id: {lang: context}}) and answerable questions [(lang, page id, text)]."""
    pages: dict[str, dict[str, str]] = defaultdict(dict)
    original: dict[str, str] = {}
    questions = []
    for lang, name in FILES.items():
        for record in json.loads((dataset / name).read_text(encoding="utf-8")):
            page = record["pageId"]
            pages[page].setdefault(lang, record["context"])
            if lang == "de":
                original[page] = "en" if record.get("sourceLanguage") == "en" else "de"
            answers = record["answers"]
            if isinstance(answers, str):
                answers = json.loads(answers)
            if answers:
                questions.append((lang, page, record["question"]))
    return dict(pages), original, questions


def split_page(context: str) -> tuple[str, str]:
    """The page's title (its first line) and its text (the rest)."""
    lines = [line.strip() for line in context.split("\n")]
    title = lines[0][:TITLE_LIMIT]
    rest = lines[1:]
    if rest and rest[0] == lines[0]:
        rest = rest[1:]  # the title repeated as the page's heading
    return title, "\n".join(line for line in rest if line)[:DESCRIPTION_LIMIT]


def import_data(pages, original, without: str | None = None, parity: int | None = None) -> dict:
    """The import file; without the texts in language ``without`` (of the pages whose id has
    ``parity``, if given: the other half keep theirs)."""
    offers = []
    for page, texts in sorted(pages.items()):
        removed = without if parity is None or int(page) % 2 == parity else None
        texts = {lang: split_page(ctx) for lang, ctx in texts.items() if lang != removed}
        source = original.get(page, "de")
        offers.append({
            "id": f"integreat-{page}", "organisation": "integreat",
            "original_language": source if source in texts else "de",
            "title": {lang: title for lang, (title, _) in texts.items()},
            "description": {lang: body for lang, (_, body) in texts.items() if body},
            "categories": ["social-counselling"], "citywide": True,
        })
    return {"organisations": [{"id": "integreat", "name": "Integreat"}], "offers": offers}


def hits(ranks: list[int | None]) -> int:
    """How many questions found their page in the top DEPTH."""
    return sum(1 for r in ranks if r is not None and r <= DEPTH)


def scores(ranks: list[int | None]) -> tuple[float, float]:
    n = len(ranks) or 1
    mrr = sum(1 / r for r in ranks if r is not None and r <= MRR_DEPTH) / n
    return hits(ranks) / n, mrr


def rank_of(ids: list[str], page: str) -> int | None:
    target = f"integreat-{page}"
    return ids.index(target) + 1 if target in ids else None


def run(data: dict, questions, workdir: Path, label: str) -> dict:
    """Ranks and times of every question, through the API and through plain BM25F."""
    path = workdir / f"{label}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/{label}.sqlite3",
              "WEGWEISER_INDEX_DIR": f"{workdir}/index-{label}", "SECRET_KEY": "benchmark"}
    app = create_app(config)
    with app.app_context():
        initialise_database()
        report = import_files([path], "import:integreat")
        assert report.ok, report.problems[:5]
        rebuild_index(db.session())
    client = app.test_client()
    client.get("/api/v1/offers", query_string={"q": "warmup"})

    baseline_dir = workdir / f"baseline-{label}"
    baseline_dir.mkdir()
    languages = tuple(sorted({lang for offer in data["offers"] for lang in offer["title"]}))
    plain = PlainBM25F(str(baseline_dir), languages)
    for offer in data["offers"]:
        plain.add(offer["id"], {lang: (title, offer["description"].get(lang, ""))
                                for lang, title in offer["title"].items()})
    plain.commit()

    outcome = {"wegweiser": defaultdict(list), "baseline": defaultdict(list),
               "ms": defaultdict(list), "failures": []}
    for lang, page, text in questions:
        started = time.perf_counter()
        response = client.get("/api/v1/offers",
                              query_string={"q": text, "lang": lang, "per_page": MRR_DEPTH})
        outcome["ms"]["wegweiser"].append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
        ids = [r["id"] for r in response.get_json()["results"]]
        half = "tuning" if int(page) % 2 == 0 else "reporting"
        rank = rank_of(ids, page)
        outcome["wegweiser"][(lang, half)].append(rank)
        if rank is None or rank > DEPTH:
            outcome["failures"].append((lang, half, text, page, ids[:5]))
        started = time.perf_counter()
        found = plain.search(text, MRR_DEPTH)
        outcome["ms"]["baseline"].append((time.perf_counter() - started) * 1000)
        outcome["baseline"][(lang, half)].append(rank_of(found, page))
    # The search service alone, in a fresh app (its caches as cold as the API's were): the rest
    # of an API request is loading and serialising the offers of the page.
    service_app = create_app(config)
    with service_app.app_context():
        session = db.session()
        search_service().search(SearchQuery(text="warmup"), session)
        for lang, _, text in questions:
            started = time.perf_counter()
            search_service().search(SearchQuery(text=text, locale=lang, per_page=MRR_DEPTH),
                                    session)
            outcome["ms"]["service"].append((time.perf_counter() - started) * 1000)
    return outcome


def print_table(title: str, outcome: dict, languages) -> None:
    print(f"\n{title}")
    # Each cell: success@5, as found / asked (how many questions a goal is away), and MRR@10.
    print(f"{'':8}{'questions':>10}  {'Wegweiser s@5 (found/asked) / MRR@10':>52}  "
          f"{'plain BM25F s@5 (found/asked) / MRR@10':>52}")
    print(f"{'':8}{'':>10}  {'tuning':>25} {'reporting':>26}  {'tuning':>25} {'reporting':>26}")
    for lang in languages:
        cells = []
        for system in ("wegweiser", "baseline"):
            for half in ("tuning", "reporting"):
                ranks = outcome[system][(lang, half)]
                s, m = scores(ranks)
                cells.append(f"{s:.3f} ({hits(ranks)}/{len(ranks)}) / {m:.3f}")
        n = sum(len(outcome["wegweiser"][(lang, h)]) for h in ("tuning", "reporting"))
        print(f"{lang:8}{n:>10}  {cells[0]:>25} {cells[1]:>26}  {cells[2]:>25} {cells[3]:>26}")
    for system in ("wegweiser", "service", "baseline"):
        samples = sorted(outcome["ms"][system])
        mean = sum(samples) / len(samples)
        p95 = samples[int(len(samples) * 0.95)]
        name = {"wegweiser": "Wegweiser, GET /api/v1/offers", "service": "its search service",
                "baseline": "plain BM25F"}[system]
        print(f"  {name:30} {mean:6.1f} ms per query (p95 {p95:.1f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--cross", action="store_true",
                        help="also ask fr/ar/uk questions against de/en texts only")
    parser.add_argument("--only-cross", action="store_true", help="only the cross-language run")
    parser.add_argument("--untranslated", action="store_true",
                        help="also ask fr/ar/uk questions about pages not translated into the "
                             "question's language while the other half of the pages are")
    parser.add_argument("--only-untranslated", action="store_true",
                        help="only the --untranslated run")
    parser.add_argument("--failures", type=int, default=0,
                        help="list this many failed questions of the tuning half")
    args = parser.parse_args()
    pages, original, questions = load(args.dataset)
    print(f"{len(pages)} pages, {len(questions)} answerable questions")
    with tempfile.TemporaryDirectory(prefix="wegweiser-integreat-") as tmp:
        workdir = Path(tmp)
        if not (args.only_cross or args.only_untranslated):
            outcome = run(import_data(pages, original), questions, workdir, "all")
            print_table("All languages imported", outcome, FILES)
            tuning = [f for f in outcome["failures"] if f[1] == "tuning"]
            for lang, _, text, page, top in tuning[:args.failures]:
                print(f"  [{lang}] {text!r} → {page}; top 5 {[t[10:] for t in top]}")
        if args.untranslated or args.only_untranslated:
            runs = [(import_data(pages, original, without=lang, parity=parity),
                     [q for q in questions if q[0] == lang and int(q[1]) % 2 == parity],
                     f"untranslated-{lang}-{half}")
                    for lang in CROSS_LANGUAGES
                    for parity, half in ((0, "tuning"), (1, "reporting"))]
            print_table("Untranslated: the question's page lacks its language, the other half "
                        "of the pages have it", merged_runs(runs, workdir), CROSS_LANGUAGES)
        if args.cross or args.only_cross:
            runs = [(import_data(pages, original, without=lang),
                     [q for q in questions if q[0] == lang], f"without-{lang}")
                    for lang in CROSS_LANGUAGES]
            print_table("Cross-language: the question's language removed from the import",
                        merged_runs(runs, workdir), CROSS_LANGUAGES)


def merged_runs(runs, workdir: Path) -> dict:
    """The outcomes of several (import, questions, label) runs, as one."""
    merged: dict = {"wegweiser": defaultdict(list), "baseline": defaultdict(list),
                    "ms": defaultdict(list), "failures": []}
    for data, asked, label in runs:
        outcome = run(data, asked, workdir, label)
        for key in ("wegweiser", "baseline", "ms"):
            for k, v in outcome[key].items():
                merged[key][k].extend(v)
    return merged


if __name__ == "__main__":
    main()
