"""Fuzz drill: hostile requests over every route of the site and the API; no answer may be ≥ 500.

Every request is built from a route of the application's URL map: its placeholders get either
a real value (a language, an offer's or organisation's id) or a hostile one (NUL and other
control characters, random Unicode, very long strings, slashes, bad percent-encoding), its
query string and form body get known and unknown parameter names, repeated up to 60 times,
with such values, and some requests carry a junk Accept-Language or cookie. The number of
requests and the running time are bounded; traffic goes only to 127.0.0.1.

    # the long run against a real HTTP server (werkzeug, threaded) on PostgreSQL:
    .venv/bin/python drills/fuzz.py --requests 21000 \\
        --database postgresql+psycopg://127.0.0.1:5432/fuzz --server
    # a short run in-process on a temporary SQLite database:
    .venv/bin/python drills/fuzz.py --requests 500

The database given must exist; it is set up (reference data, demo directory, index) when it
has no offers. The suite runs a short version of this drill on SQLite and PostgreSQL
(tests/test_fuzz_drill.py). Exit status 1 when any answer was ≥ 500.
"""
from __future__ import annotations

import argparse
import http.client
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

HOSTILE_CHARS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\u202e",
                 "\ufeff", "\ufffd", "\u200b", "\n", "\r", "\t", "'", '"', "<", ">", "&", "%",
                 "\\", "/", "..", "*", "?", "~", ":", ";", "ß", "ي", "ی", "ё", "🙂", "\U0010fffd"]
BAD_ENCODINGS = ["%", "%0", "%zz", "%E2%82", "%C0%80", "%ff%fe", "%ED%A0%80", "%00", "%F4%90%80%80",
                 "%25", "%%", "%2", "%u0041", "%C3%28"]
PARAMETERS = ["q", "area", "category", "target_group", "language", "free", "open_now", "page",
              "per_page", "lang", "next", "ids", "client", "format", "booklet_lang", "v", "to",
              "offer", "note", "message", "contact", "email", "password", "confirm", "role",
              "organisation", "decision", "comment", "report", "action", "preview_lang",
              "csrf_token"]
METHODS_WITH_BODY = {"POST"}
MAX_QUERY = 30_000  # characters: HTTP servers refuse longer request lines (414) anyway
PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@dataclass
class Report:
    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)  # (status, method, target) of answers ≥ 500
    errors: list = field(default_factory=list)  # requests that got no answer at all
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def summary(self) -> str:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        lines = [f"{self.sent} requests in {self.seconds:.1f} s "
                 f"({self.sent / max(self.seconds, 1e-9):.0f}/s); answers ≥ 500: "
                 f"{self.server_errors}; without answer: {len(self.errors)}",
                 f"statuses: {statuses}"]
        lines += [f"  {status} {method} {target[:200]}" for status, method, target
                  in self.failures[:20]]
        lines += [f"  no answer: {error}" for error in self.errors[:10]]
        return "\n".join(lines)


@dataclass(frozen=True)
class Route:
    rule: str
    methods: tuple[str, ...]
    arguments: tuple[tuple[str, str], ...]  # (converter, name)


def routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        methods = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        arguments = tuple((converter or "default", name)
                          for converter, name in PLACEHOLDER.findall(rule.rule))
        found.append(Route(rule.rule, methods, arguments))
    return found


class Fuzzer:
    def __init__(self, rng: random.Random, languages: list[str], offer_ids: list[str],
                 organisation_ids: list[str]):
        self.rng = rng
        self.languages = languages
        self.offer_ids = offer_ids or ["none"]
        self.organisation_ids = organisation_ids or ["none"]

    # -- values --------------------------------------------------------------------------

    def text(self, max_length: int = 40) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.3:  # random code points from all planes (no lone surrogates: not UTF-8)
            chars = [chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0xa0, 0xd800),
                                     rng.randrange(0xe000, 0x110000)]))
                     for _ in range(rng.randrange(1, max_length))]
            return "".join(chars)
        if kind < 0.6:
            return "".join(rng.choice(HOSTILE_CHARS) for _ in range(rng.randrange(1, 12)))
        if kind < 0.7:
            return rng.choice(HOSTILE_CHARS) * rng.choice([100, 1000, 5000])
        if kind < 0.85:
            base = rng.choice(["Deutschkurs", "دورة لغة", "курси", "0", "-1", "1e9", "true",
                               "99999999999999999999", "citywide", "women", "de", ""])
            position = rng.randrange(len(base) + 1)
            return base[:position] + rng.choice(HOSTILE_CHARS) + base[position:]
        return rng.choice(["", " ", "null", "None", "[]", "{}", "../../etc/passwd",
                           "' OR 1=1 --", "<script>alert(1)</script>", "%s%s%n", "\x00" * 8])

    def encoded(self, value: str) -> str:
        """Percent-encoded, sometimes with broken escapes put in."""
        result = quote(value.encode("utf-8", "surrogatepass"), safe="")
        if self.rng.random() < 0.25:
            position = self.rng.randrange(len(result) + 1)
            result = result[:position] + self.rng.choice(BAD_ENCODINGS) + result[position:]
        return result

    def argument(self, converter: str, name: str) -> str:
        rng = self.rng
        if rng.random() < 0.45:  # a real value, so the request reaches further
            if name == "lang":
                return rng.choice(self.languages)
            if name == "external_id":
                return rng.choice(self.offer_ids)
            if name == "organisation_id":
                return rng.choice(self.organisation_ids)
            if converter == "int":
                return str(rng.choice([1, 2, 0, 2**31 - 1, 2**31, 10**30]))
            if name == "target":
                return rng.choice(self.languages + ["xx", "zz-Latn"])
            if name == "filename":
                return rng.choice(["css/site.css", "favicon.ico", "../wegweiser/config.py"])
        if name == "lang" and rng.random() < 0.5:
            return rng.choice(self.languages) + rng.choice(HOSTILE_CHARS)
        return self.text(rng.choice([10, 40, 200]))

    def query(self) -> str:
        rng = self.rng
        pairs = []
        for _ in range(rng.choice([0, 1, 2, 3, 5, 10])):
            name = rng.choice(PARAMETERS) if rng.random() < 0.8 else self.text(8)
            value = self.text(rng.choice([10, 40, 300]))
            pairs.extend([(name, value)] * rng.choice([1, 1, 1, 2, 20, 60]))
        if rng.random() < 0.1:  # a hostile name with no value, or a bare "&&="
            pairs.append((self.text(5), None))
        parts = [self.encoded(n) if v is None else f"{self.encoded(n)}={self.encoded(v)}"
                 for n, v in pairs]
        if rng.random() < 0.1:
            parts.append(rng.choice(["&&", "=", "==", "&=&", ";", "q=a;b"]))
        return "&".join(parts)

    # -- requests ------------------------------------------------------------------------

    def request(self, route: Route, csrf_token: str | None) -> tuple[str, str, bytes | None,
                                                                     dict]:
        rng = self.rng
        method = rng.choice(route.methods)
        path = route.rule
        for converter, name in route.arguments:
            value = self.argument(converter, name)
            if converter == "path":
                encoded = "/".join(self.encoded(part) for part in value.split("/"))
            else:
                encoded = self.encoded(value)
            path = PLACEHOLDER.sub(lambda _m, e=encoded: e, path, count=1)
        query = (self.query() if rng.random() < 0.8 else "")[:MAX_QUERY]
        target = path + ("?" + query if query else "")
        headers = {}
        if rng.random() < 0.2:
            headers["Accept-Language"] = rng.choice(
                ["ar;q=0.9,*;q=x", "x" * 500, "de-DE;q=1.5", ";;;,", "uk, ru;q=0.5", "*"])
        if rng.random() < 0.1:
            headers["Cookie"] = "session=" + rng.choice(["x", ".eJwrSS0uyc8tSy0qzszPAwA",
                                                           "a" * 3000, "%00"])
        body = None
        if method in METHODS_WITH_BODY:
            body = self.query()
            if csrf_token and rng.random() < 0.7:
                body = f"csrf_token={quote(csrf_token)}&" + body
            body = body.encode("ascii")
            headers["Content-Type"] = rng.choice(
                ["application/x-www-form-urlencoded"] * 8 + ["multipart/form-data",
                                                             "application/json", "text/plain"])
        return method, target, body, headers


# -- transports -------------------------------------------------------------------------------

def send_in_process(client):
    def send(method: str, target: str, body: bytes | None, headers: dict) -> int:
        response = client.open(target, method=method, data=body, headers=headers)
        status = response.status_code
        response.close()
        return status
    return send


def send_over_http(port: int, timeout: float = 30.0):
    local = threading.local()

    def attempt(method: str, target: str, body: bytes | None, headers: dict) -> int:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection("127.0.0.1", port,
                                                                       timeout=timeout)
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.will_close:
                connection.close()
                local.connection = None
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            local.connection = None
            raise

    def send(method: str, target: str, body: bytes | None, headers: dict) -> int:
        reused = getattr(local, "connection", None) is not None
        try:
            return attempt(method, target, body, headers)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            if not reused:
                raise
            # The server closed a kept-alive connection (after refusing a request): once more.
            return attempt(method, target, body, headers)
    return send


def run(send, app_routes: list[Route], fuzzer: Fuzzer, count: int, max_seconds: float,
        csrf_token: str | None = None) -> Report:
    report = Report()
    start = time.monotonic()
    for _ in range(count):
        if time.monotonic() - start > max_seconds:
            break
        route = fuzzer.rng.choice(app_routes)
        method, target, body, headers = fuzzer.request(route, csrf_token)
        try:
            status = send(method, target, body, headers)
        except Exception as exc:  # noqa: BLE001 - counted and shown
            report.errors.append(f"{method} {target[:120]}: {exc!r}")
            report.sent += 1
            continue
        report.sent += 1
        report.statuses[status] += 1
        if status >= 500:
            report.failures.append((status, method, target))
    report.seconds = time.monotonic() - start
    return report


def fuzzer_for(app, rng: random.Random) -> Fuzzer:
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.i18n import ui_languages
    from wegweiser.models import Offer, Organisation

    with app.app_context():
        session = db.session()
        offers = list(session.scalars(select(Offer.external_id).limit(200)))
        organisations = list(session.scalars(select(Organisation.external_id).limit(100)))
        languages = list(ui_languages())
    return Fuzzer(rng, languages, offers, organisations)


# -- the command ------------------------------------------------------------------------------

def _prepare(url: str, index_dir: Path):
    from wegweiser import create_app, db
    from wegweiser.search import rebuild_index
    from wegweiser.services.setup import demo_files, has_offers, import_files, initialise_database

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WEGWEISER_INDEX_DIR": str(index_dir),
                      "SECRET_KEY": "fuzz", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "WEGWEISER_OUTBOX": str(index_dir / "outbox"),
                      "PREFERRED_URL_SCHEME": "http"})
    with app.app_context():
        initialise_database()
        if not has_offers():
            report = import_files(demo_files(), "import:demo")
            assert report.ok, report.problems[:5]
        rebuild_index(db.session())
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=21000)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--server", action="store_true",
                        help="through a threaded HTTP server on 127.0.0.1 (else in-process)")
    parser.add_argument("--threads", type=int, default=4, help="clients, with --server")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-fuzz-"))
    url = args.database or f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    app = _prepare(url, workdir / "index")
    app_routes = routes(app)
    print(f"{len(app_routes)} routes; database {url.split('@')[-1]}; seed {args.seed}")
    if not args.server:
        report = run(send_in_process(app.test_client()), app_routes,
                     fuzzer_for(app, random.Random(args.seed)), args.requests, args.max_seconds)
    else:
        report = _run_against_server(app, app_routes, args)
    print(report.summary())
    return 1 if report.server_errors or report.errors else 0


def _run_against_server(app, app_routes: list[Route], args) -> Report:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    reports: list[Report] = []
    per_thread = args.requests // args.threads

    def client(n: int) -> None:
        fuzzer = fuzzer_for(app, random.Random(args.seed * 1000 + n))
        reports.append(run(send_over_http(server.server_port), app_routes, fuzzer, per_thread,
                           args.max_seconds))

    started = time.monotonic()
    clients = [threading.Thread(target=client, args=(n,)) for n in range(args.threads)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    server.shutdown()
    total = Report(seconds=time.monotonic() - started)
    for part in reports:
        total.sent += part.sent
        total.statuses.update(part.statuses)
        total.failures += part.failures
        total.errors += part.errors
    return total


if __name__ == "__main__":
    sys.exit(main())
