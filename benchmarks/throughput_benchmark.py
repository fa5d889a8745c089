"""Throughput benchmark: ``wegweiser import`` of N offers and ``wegweiser reindex``, timed as
an operator runs them (each command a process of its own), on SQLite and PostgreSQL.

    python benchmarks/throughput_benchmark.py                        # SQLite, 10,000 offers
    python benchmarks/throughput_benchmark.py --postgres postgresql://127.0.0.1:5432/test

For each database: a fresh database (SQLite in a temporary directory; for PostgreSQL a new
database created beside the one named, dropped afterwards), ``wegweiser init`` and an empty
index (``wegweiser reindex``), then, timed: the import of a file of N synthetic offers in the
documented import format (the offers of ``search_benchmark.py``: German texts, 30 % also
English; N/10 organisations) including the index catching up with it, the import of the same
file again (every record unchanged), and a full ``wegweiser reindex``. The load average is
printed beside the figures (the machine may be shared), and the CPU seconds and peak resident
memory of each command (its forked process included); at 100,000 offers: ``--offers 100000
--no-sqlite --postgres URL``. With PYTHONPATH pointing at another checkout, that checkout's
code is measured (the commands run with this interpreter). Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_benchmark import synthetic_data  # noqa: E402

from wegweiser import create_app, db  # noqa: E402
from wegweiser.services.directory import load_vocabularies  # noqa: E402
from wegweiser.services.setup import initialise_database  # noqa: E402


def wegweiser(env: dict, *args: str) -> tuple[float, float, int]:
    """Run ``wegweiser ARGS`` with ``env`` (it must succeed): the seconds it took, the CPU
    seconds of the command's process (user + system; less sensitive to other work on the
    machine, but without the database server's share) and its peak resident memory in MB
    (the larger of the command's process and its forked one)."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen([str(Path(sys.executable).parent / "wegweiser"), *args],
                                   env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            output.seek(0)
            raise SystemExit(f"wegweiser {' '.join(args)} failed:\n{output.read()}")
    cpu = usage.ru_utime + usage.ru_stime
    return round(seconds, 1), round(cpu, 1), usage.ru_maxrss // 1024


@contextmanager
def postgres_database(admin_url: str):
    """A new, empty PostgreSQL database on the server of ``admin_url``; dropped afterwards."""
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"wegweiser_bench_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = plain.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(label: str, url: str, workdir: Path, count: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
           "WEGWEISER_INDEX_DIR": str(workdir / f"index-{label}")}
    env.pop("FLASK_APP", None)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WEGWEISER_INDEX_DIR": env["WEGWEISER_INDEX_DIR"]})
    with app.app_context():
        initialise_database()
        vocab = load_vocabularies(db.session())
        data = synthetic_data(count, vocab, random.Random(count))
        db.session().close()
        db.engine().dispose()
    file = workdir / f"offers-{count}.json"
    file.write_text(json.dumps(data, ensure_ascii=False))
    wegweiser(env, "reindex")  # an empty index, as on a running site
    result = {"database": label, "offers": count, "load_before": load_average()}
    for name, args in (("import", ("import", str(file))), ("reimport", ("import", str(file))),
                       ("reindex", ("reindex",))):
        result[f"{name}_s"], result[f"{name}_cpu_s"], result[f"{name}_mb"] = \
            wegweiser(env, *args)
    result["load_after"] = load_average()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=10000)
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL database on the server to use (a new database is "
                             "created beside it and dropped afterwards)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="wegweiser-throughput-") as tmp:
        workdir = Path(tmp)
        runs = [] if args.no_sqlite else [("sqlite", None)]
        if args.postgres:
            runs.append(("postgresql", args.postgres))
        for label, admin_url in runs:
            if admin_url is None:
                result = run(label, f"sqlite:///{workdir / 'bench.sqlite3'}", workdir,
                             args.offers)
            else:
                with postgres_database(admin_url) as url:
                    result = run(label, url, workdir, args.offers)
            results.append(result)
            print(f"{label:<10} N={result['offers']:>6}  " + "  ".join(
                f"{title} {result[f'{name}_s']:.1f} s (CPU {result[f'{name}_cpu_s']} s, "
                f"{result[f'{name}_mb']} MB)" for name, title in (
                    ("import", "import"), ("reimport", "re-import (unchanged)"),
                    ("reindex", "reindex"))) + f"  (load average before "
                  f"{result['load_before']}, after {result['load_after']})", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
