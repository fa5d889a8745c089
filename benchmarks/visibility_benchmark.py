"""How long after an approval does another process's search show the change?

    python benchmarks/visibility_benchmark.py [--edits 100] [--database-url URL] [--own-index]
        [--during-import 5000]

Loads the demo data, then 100 times: a moderator approves an edited title (through the same
service the review page uses) and commits; a second, separate Python process searching for
the new word every 10 ms reports when it first finds it. Without --own-index both processes
share one index directory (several gunicorn workers); with it the second process has its own
(several machines on one database). Prints p50/p99 in milliseconds.

With --during-import N (PostgreSQL: SQLite lets one writer at a time), `wegweiser import` of N
synthetic offers runs in a third process meanwhile, in one transaction that takes its
change-log numbers long before it commits; only approvals made while it runs are counted,
and afterwards the benchmark checks that the import's offers became searchable too.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from wegweiser import create_app, db  # noqa: E402
from wegweiser.models import PUBLISHED, Offer, Proposal  # noqa: E402
from wegweiser.search import SearchQuery, rebuild_index, search_service  # noqa: E402
from wegweiser.services import operations  # noqa: E402
from wegweiser.services.accounts import create_user  # noqa: E402
from wegweiser.services.directory import load_vocabularies  # noqa: E402
from wegweiser.services.records import offer_record  # noqa: E402
from wegweiser.services.setup import demo_files, import_files, initialise_database  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from search_benchmark import synthetic_data  # noqa: E402

WORKER = textwrap.dedent("""
    import json, sys, time
    from wegweiser import create_app, db
    from wegweiser.search import SearchQuery, search_service
    app = create_app(json.loads(sys.argv[1]))
    with app.app_context():
        service = search_service()
        service.search(SearchQuery(), db.session())
        print("ready", flush=True)
        for line in sys.stdin:  # one probe word and commit time per line
            word, committed = line.split()
            while True:
                session = db.session()
                if service.search(SearchQuery(text=word), session).total:
                    break
                session.rollback()
                time.sleep(0.01)
            print(json.dumps((time.time() - float(committed)) * 1000), flush=True)
        db.session().close()
        db.engine().dispose()
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--own-index", action="store_true",
                        help="the second process has its own index directory")
    parser.add_argument("--during-import", type=int, metavar="N", default=0,
                        help="approve while an import of N offers runs (PostgreSQL)")
    args = parser.parse_args()
    if args.during_import and not args.database_url:
        parser.error("--during-import needs --database-url of a PostgreSQL database")
    tmp = Path(tempfile.mkdtemp(prefix="wegweiser-visibility-"))
    config = {"SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{tmp}/db.sqlite3",
              "WEGWEISER_INDEX_DIR": str(tmp / "index"), "SECRET_KEY": "visibility",
              "WEGWEISER_OUTBOX": str(tmp / "outbox")}
    app = create_app(config)
    with app.app_context():
        initialise_database()
        import_files(demo_files(), "import:demo")
        rebuild_index(db.session())
        moderator = create_user(db.session(), "mod@example.org", "moderator")
        db.session().commit()
    worker_config = {**config, "WEGWEISER_INDEX_DIR": str(tmp / ("index-2" if args.own_index
                                                                 else "index"))}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(worker_config)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT)
    assert worker.stdout.readline().strip() == "ready"
    importer = _start_import(app, config, tmp, args.during_import) if args.during_import \
        else None
    samples = []
    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id ==
                                                   "a-sprachwerk-deutsch-eltern"))
        for i in range(args.edits):
            if importer is not None and importer.poll() is not None:
                break  # the import finished: later approvals would not be "during" it
            word = f"Sichtbarkeitsprobe{i:04d}"
            record = offer_record(offer)
            record["title"] = {**record["title"], "de": f"Deutschkurs {word}"}
            proposal = Proposal(offer_id=offer.id, base_version=offer.version, record=record)
            session.add(proposal)
            session.flush()
            operations.approve(session, operations.Actor.of(moderator), proposal.id)
            session.commit()
            committed = time.time()
            search_service().catch_up(session)  # what the approving request does after it
            worker.stdin.write(f"{word} {committed}\n")
            worker.stdin.flush()
            samples.append(json.loads(worker.stdout.readline()))
        session.close()
    imported = _finish_import(app, importer) if importer is not None else None
    with app.app_context():
        db.engine().dispose()
    worker.stdin.close()
    worker.wait(timeout=30)
    worker.stdout.close()
    cut = statistics.quantiles(samples, n=100, method="inclusive")
    mode = "own index directory" if args.own_index else "shared index directory"
    during = f", during an import of {args.during_import} offers" if importer else ""
    print(f"{len(samples)} approvals{during}, second process with {mode}: visible after "
          f"p50 {cut[49]:.0f} ms, p99 {cut[98]:.0f} ms, max {max(samples):.0f} ms")
    if imported is not None:
        print("after the import committed: {} offers searchable of {} published"
              .format(*imported))


def _start_import(app, config: dict, tmp: Path, count: int) -> subprocess.Popen:
    """`wegweiser import` of ``count`` synthetic offers in a process of its own."""
    import random

    with app.app_context():
        data = synthetic_data(count, load_vocabularies(db.session()), random.Random(count))
        db.session().rollback()
    path = tmp / f"import-{count}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
           "WEGWEISER_INDEX_DIR": config["WEGWEISER_INDEX_DIR"],
           "SECRET_KEY": "visibility"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "wegweiser"), "import",
                                str(path)],
                               env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    time.sleep(3)  # let it start writing before the approvals begin
    return process


def _finish_import(app, importer: subprocess.Popen) -> tuple[int, int]:
    """Wait for the import; then (offers this process's search finds, published offers)."""
    assert importer.wait(timeout=3600) == 0, "the import failed"
    with app.app_context():
        session = db.session()
        total = search_service().search(SearchQuery(per_page=1), session).total
        published = session.scalar(select(func.count()).select_from(Offer)
                                   .where(Offer.status == PUBLISHED))
        session.rollback()
        return total, published

if __name__ == "__main__":
    main()
