"""Crash drill: kill -9 at random moments, then check that nothing half-written is visible and
that the search index converges to the database.

Three kinds, each killed ``--times`` times (25 by default):

- ``import``: `wegweiser import` of ``--offers`` synthetic offers (a few thousand), killed at a
  random moment of its run. The import is all or nothing: afterwards the database holds every
  organisation, offer and revision of the file or none, and a reader polling the database
  meanwhile never saw a part of them.
- ``reindex``: `wegweiser reindex` (with its analysing child processes: the whole process
  group) killed at a random moment while offers are changed in the database meanwhile.
- ``worker``: the site under gunicorn (deploy/gunicorn.conf.py, 2 workers) while two editors
  save their offers again and again over HTTP (title and summary carry the same new word in
  one save) and a reader fetches the offers from the API; one worker is killed at a random
  moment, gunicorn starts another. No offer may ever show a title and summary of two
  different saves, in the API or in the database; every save the editor saw confirmed (303)
  is in the database and its history; the served search finds each offer's last word.

After every kill the index must converge to the database: the published offers' ids and
versions in the current index generation equal the database's (a process catches up with the
change log, as the next request of any worker would), within ``--converge-seconds``. The first
run of `import` and `reindex` is not killed: it measures how long a whole run takes, and the
kill moments are drawn from that span.

    .venv/bin/python drills/crash.py                      # all three, 25 times each, SQLite
    .venv/bin/python drills/crash.py --kind worker --times 5 \\
        --database postgresql+psycopg://127.0.0.1:5432/crash

The database given must exist (it is set up with the demo directory when it has no offers).
Everything is bounded (``--times``, ``--max-seconds`` per kind); every process started is
ended; traffic goes to 127.0.0.1 only. The suite runs two kills of each kind on SQLite and
PostgreSQL (tests/test_crash_drill.py). Exit status 1 when any check failed.
"""
from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import read_form  # noqa: E402 - the form as a browser submits it

BIN = Path(sys.executable).parent
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
KINDS = ("import", "reindex", "worker")
SECRET = "crash-drill"
PASSWORD = "crash drill password 15"
TITLE_WORD, SUMMARY_WORD = "Absturzprobe", "Probentext"
TAG = re.compile(r"\b(zq[a-z]+)\b")


@dataclass
class Kill:
    at: float  # seconds after the process started (worker: after the drill started)
    outcome: str
    converged_after: float | None = None  # seconds from the kill's checks to a matching index


@dataclass
class Result:
    kind: str
    kills: list[Kill] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        outcomes: dict[str, int] = {}
        for kill in self.kills:
            outcomes[kill.outcome] = outcomes.get(kill.outcome, 0) + 1
        converged = [k.converged_after for k in self.kills if k.converged_after is not None]
        lines = [f"{self.kind}: {len(self.kills)} kills in {self.seconds:.0f} s; "
                 + ", ".join(f"{n}× {o}" for o, n in sorted(outcomes.items()))
                 + (f"; index matched the database after at most {max(converged):.1f} s"
                    if converged else "")
                 + f"; problems: {len(self.problems)}"]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  PROBLEM: {problem}" for problem in self.problems[:30]]
        return "\n".join(lines)


# -- the site: database, index, processes -----------------------------------------------------

class Site:
    """A database and index directory, the drill's own app on them (for checks), and the
    environment of the processes it starts."""

    def __init__(self, url: str, index_dir: Path, workdir: Path):
        from wegweiser import create_app

        self.url, self.index_dir, self.workdir = url, Path(index_dir), Path(workdir)
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                               "WEGWEISER_INDEX_DIR": str(index_dir), "SECRET_KEY": SECRET,
                               "WEGWEISER_INDEX_RETRY_SECONDS": 0,
                               "WEGWEISER_OUTBOX": str(self.workdir / "outbox")})

    def env(self) -> dict:
        return {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": SECRET,
                "WEGWEISER_INDEX_DIR": str(self.index_dir),
                "WEGWEISER_OUTBOX": str(self.workdir / "outbox"), "GUNICORN_CMD_ARGS": ""}

    def start(self, *args: str, log: str) -> subprocess.Popen:
        """A command in a process group of its own (so its children die with it)."""
        with open(self.workdir / log, "ab") as out:
            return subprocess.Popen([str(BIN / args[0]), *args[1:]], env=self.env(), cwd=ROOT,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    start_new_session=True)

    def prepare(self) -> None:
        """Reference data, the demo directory and the index, where missing."""
        from wegweiser import db
        from wegweiser.search import rebuild_index
        from wegweiser.services.setup import (
            demo_files,
            has_offers,
            import_files,
            initialise_database,
        )

        with self.app.app_context():
            initialise_database()
            if not has_offers():
                report = import_files(demo_files(), "import:demo")
                assert report.ok, report.problems[:5]
            if not (self.index_dir / "current").exists():
                rebuild_index(db.session())

    def close(self) -> None:
        from wegweiser import db

        with self.app.app_context():
            db.engine().dispose()


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def run_until(process: subprocess.Popen, seconds: float) -> int | None:
    """Wait up to ``seconds``; the exit status if the process ended by then, else kill it
    (and its children) with SIGKILL and return None."""
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return None


def index_differences(site: Site) -> list[str]:
    """Let this process catch up with the change log, then compare the current generation's
    offer ids and versions with the database's published offers."""
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer
    from wegweiser.search import search_service

    with site.app.app_context():
        session = db.session()
        service = search_service()
        service.catch_up(session)
        expected = {str(i): v for i, v in session.execute(
            select(Offer.id, Offer.version).where(Offer.status == PUBLISHED))}
        session.rollback()
        try:
            stored = service.store.stored_versions()
        except Exception as exc:  # noqa: BLE001 - a damaged index is a finding, shown as such
            return [f"the index cannot be read: {exc!r}"]
    problems = []
    missing = sorted(expected.keys() - stored.keys(), key=int)
    extra = sorted(stored.keys() - expected.keys(), key=int)
    stale = sorted((k for k in expected.keys() & stored.keys() if stored[k] != expected[k]),
                   key=int)
    if missing:
        problems.append(f"{len(missing)} published offers missing from the index: {missing[:5]}")
    if extra:
        problems.append(f"{len(extra)} documents of offers not published: {extra[:5]}")
    if stale:
        problems.append(f"{len(stale)} documents of an older version: "
                        + ", ".join(f"{k} (index {stored[k]}, database {expected[k]})"
                                    for k in stale[:5]))
    return problems


def converge(site: Site, seconds: float) -> tuple[float, list[str]]:
    """Seconds until the index matched the database (the differences left when it did not
    within ``seconds``)."""
    start = time.monotonic()
    while True:
        problems = index_differences(site)
        elapsed = time.monotonic() - start
        if not problems or elapsed > seconds:
            return elapsed, problems
        time.sleep(0.2)


def _after_kill(site: Site, result: Result, kill: Kill, seconds: float) -> None:
    elapsed, problems = converge(site, seconds)
    if problems:
        result.problems += [f"kill at {kill.at:.2f} s ({kill.outcome}), index after "
                            f"{elapsed:.0f} s: {p}" for p in problems]
    else:
        kill.converged_after = elapsed
    result.kills.append(kill)
    state = f"matched after {elapsed:.1f} s" if not problems else "DID NOT MATCH"
    print(f"  {result.kind} kill {len(result.kills)} at {kill.at:.2f} s: {kill.outcome}; "
          f"index {state}", flush=True)


# -- import -----------------------------------------------------------------------------------

def import_file(site: Site, prefix: str, count: int, rng: random.Random) -> Path:
    """``count`` synthetic offers (benchmarks/search_benchmark.py) with ids of their own."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from search_benchmark import synthetic_data

    from wegweiser import db
    from wegweiser.services.directory import load_vocabularies

    with site.app.app_context():
        data = synthetic_data(count, load_vocabularies(db.session()), rng)
        db.session().rollback()
    for organisation in data["organisations"]:
        organisation["id"] = prefix + organisation["id"]
    for offer in data["offers"]:
        offer["id"], offer["organisation"] = prefix + offer["id"], prefix + offer["organisation"]
    path = site.workdir / f"{prefix}import.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def imported(site: Site, prefix: str, file_name: str) -> tuple[int, int, int]:
    """Organisations, offers and revisions of one import file in the database."""
    from sqlalchemy import func, select

    from wegweiser import db
    from wegweiser.models import Offer, Organisation, Revision

    # One statement, so one snapshot: under PostgreSQL's READ COMMITTED three statements could
    # straddle the import's commit and see "0 organisations, 150 offers" of a whole import.
    counts = [select(func.count()).where(Organisation.external_id.startswith(prefix)),
              select(func.count()).where(Offer.external_id.startswith(prefix)),
              select(func.count()).where(Revision.actor == f"import:{file_name}")]
    with site.app.app_context():
        session = db.session()
        row = session.execute(select(*(count.scalar_subquery() for count in counts))).one()
        session.rollback()
    return tuple(row)


class Watcher(threading.Thread):
    """Polls the database from another connection while something runs: every value seen."""

    def __init__(self, read):
        super().__init__(daemon=True)
        self.read, self.seen, self.stop = read, set(), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.seen.add(self.read())
            time.sleep(0.05)

    def finish(self) -> set:
        self.stop.set()
        self.join()
        return self.seen


def drill_import(site: Site, times: int, offers: int, rng: random.Random, max_seconds: float,
                 converge_seconds: float) -> Result:
    result, started = Result("import"), time.monotonic()
    path = import_file(site, "zqcal-", offers, rng)
    begin = time.monotonic()
    status = site.start("wegweiser", "import", str(path), log="import.log").wait()
    duration = time.monotonic() - begin
    whole = imported(site, "zqcal-", path.name)
    path.unlink()
    if status != 0 or whole[1] != offers:
        result.problems.append(f"the import that was not killed failed: status {status}, "
                               f"{whole[1]} of {offers} offers")
        return result
    result.notes.append(f"a whole import of {offers} offers took {duration:.1f} s "
                        f"({whole[0]} organisations, {whole[2]} revisions)")
    _, problems = converge(site, converge_seconds)
    result.problems += [f"after the import that was not killed: {p}" for p in problems]
    for n in range(times):
        if time.monotonic() - started > max_seconds:
            result.notes.append(f"stopped after {n} kills: --max-seconds reached")
            break
        prefix = f"zq{n}-"
        path = import_file(site, prefix, offers, rng)
        watcher = Watcher(lambda p=prefix, name=path.name: imported(site, p, name))
        watcher.start()
        at = rng.uniform(0.1, 1.0) * duration
        status = run_until(site.start("wegweiser", "import", str(path), log="import.log"), at)
        seen = watcher.finish()
        counts = imported(site, prefix, path.name)
        path.unlink()
        if counts == (0, 0, 0):
            outcome = "nothing imported"
        elif counts == whole:
            outcome = "all imported"
        else:
            outcome = "PART imported"
            result.problems.append(f"kill at {at:.2f} s: organisations, offers, revisions "
                                   f"{counts}, expected none or {whole}")
        partial = seen - {(0, 0, 0), whole}
        if partial:
            result.problems.append(f"kill at {at:.2f} s: another connection saw a part of the "
                                   f"import: {sorted(partial)[:3]}")
        if status is not None:
            outcome += f" (ended by itself, status {status})"
        _failed_by_itself(result, at, "import", status)
        _after_kill(site, result, Kill(at, outcome), converge_seconds)
    result.seconds = time.monotonic() - started
    return result


# -- reindex ----------------------------------------------------------------------------------

class Changer(threading.Thread):
    """Changes published offers in the database while a reindex runs: a new confirmation date
    (a new version) and now and then "no longer offered" / "offered again"."""

    def __init__(self, site: Site, rng: random.Random):
        super().__init__(daemon=True)
        self.site, self.rng, self.stop, self.changes = site, rng, threading.Event(), 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from sqlalchemy import select

        from wegweiser import db
        from wegweiser.models import ARCHIVED, PUBLISHED, Offer

        try:
            with self.site.app.app_context():
                session = db.session()
                ids = list(session.scalars(select(Offer.id).where(
                    Offer.status.in_([PUBLISHED, ARCHIVED])).order_by(Offer.id).limit(300)))
                while not self.stop.wait(self.rng.uniform(0.05, 0.3)):
                    offer = session.get(Offer, self.rng.choice(ids))
                    if self.rng.random() < 0.2:
                        offer.status = ARCHIVED if offer.status == PUBLISHED else PUBLISHED
                    else:
                        offer.verified_at = date.today() - timedelta(days=self.rng.randrange(400))
                    session.commit()
                    self.changes += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the drill
            self.error = exc

    def finish(self) -> None:
        self.stop.set()
        self.join()
        if self.error is not None:
            raise self.error


def _failed_by_itself(result: Result, at: float, command: str, status: int | None) -> None:
    """A command that ended before its kill must have succeeded (its log is in the work
    folder, ``{command}.log``)."""
    if status not in (None, 0):
        result.problems.append(f"kill at {at:.2f} s: `wegweiser {command}` failed by itself "
                               f"(status {status}; see {command}.log)")


def generations(site: Site) -> list[str]:
    return sorted(p.name for p in site.index_dir.glob("gen-*"))


def drill_reindex(site: Site, times: int, rng: random.Random, max_seconds: float,
                  converge_seconds: float, last_whole_run: bool = True) -> Result:
    result, started = Result("reindex"), time.monotonic()
    begin = time.monotonic()
    status = site.start("wegweiser", "reindex", log="reindex.log").wait()
    duration = time.monotonic() - begin
    if status != 0:
        result.problems.append(f"the reindex that was not killed failed: status {status}")
        return result
    result.notes.append(f"a whole reindex took {duration:.1f} s")
    changes = 0
    for n in range(times):
        if time.monotonic() - started > max_seconds:
            result.notes.append(f"stopped after {n} kills: --max-seconds reached")
            break
        changer = Changer(site, rng)
        changer.start()
        at = rng.uniform(0.1, 1.0) * duration
        status = run_until(site.start("wegweiser", "reindex", log="reindex.log"), at)
        changer.finish()
        changes += changer.changes
        try:
            os.listdir(site.index_dir / "current")
        except OSError as exc:
            result.problems.append(f"kill at {at:.2f} s: `current` does not lead to a "
                                   f"generation: {exc!r}")
        outcome = "killed" if status is None else f"ended by itself, status {status}"
        _failed_by_itself(result, at, "reindex", status)
        _after_kill(site, result, Kill(at, outcome), converge_seconds)
    result.notes.append(f"{changes} changes committed during the killed runs")
    if last_whole_run:
        _last_whole_reindex(site, result, converge_seconds)
    result.seconds = time.monotonic() - started
    return result


def _last_whole_reindex(site: Site, result: Result, converge_seconds: float) -> None:
    """One more reindex, not killed: it removes what the killed ones left."""
    left = generations(site)
    status = site.start("wegweiser", "reindex", log="reindex.log").wait()
    after = generations(site)
    result.notes.append(f"generations left by the killed runs: {len(left)}, after one more "
                        f"whole reindex: {len(after)}")
    if status != 0 or len(after) != 1:
        result.problems.append(f"the last reindex: status {status}, generations {after}")
    _, problems = converge(site, converge_seconds)
    result.problems += [f"after the last reindex: {p}" for p in problems]


# -- a worker in the middle of editor saves ---------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, no redirects followed, no proxy: 127.0.0.1 only."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), _NoRedirect(),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, form: list | None = None, timeout: float = 30) -> tuple[int, str]:
        data = urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, path: str) -> str:
        page = self.open(path)[1]
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


NO_ANSWER = (OSError, http.client.HTTPException)


def tag_of(number: int) -> str:
    """A word of letters only (so the analyzers keep it whole): zq + the number in base 26."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters = chr(ord("a") + digit) + letters
        if not number:
            return "zq" + letters


class Editor(threading.Thread):
    """Opens the edit form of one offer and saves it with a new word in its title and summary,
    again and again; remembers which saves were confirmed (303), refused, or got no answer."""

    def __init__(self, port: int, email: str, offer: str, first_tag: int):
        super().__init__(daemon=True)
        self.browser, self.email, self.offer = Browser(port), email, offer
        self.number, self.stop = first_tag, threading.Event()
        self.saved: list[str] = []
        self.unknown: list[str] = []
        self.posting = threading.Event()  # a save has been sent and not yet answered
        self.durations: list[float] = []
        self.statuses: dict[int, int] = {}
        self.no_answer = 0

    def sign_in(self) -> None:
        status, _ = self.browser.open("/de/login", [
            ("csrf_token", self.browser.csrf("/de/login")), ("email", self.email),
            ("password", PASSWORD)])
        assert status == 303, f"{self.email} could not sign in: {status}"

    def save(self) -> str | None:
        """One save through the edit form, with the next tag in its title and summary; the tag
        if it was confirmed (303). Raises NO_ANSWER when the form could not be fetched."""
        path = f"/de/manage/offers/{self.offer}/edit"
        status, page = self.browser.open(path)
        if status != 200:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            time.sleep(0.1)
            return None
        reader = read_form(page)
        tag = tag_of(self.number)
        self.number += 1
        form = [(k, f"{TITLE_WORD} {tag}" if k == "title" else
                 f"{SUMMARY_WORD} {tag}: Kurs für Eltern." if k == "summary" else v)
                for k, v in reader.fields]
        self.posting.set()
        sent = time.monotonic()
        try:
            status, _ = self.browser.open(path, form)
        except NO_ANSWER:
            self.unknown.append(tag)
            self.no_answer += 1
            return None
        finally:
            self.posting.clear()
        self.durations.append(time.monotonic() - sent)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == 303:
            self.saved.append(tag)
            return tag
        return None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.save()
            except NO_ANSWER:
                self.no_answer += 1
                time.sleep(0.05)


class Reader(threading.Thread):
    """Fetches the offers from the API and the offer pages; a title and summary of two
    different saves, or an answer ≥ 500, is a finding."""

    def __init__(self, port: int, offers: list[str]):
        super().__init__(daemon=True)
        self.browser, self.offers, self.stop = Browser(port), offers, threading.Event()
        self.problems: list[str] = []
        self.reads = self.no_answer = 0

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            offer = self.offers[n % len(self.offers)]
            n += 1
            try:
                status, body = self.browser.open(f"/api/v1/offers/{offer}?lang=de")
                page_status, _ = self.browser.open(f"/de/offers/{offer}")
            except NO_ANSWER:
                self.no_answer += 1
                time.sleep(0.05)
                continue
            self.reads += 1
            if status >= 500 or page_status >= 500:
                self.problems.append(f"{offer}: answers {status} / {page_status}")
                continue
            if status != 200:
                continue
            data = json.loads(body)
            title, summary = data["title"].get("de", ""), data["summary"].get("de", "")
            if TAG.findall(title) != TAG.findall(summary):
                self.problems.append(f"{offer}: half-written in the API: {title!r} / "
                                     f"{summary!r}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(site: Site, port: int, workers: int,
                   log: str = "gunicorn.log") -> subprocess.Popen:
    """The site under gunicorn with the committed configuration, on 127.0.0.1:``port``."""
    return site.start("gunicorn", "-c", str(GUNICORN_CONFIG), "-b", f"127.0.0.1:{port}",
                      "-w", str(workers), "wegweiser:create_app()", log=log)


def stop_gunicorn(master: subprocess.Popen) -> None:
    master.terminate()
    try:
        master.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_group(master)


def workers_of(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry.name))
    return children


def wait_until_serving(port: int, master: subprocess.Popen, workers: int,
                       seconds: float = 120) -> float:
    """Seconds until gunicorn has all its workers and answers /health."""
    start, browser = time.monotonic(), Browser(port)
    while time.monotonic() - start < seconds:
        if master.poll() is not None:
            raise RuntimeError(f"gunicorn ended with status {master.returncode}")
        try:
            if len(workers_of(master.pid)) == workers and \
                    browser.open("/health", timeout=5)[0] == 200:
                return time.monotonic() - start
        except NO_ANSWER:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s")


def editors_for(site: Site, count: int) -> list[tuple[str, str]]:
    """(email, offer) of ``count`` editors, each of a trusted organisation with a published
    offer of its own; accounts made here with a password."""
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer, Organisation, User
    from wegweiser.services.accounts import create_user, set_password

    chosen = []
    with site.app.app_context():
        session = db.session()
        for organisation in session.scalars(select(Organisation).order_by(Organisation.id)):
            offer = session.scalar(select(Offer.external_id).where(
                Offer.organisation_id == organisation.id, Offer.status == PUBLISHED)
                .order_by(Offer.id).limit(1))
            if offer is None:
                continue
            email = f"crash-editor-{len(chosen)}@example.org"
            organisation.trusted = True
            user = session.scalar(select(User).where(User.email == email)) or \
                create_user(session, email, "editor", organisation.external_id)
            set_password(user, PASSWORD)
            chosen.append((email, offer))
            if len(chosen) == count:
                break
        session.commit()
    return chosen


def database_words(site: Site, external_id: str) -> tuple[str, str, list[str], int]:
    """An offer's title and summary (German) in the database, the words of its history's
    titles (newest last) and its version."""
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import Offer, Revision

    with site.app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == external_id))
        texts = {t.field: t.text for t in offer.texts if t.locale == "de"}
        history = [json.dumps(r.changes.get("title", {}).get("after"), ensure_ascii=False)
                   for r in session.scalars(select(Revision).where(
                       Revision.entity_type == "offer", Revision.entity_id == offer.id)
                       .order_by(Revision.id))]
        version = offer.version
        session.rollback()
    words = [w for h in history for w in TAG.findall(h)]
    return texts.get("title", ""), texts.get("summary", ""), words, version


def searchable(port: int, word: str, offer: str, tries: int = 6) -> bool:
    """Whether the served search finds ``offer`` by ``word`` (asked several times, so that
    every worker answers at least once most likely)."""
    browser = Browser(port)
    for _ in range(tries):
        status, body = browser.open(f"/api/v1/offers?q={quote(word)}&per_page=50")
        if status != 200 or offer not in {r["id"] for r in json.loads(body)["results"]}:
            return False
    return True


def drill_worker(site: Site, times: int, rng: random.Random, max_seconds: float,
                 converge_seconds: float) -> Result:
    result, started = Result("worker"), time.monotonic()
    editors = editors_for(site, 2)
    port, workers = free_port(), 2
    master = start_gunicorn(site, port, workers)
    clients: list[Editor] = []
    reader = None
    try:
        booted = wait_until_serving(port, master, workers)
        result.notes.append(f"gunicorn with {workers} workers answered after {booted:.1f} s")
        # Words of their own in every run (the database may be used again).
        clients = [Editor(port, email, offer, rng.randrange(26 ** 6))
                   for email, offer in editors]
        for client in clients:
            client.sign_in()
            client.start()
        reader = Reader(port, [offer for _, offer in editors])
        reader.start()
        back = []
        for n in range(times):
            if time.monotonic() - started > max_seconds:
                result.notes.append(f"stopped after {n} kills: --max-seconds reached")
                break
            _in_the_middle_of_a_save(clients, rng)
            victims = workers_of(master.pid)
            if not victims:
                continue
            os.kill(rng.choice(victims), signal.SIGKILL)
            at = time.monotonic() - started
            back.append(wait_until_serving(port, master, workers))
            result.kills.append(Kill(at, "worker killed"))
        _until_each_saved_again(clients, seconds=30)
        for client in clients:
            client.stop.set()
        reader.stop.set()
        for thread in [*clients, reader]:
            thread.join(timeout=60)
        result.notes.append(
            f"a killed worker was replaced and the site answered after at most "
            f"{max(back, default=0):.2f} s; saves confirmed "
            f"{sum(len(c.saved) for c in clients)}, without answer "
            f"{sum(c.no_answer for c in clients)}, other answers "
            f"{_merged(c.statuses for c in clients)}; reader: {reader.reads} reads, "
            f"{reader.no_answer} without answer")
        result.problems += reader.problems
        for client in clients:
            result.problems += _check_saves(site, port, client)
        elapsed, problems = converge(site, converge_seconds)
        result.problems += [f"index after {elapsed:.0f} s: {p}" for p in problems]
        for kill in result.kills:
            kill.converged_after = None if problems else elapsed
    finally:
        for client in clients:
            client.stop.set()
        if reader is not None:
            reader.stop.set()
        stop_gunicorn(master)
    result.seconds = time.monotonic() - started
    return result


def _in_the_middle_of_a_save(clients: list[Editor], rng: random.Random) -> None:
    """Wait until an editor has sent a save, then a random part of a save's usual time."""
    deadline = time.monotonic() + 30
    while not any(c.posting.is_set() for c in clients) and time.monotonic() < deadline:
        time.sleep(0.005)
    durations = sorted(d for c in clients for d in c.durations[-20:]) or [0.3]
    time.sleep(rng.uniform(0, durations[len(durations) // 2]))


def _until_each_saved_again(clients: list[Editor], seconds: float) -> None:
    """Let the editors go on until each has had a save confirmed after the last kill (or the
    time is up): the site must take saves again, and a short drill whose only save was the one
    the kill cut off would otherwise have nothing confirmed to check."""
    before = [len(c.saved) for c in clients]
    deadline = time.monotonic() + seconds
    while (any(len(c.saved) <= n for c, n in zip(clients, before, strict=True))
           and time.monotonic() < deadline):
        time.sleep(0.05)


def _merged(counters) -> dict:
    merged: dict = {}
    for counter in counters:
        for key, n in counter.items():
            merged[key] = merged.get(key, 0) + n
    return {k: merged[k] for k in sorted(merged) if k != 303}


def _check_saves(site: Site, port: int, client: Editor) -> list[str]:
    problems = []
    title, summary, history, _version = database_words(site, client.offer)
    title_words, summary_words = TAG.findall(title), TAG.findall(summary)
    if title_words != summary_words:
        problems.append(f"{client.offer}: half-written in the database: {title!r} / "
                        f"{summary!r}")
    lost = [tag for tag in client.saved if tag not in history]
    if lost:
        problems.append(f"{client.offer}: confirmed saves missing from the history: {lost[:5]}")
    if len(set(history)) != len(history):
        problems.append(f"{client.offer}: a save recorded twice in the history")
    mine = client.saved + client.unknown
    if title_words and mine:
        last = title_words[0]
        if history and history[-1] != last:
            problems.append(f"{client.offer}: the newest revision ({history[-1]}) is not the "
                            f"offer's state ({last})")
        if last not in mine:
            problems.append(f"{client.offer}: the database holds a word never sent: {last}")
        if not searchable(port, last, client.offer):
            problems.append(f"{client.offer}: the served search does not find its last "
                            f"save's word {last}")
    elif not client.saved:
        problems.append(f"{client.offer}: no save was confirmed at all")
    return problems


# -- the command ------------------------------------------------------------------------------

def run_kinds(site: Site, kinds: list[str], times: int, offers: int, seed: int,
              max_seconds: float, converge_seconds: float,
              last_whole_reindex: bool = True) -> list[Result]:
    rng = random.Random(seed)
    results = []
    for kind in kinds:
        if kind == "import":
            results.append(drill_import(site, times, offers, rng, max_seconds,
                                        converge_seconds))
        elif kind == "reindex":
            results.append(drill_reindex(site, times, rng, max_seconds, converge_seconds,
                                         last_whole_reindex))
        else:
            results.append(drill_worker(site, times, rng, max_seconds, converge_seconds))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, action="append",
                        help="repeatable; default: all three")
    parser.add_argument("--times", type=int, default=25, help="kills of each kind")
    parser.add_argument("--offers", type=int, default=3000, help="offers per import")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--max-seconds", type=float, default=1800, help="per kind")
    parser.add_argument("--converge-seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-crash-"))
    url = args.database or f"sqlite:///{workdir / 'crash.sqlite3'}"
    site = Site(url, workdir / "index", workdir)
    site.prepare()
    print(f"database {url.split('@')[-1]}; work folder {workdir}; seed {args.seed}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    failed = False
    try:
        for kind in args.kind or KINDS:
            [result] = run_kinds(site, [kind], args.times, args.offers, args.seed,
                                 args.max_seconds, args.converge_seconds)
            print(result.summary(), flush=True)
            failed = failed or bool(result.problems)
    finally:
        site.close()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
