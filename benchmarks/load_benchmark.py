"""Load benchmark: simulated visitors (locust, headless) against gunicorn on the demo data.

    python3 -m venv .venv-bench && .venv-bench/bin/pip install --require-hashes \\
        -r requirements/bench.txt && .venv-bench/bin/pip install --no-deps \\
        --no-build-isolation -e .
    createdb wegweiser_load
    .venv-bench/bin/python benchmarks/load_benchmark.py \\
        --database postgresql+psycopg://127.0.0.1:5432/wegweiser_load --users 50 --users 100

Sets the database up with the demo directory if it has no offers (and builds the index), then
serves it with gunicorn (deploy/gunicorn.conf.py, ``--workers`` workers, rate limits counted in
Redis at ``--redis``) on a free port of 127.0.0.1 and, for each ``--users`` level, runs locust
headless with benchmarks/locustfile.py (70 % searches in eight languages with filters and
questions, 20 % offer pages, 10 % start pages; 1–3 s between a visitor's pages) for
``--seconds`` or ``--max-requests``, whichever comes first. Prints per level: requests,
failures (an answer ≥ 400 or none), requests/s, p50/p95/p99 in ms, the workers' memory (RSS
and PSS, highest seen) and the load average. Everything is bounded and goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "drills"))

from crash import Site, free_port, wait_until_serving, workers_of  # noqa: E402

BIN = Path(sys.executable).parent
TARGETS = {50: 150, 100: 300}  # users: p95 target in ms (issue 15)


def write_mix(site: Site, path: Path) -> None:
    """The queries, filter values, offer ids and languages the visitors use."""
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer
    from wegweiser.services.directory import load_vocabularies

    judged = tomllib.loads((ROOT / "tests" / "data" / "judged_queries.toml").read_text())
    queries = [{"q": q["q"], "lang": q["lang"]} for q in judged["query"]]
    with site.app.app_context():
        session = db.session()
        vocab = load_vocabularies(session)
        filters = {"area": [d.slug for d in vocab.districts]
                   + [q.slug for d in vocab.districts for q in d.children],
                   "category": [c.slug for c in vocab.categories],
                   "target_group": [t.slug for t in vocab.target_groups]}
        offers = list(session.scalars(select(Offer.external_id)
                                      .where(Offer.status == PUBLISHED)))
        session.rollback()
    path.write_text(json.dumps({"queries": queries, "filters": filters, "offers": offers,
                                "languages": sorted({q["lang"] for q in queries})}))


def memory_kb(pid: int) -> tuple[int, int]:
    """RSS and PSS of a process in kB (0, 0 once it is gone)."""
    try:
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").open()
                   if line.startswith("VmRSS:"))
        pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").open()
                   if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0, 0
    return rss, pss


class MemoryWatch(threading.Thread):
    """The highest RSS and PSS of any worker of ``master``, sampled every second."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.stop, self.rss, self.pss = master, threading.Event(), 0, 0
        self.workers: set[int] = set()

    def run(self) -> None:
        while not self.stop.wait(1):
            for pid in workers_of(self.master):
                self.workers.add(pid)
                rss, pss = memory_kb(pid)
                self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)


def run_level(port: int, master: int, users: int, seconds: int, max_requests: int,
              mix: Path, out: Path) -> dict:
    prefix = out / f"users{users}"
    env = {**os.environ, "WEGWEISER_LOAD_MIX": str(mix),
           "WEGWEISER_LOAD_MAX_REQUESTS": str(max_requests)}
    watch = MemoryWatch(master)
    watch.start()
    load_before = os.getloadavg()
    started = time.monotonic()
    subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py"),
                    "--headless", "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
                    "--run-time", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
                    "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
                    "--loglevel", "WARNING"],
                   env=env, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    watch.stop.set()
    watch.join()
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    if not int(total["Request Count"]):
        raise RuntimeError(f"locust sent no request (see {prefix}_*.csv)")
    return {"users": users, "seconds": round(time.monotonic() - started),
            "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": float(total["Requests/s"]), "p50": float(total["50%"]),
            "p95": float(total["95%"]), "p99": float(total["99%"]),
            "by_kind": {name: (int(r["Request Count"]), float(r["50%"]), float(r["95%"]))
                        for name, r in rows.items() if name != "Aggregated"},
            "rss_mb": watch.rss / 1024, "pss_mb": watch.pss / 1024,
            "workers_seen": len(watch.workers),
            "load": (load_before, os.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL (the database must "
                        "exist; the demo directory is loaded when it has no offers)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--users", type=int, action="append", help="repeatable; default 50, 100")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=180, help="per level")
    parser.add_argument("--max-requests", type=int, default=20000, help="per level")
    args = parser.parse_args(argv)
    for url in (args.database, args.redis):
        host = url.split("@")[-1].split("//")[-1].split("/")[0].split(":")[0]
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: the benchmark talks to this machine only")
    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-load-"))
    site = Site(args.database, workdir / "index", workdir)
    site.prepare()
    mix = workdir / "mix.json"
    write_mix(site, mix)
    site.close()
    port = free_port()
    os.environ["WEGWEISER_RATELIMIT_STORAGE"] = args.redis  # for gunicorn's workers
    master = site.start("gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                        "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
                        "wegweiser:create_app()", log="gunicorn.log")
    failed = False
    try:
        wait_until_serving(port, master, args.workers)
        print(f"gunicorn, {args.workers} workers, PostgreSQL and Redis on 127.0.0.1; "
              f"{sum(1 for _ in json.loads(mix.read_text())['offers'])} published offers; "
              f"work folder {workdir}", flush=True)
        for users in args.users or [50, 100]:
            r = run_level(port, master.pid, users, args.seconds, args.max_requests, mix,
                          workdir)
            target = TARGETS.get(users)
            met = "" if target is None else (
                f" (target p95 ≤ {target} ms: {'met' if r['p95'] <= target else 'MISSED'})")
            print(f"{users} users, {r['seconds']} s: {r['requests']} requests, "
                  f"{r['failures']} failures, {r['rps']:.1f} requests/s, p50 {r['p50']:.0f} / "
                  f"p95 {r['p95']:.0f} / p99 {r['p99']:.0f} ms{met}; per worker at most "
                  f"RSS {r['rss_mb']:.0f} MB, PSS {r['pss_mb']:.0f} MB; load average "
                  f"{r['load'][0][0]:.1f} before, {r['load'][1][0]:.1f} after", flush=True)
            for name, (count, p50, p95) in sorted(r["by_kind"].items()):
                print(f"  {name}: {count} requests, p50 {p50:.0f} / p95 {p95:.0f} ms")
            failed = failed or r["failures"] > 0 or (target is not None and r["p95"] > target)
    finally:
        master.terminate()
        master.wait(timeout=60)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
