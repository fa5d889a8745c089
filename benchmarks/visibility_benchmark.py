"""How long after an approval does another process's search show the change?

    python benchmarks/visibility_benchmark.py [--edits 100] [--database-url URL] [--own-index]

Loads the demo data, then 100 times: a moderator approves an edited title (through the same
service the review page uses) and commits; a second, separate Python process searching for
the new word every 10 ms reports when it first finds it. Without --own-index both processes
share one index directory (several gunicorn workers); with it the second process has its own
(several machines on one database). Prints p50/p99 in milliseconds.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from wegweiser import create_app, db  # noqa: E402
from wegweiser.models import Offer, Proposal  # noqa: E402
from wegweiser.search import rebuild_index, search_service  # noqa: E402
from wegweiser.services import operations  # noqa: E402
from wegweiser.services.accounts import create_user  # noqa: E402
from wegweiser.services.records import offer_record  # noqa: E402
from wegweiser.services.setup import demo_files, import_files, initialise_database  # noqa: E402

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
    args = parser.parse_args()
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
    samples = []
    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id ==
                                                   "a-sprachwerk-deutsch-eltern"))
        for i in range(args.edits):
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
        db.engine().dispose()
    worker.stdin.close()
    worker.wait(timeout=30)
    worker.stdout.close()
    cut = statistics.quantiles(samples, n=100, method="inclusive")
    mode = "own index directory" if args.own_index else "shared index directory"
    print(f"{args.edits} approvals, second process with {mode}: visible after "
          f"p50 {cut[49]:.0f} ms, p99 {cut[98]:.0f} ms, max {max(samples):.0f} ms")


if __name__ == "__main__":
    main()
