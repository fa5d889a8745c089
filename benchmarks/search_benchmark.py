"""Search benchmark: N synthetic offers, index build time, and latency of a fixed query mix.

    python benchmarks/search_benchmark.py --offers 1000 --offers 10000
    WEGWEISER_INDEX_LANGUAGES=de python benchmarks/search_benchmark.py   # German-only fields

Generates N offers (through the importer, like any other data), rebuilds the index (seconds),
then runs a fixed mix of 200 queries (text only, text with filters, filters only) through the
search service and through ``GET /api/v1/offers`` (Flask test client), printing p50/p95/p99
in milliseconds; then 100 natural-language questions of 12 to 14 words (de, en, ar), the same
way. Each configuration runs on a fresh SQLite database in a temporary directory
unless DATABASE_URL is set. Not part of the test suite: timings depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wegweiser import create_app, db  # noqa: E402
from wegweiser.search import SearchQuery, rebuild_index, search_service  # noqa: E402
from wegweiser.search.schema import content_languages  # noqa: E402
from wegweiser.services.directory import load_vocabularies  # noqa: E402
from wegweiser.services.importer import Importer  # noqa: E402
from wegweiser.services.setup import initialise_database  # noqa: E402

WORDS = ("Beratung Deutschkurs Sprachcafé Kinder Familie Frauen Jugendliche Arbeit Ausbildung "
         "Wohnung Gesundheit Ärztin Hebamme Fahrrad Werkstatt Kleiderkammer Möbel Computer "
         "Hausaufgabenhilfe Begegnung Café Sport Fußball Musik Theater Rechtsberatung Asyl "
         "Aufenthalt Jobcenter Anträge Begleitung Dolmetschen Schule Studium Anerkennung "
         "Bewerbung Praktikum Trauma Gruppe Treffpunkt Nachbarschaft Garten Kochen Nähen "
         "Schwimmen Tanzen Lernen Hilfe Unterstützung Termin offen kostenlos Montag Abend").split()
QUERY_WORDS = ("Deutschkurs Beratung Kinder Frauen Fahrrad Wohnung Arzt Hausaufgaben Sport "
               "Café Rechtsberatung Kleidung Computer Arbeit Schule Familie Musik Asyl "
               "German bike doctor lawyer").split()


def synthetic_data(count: int, vocab, rng: random.Random) -> dict:
    quarters = [q.slug for d in vocab.districts for q in d.children]
    orgs = [{"id": f"org-{i}", "name": f"Verein {rng.choice(WORDS)} {i} e.V."}
            for i in range(max(1, count // 10))]
    offers = []
    for i in range(count):
        def text(n: int) -> str:
            return " ".join(rng.choice(WORDS) for _ in range(n))
        offer = {
            "id": f"offer-{i}", "organisation": rng.choice(orgs)["id"],
            "title": {"de": text(4)}, "summary": {"de": text(20)},
            "description": {"de": text(60)},
            "categories": rng.sample([c.slug for c in vocab.categories], rng.randint(1, 3)),
            "target_groups": rng.sample([t.slug for t in vocab.target_groups],
                                        rng.randint(1, 3)),
            "languages": ["de", *rng.sample([lang.code for lang in vocab.languages], 2)],
            "cost": rng.choice(["free", "free", "free", "reduced", "paid"]),
            "verified_at": "2026-06-01",
        }
        if rng.random() < 0.1:
            offer["citywide"] = True
        else:
            offer["areas"] = [rng.choice(quarters)]
        if rng.random() < 0.3:
            offer["title"]["en"] = text(4)
            offer["summary"]["en"] = text(20)
        offers.append(offer)
    return {"organisations": orgs, "offers": offers}


def query_mix(vocab, rng: random.Random, count: int = 200) -> list[dict]:
    areas = [d.slug for d in vocab.districts] + [q.slug for d in vocab.districts
                                                 for q in d.children[:2]]
    mix = []
    for i in range(count):
        kind = i % 4
        params: dict = {}
        if kind != 3:
            params["q"] = " ".join(rng.sample(QUERY_WORDS, rng.choice([1, 1, 2, 3])))
        if kind in (1, 3):
            params["area"] = [rng.choice(areas)]
            if rng.random() < 0.5:
                params["category"] = [rng.choice(vocab.categories).slug]
            if rng.random() < 0.3:
                params["target_group"] = [rng.choice(vocab.target_groups).slug]
            if rng.random() < 0.3:
                params["free"] = "1"
        if kind == 2 and rng.random() < 0.5:
            params["language"] = [rng.choice(["ar", "fa", "uk", "ru"])]
        mix.append(params)
    return mix


QUESTION_TEMPLATES = (
    ("de", "Wo kann ich in Leipzig {0} und {1} finden, wenn ich {2} {3} brauche?"),
    ("de", "Gibt es hier ein Angebot für {0}, das bei {1}, {2} und {3} hilft?"),
    ("en", "Where can I find {0} and {1} for my family, if we need {2} {3}?"),
    ("ar", "أين يمكنني أن أجد {0} و {1} في لايبزيغ إذا كنت أحتاج {2} {3}؟"),
)


def question_mix(rng: random.Random, count: int = 100) -> list[dict]:
    """Questions as people type or dictate them: function words around four topic words."""
    mix = []
    for i in range(count):
        lang, template = QUESTION_TEMPLATES[i % len(QUESTION_TEMPLATES)]
        mix.append({"q": template.format(*rng.sample(WORDS, 4)), "lang": lang})
    return mix


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": round(cut[49], 2), "p95": round(cut[94], 2), "p99": round(cut[98], 2)}


def run(count: int, workdir: Path, database_url: str | None, reuse: bool = False) -> dict:
    database = workdir / f"bench-{count}.sqlite3"
    reuse = reuse and (database_url is not None or database.exists())
    url = database_url or f"sqlite:///{database}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WEGWEISER_INDEX_DIR": str(workdir / f"index-{count}")})
    rng = random.Random(count)
    with app.app_context():
        initialise_database()
        session = db.session()
        vocab = load_vocabularies(session)
        data = synthetic_data(count, vocab, rng)  # also when reused: the same query mix follows
        import_seconds = index_seconds = float("nan")
        if not reuse:
            started = time.perf_counter()
            report = Importer(session, "import:benchmark").run(data)
            assert report.ok, report.problems[:3]
            session.commit()
            import_seconds = time.perf_counter() - started
            started = time.perf_counter()
            rebuild_index(session, processes=2)  # as `wegweiser reindex` on 2 cores
            index_seconds = time.perf_counter() - started
        mix = query_mix(vocab, rng)
        questions = question_mix(rng)
        service = search_service()
        service.search(SearchQuery(), session)  # open the searcher once, as a worker does
        service_ms, facet_check = [], 0
        for params in mix:
            query = SearchQuery(
                text=params.get("q", ""), area=tuple(params.get("area", ())),
                category=tuple(params.get("category", ())),
                target_group=tuple(params.get("target_group", ())),
                language=tuple(params.get("language", ())), free="free" in params)
            started = time.perf_counter()
            result = service.search(query, session)
            service_ms.append((time.perf_counter() - started) * 1000)
            facet_check += len(result.facets["category"])
        question_service_ms = []
        for params in questions:
            started = time.perf_counter()
            service.search(SearchQuery(text=params["q"], locale=params["lang"]), session)
            question_service_ms.append((time.perf_counter() - started) * 1000)
    client = app.test_client()
    api_ms, question_api_ms, api_cpu_ms = [], [], []
    for params, samples in [*((p, api_ms) for p in mix),
                            *((p, question_api_ms) for p in questions)]:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/offers?" + urlencode(params, doseq=True))
        samples.append((time.perf_counter() - started) * 1000)
        if samples is api_ms:  # this process's CPU: less sensitive to other work
            api_cpu_ms.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return {"offers": count, "import_s": round(import_seconds, 1),
            "reindex_s": round(index_seconds, 1), "service_ms": percentiles(service_ms),
            "api_ms": percentiles(api_ms), "api_cpu_ms": percentiles(api_cpu_ms),
            "question_service_ms": percentiles(question_service_ms),
            "question_api_ms": percentiles(question_api_ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, action="append",
                        help="number of synthetic offers (repeatable; default 1000 and 10000)")
    parser.add_argument("--database-url", help="database to fill (default: a temporary SQLite)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--workdir", type=Path,
                        help="keep databases and indexes here (default: a temporary directory)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: query the database (that of --database-url, or "
                             "the SQLite one) and the index an earlier run left there (no "
                             "import, no reindex)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="wegweiser-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for count in args.offers or [1000, 10000]:
            result = run(count, workdir, args.database_url, args.reuse)
            results.append(result)
            languages = ",".join(content_languages())
            print(f"languages={languages}  N={count:>6}  import {result['import_s']:>6.1f} s  "
                  f"reindex {result['reindex_s']:>5.1f} s  "
                  f"service p50/p95/p99 {result['service_ms']['p50']}/"
                  f"{result['service_ms']['p95']}/{result['service_ms']['p99']} ms  "
                  f"API p50/p95/p99 {result['api_ms']['p50']}/{result['api_ms']['p95']}/"
                  f"{result['api_ms']['p99']} ms (CPU of the request's process "
                  f"{result['api_cpu_ms']['p50']}/{result['api_cpu_ms']['p95']}/"
                  f"{result['api_cpu_ms']['p99']} ms)", flush=True)
            print(f"{'':>{len(languages) + 10}}  12-word questions: service p50/p95/p99 "
                  f"{result['question_service_ms']['p50']}/"
                  f"{result['question_service_ms']['p95']}/"
                  f"{result['question_service_ms']['p99']} ms  API p50/p95/p99 "
                  f"{result['question_api_ms']['p50']}/{result['question_api_ms']['p95']}/"
                  f"{result['question_api_ms']['p99']} ms", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
