"""Two-node drill: do several web nodes, each with an index directory of its own, on one
database converge within seconds under load?

Two gunicorn instances (deploy/gunicorn.conf.py, ``--workers`` each, two ports on 127.0.0.1,
each with its own WEGWEISER_INDEX_DIR: two machines) serve one database with the demo
directory. ``--readers`` simulated users search the API on both nodes (words of the demo data,
several languages, filters) while ``--edits`` times an editor saves an offer's title through
the edit form (crash.py's Editor: a new word of its own in title and summary), on the two
nodes in turn. For each save the drill measures the time from its confirmation (303) until
both nodes' search (``GET /api/v1/offers?q=WORD``) return the offer, and prints p50/p99/max,
the readers' requests and latencies, and every error (answers ≥ 500, requests without an
answer, saves not confirmed, saves not visible on a node within ``--visible-seconds``).

    .venv/bin/python drills/two_nodes.py --database postgresql+psycopg://127.0.0.1:5432/nodes

The database given must exist (set up with the demo directory when it has no offers; a
temporary SQLite file without --database, which serialises writers). Bounded: ``--edits``,
``--readers``, ``--max-seconds``, requests per reader; every process started is ended; traffic
to 127.0.0.1 only. The suite runs a short version (tests/test_two_nodes_drill.py). Exit
status 1 when any check failed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import crash  # noqa: E402 - the drills' shared helpers: site, gunicorn, browser, editors

# What the simulated users search for (words of the demo data, several languages; filters).
QUERIES = ("Deutschkurs", "Beratung", "Asyl", "Wohnung", "Kinder", "Arbeit", "legal advice",
           "женщин", "مساعدة", "Frauen", "Sprachcafé", "Schwangerschaft", "kostenlos",
           "psychologische Hilfe", "Hausaufgaben")
FILTERS = ("", "", "&free=1", "&target_group=women", "&category=language-courses", "&lang=uk",
           "&lang=ar", "&open_now=1")


@dataclass
class Node:
    name: str
    site: crash.Site
    port: int = 0
    master: object = None


@dataclass
class Outcome:
    visible: list[float] = field(default_factory=list)  # seconds, both nodes, per edit
    per_node: dict[str, list[float]] = field(default_factory=dict)
    save_seconds: list[float] = field(default_factory=list)
    reads: int = 0
    read_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.visible)} edits visible on both nodes after "
                 + _spread(self.visible, "s")]
        lines += [f"  {name}: {_spread(values, 's')}" for name, values in self.per_node.items()]
        lines.append(f"saves (form post, 303): {_spread(self.save_seconds, 's')}")
        lines.append(f"readers: {self.reads} searches, {_spread(self.read_seconds, 's')}")
        lines += [f"note: {note}" for note in self.notes]
        lines.append(f"errors: {len(self.errors)}")
        lines += [f"  ERROR: {error}" for error in self.errors[:30]]
        return "\n".join(lines)


def _spread(values: list[float], unit: str) -> str:
    if not values:
        return "none"
    cut = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 \
        else [values[0]] * 99
    return (f"p50 {cut[49]:.2f} {unit}, p99 {cut[98]:.2f} {unit}, "
            f"max {max(values):.2f} {unit} (n={len(values)})")


class Reader(threading.Thread):
    """A simulated user: searches on both nodes in turn, at most ``requests`` times."""

    def __init__(self, ports: list[int], seed: int, requests: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.browsers = [crash.Browser(port) for port in ports]
        self.rng, self.requests, self.stop = random.Random(seed), requests, stop
        self.seconds: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        for n in range(self.requests):
            if self.stop.is_set():
                return
            browser = self.browsers[n % len(self.browsers)]
            path = (f"/api/v1/offers?q={quote(self.rng.choice(QUERIES))}"
                    f"{self.rng.choice(FILTERS)}")
            started = time.monotonic()
            try:
                status, _ = browser.open(path)
            except crash.NO_ANSWER as error:
                self.errors.append(f"{browser.base}{path}: no answer ({error!r})")
                continue
            self.seconds.append(time.monotonic() - started)
            if status != 200:
                self.errors.append(f"{browser.base}{path}: {status}")
            time.sleep(self.rng.uniform(0.2, 0.6))  # a user reads the results


def found_on(browser: crash.Browser, word: str, offer: str) -> bool:
    status, body = browser.open(f"/api/v1/offers?q={quote(word)}&per_page=50", timeout=10)
    return status == 200 and offer in {r["id"] for r in json.loads(body)["results"]}


class Watch(threading.Thread):
    """Asks both nodes for one save's word every 50 ms until each has found it."""

    def __init__(self, nodes: list[Node], word: str, offer: str, confirmed: float,
                 seconds: float):
        super().__init__(daemon=True)
        self.browsers = {node.name: crash.Browser(node.port) for node in nodes}
        self.word, self.offer, self.confirmed, self.seconds = word, offer, confirmed, seconds
        self.after: dict[str, float] = {}
        self.errors: list[str] = []

    def run(self) -> None:
        while len(self.after) < len(self.browsers):
            elapsed = time.monotonic() - self.confirmed
            if elapsed > self.seconds:
                missing = sorted(set(self.browsers) - set(self.after))
                self.errors.append(f"{self.word} not found on {', '.join(missing)} "
                                   f"after {self.seconds:.0f} s")
                return
            for name, browser in self.browsers.items():
                if name in self.after:
                    continue
                try:
                    if found_on(browser, self.word, self.offer):
                        self.after[name] = time.monotonic() - self.confirmed
                except crash.NO_ANSWER as error:
                    self.errors.append(f"{name}: search for {self.word}: no answer ({error!r})")
            time.sleep(0.05)


def prepare(url: str, workdir: Path, index_dirs: list[Path] | None = None) -> list[Node]:
    """The demo directory in the database (where missing) and each node's own index (built
    where missing)."""
    names = ("node-a", "node-b")
    index_dirs = index_dirs or [workdir / f"index-{name}" for name in names]
    nodes = [Node(name, crash.Site(url, index_dir, workdir))
             for name, index_dir in zip(names, index_dirs, strict=True)]
    for node in nodes:
        node.site.prepare()
    return nodes


def run(nodes: list[Node], edits: int, readers: int, workers: int = 2, editors: int = 4,
        seed: int = 15, max_seconds: float = 900, visible_seconds: float = 60,
        pause: float = 0.5, requests_per_reader: int = 2000) -> Outcome:
    """Start both nodes, load them with ``readers`` and make ``edits`` saves; then stop."""
    outcome, rng, stop = Outcome(), random.Random(seed), threading.Event()
    started = time.monotonic()
    people: list[Reader] = []
    watches: list[Watch] = []
    try:
        for node in nodes:
            node.port = crash.free_port()
            node.master = crash.start_gunicorn(node.site, node.port, workers,
                                               log=f"gunicorn-{node.name}.log")
        for node in nodes:
            booted = crash.wait_until_serving(node.port, node.master, workers)
            outcome.notes.append(f"{node.name} ({workers} workers, index "
                                 f"{node.site.index_dir}) answered after {booted:.1f} s")
        accounts = crash.editors_for(nodes[0].site, editors)
        # Each editor signed in on each node (the nodes share the secret key, not cookies).
        clients = [[crash.Editor(node.port, email, offer, rng.randrange(26 ** 6))
                    for node in nodes] for email, offer in accounts]
        for pair in clients:
            for client in pair:
                client.sign_in()
        people = [Reader([node.port for node in nodes], seed + n, requests_per_reader, stop)
                  for n in range(readers)]
        for person in people:
            person.start()
        for n in range(edits):
            if time.monotonic() - started > max_seconds:
                outcome.notes.append(f"stopped after {n} edits: --max-seconds reached")
                break
            client = clients[n % len(clients)][n % len(nodes)]
            sent = time.monotonic()
            try:
                tag = client.save()
            except crash.NO_ANSWER as error:
                outcome.errors.append(f"save {n} on port {client.browser.base}: {error!r}")
                continue
            confirmed = time.monotonic()
            if tag is None:
                outcome.errors.append(f"save {n} of {client.offer} not confirmed: "
                                      f"{client.statuses}")
                continue
            outcome.save_seconds.append(confirmed - sent)
            watch = Watch(nodes, tag, client.offer, confirmed, visible_seconds)
            watch.start()
            watches.append(watch)
            time.sleep(pause)
        for watch in watches:
            watch.join(timeout=visible_seconds + 30)
    finally:
        stop.set()
        for person in people:
            person.join(timeout=60)
        for node in nodes:
            if node.master is not None:
                crash.stop_gunicorn(node.master)
    for watch in watches:
        outcome.errors += watch.errors
        if len(watch.after) == len(nodes):
            outcome.visible.append(max(watch.after.values()))
        for name, seconds in watch.after.items():
            outcome.per_node.setdefault(name, []).append(seconds)
    for person in people:
        outcome.reads += len(person.seconds)
        outcome.read_seconds += person.seconds
        outcome.errors += person.errors
    outcome.notes.append(f"drill took {time.monotonic() - started:.0f} s")
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--max-seconds", type=float, default=900)
    parser.add_argument("--visible-seconds", type=float, default=60,
                        help="a save not visible on both nodes by then is an error")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-two-nodes-"))
    url = args.database or f"sqlite:///{workdir / 'nodes.sqlite3'}"
    nodes = prepare(url, workdir)
    load = [os.getloadavg()[0]]
    print(f"database {url.split('@')[-1]}; work folder {workdir}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    sampler = threading.Event()

    def sample_load() -> None:
        while not sampler.wait(5):
            load.append(os.getloadavg()[0])

    threading.Thread(target=sample_load, daemon=True).start()
    try:
        outcome = run(nodes, args.edits, args.readers, args.workers, seed=args.seed,
                      max_seconds=args.max_seconds, visible_seconds=args.visible_seconds)
    finally:
        sampler.set()
        for node in nodes:
            node.site.close()
    print(outcome.summary())
    print(f"load average (1 min) during the drill: {min(load):.1f} to {max(load):.1f}")
    return 1 if outcome.errors or len(outcome.visible) < args.edits else 0


if __name__ == "__main__":
    sys.exit(main())
