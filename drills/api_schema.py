"""Schemathesis drill: requests generated from the OpenAPI document (wegweiser/openapi.json,
as served with this directory's vocabularies) against the API, valid and invalid ones for
every operation; every answer must be below 500 and as the document describes it (status,
content type, body schema), and valid requests must be accepted.

    .venv/bin/python drills/api_schema.py --examples 1000 \\
        --database postgresql+psycopg://127.0.0.1:5432/fuzz

In-process (WSGI), bounded by the number of examples per operation and mode. The suite runs
a short version on SQLite and PostgreSQL (tests/test_api_schema.py). Exit status 1 on any
failure, with schemathesis's report of it.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

SERVER_ERRORS_ONLY = ("/hsds/",)


def check_every_operation(app, max_examples: int) -> dict[str, int]:
    """Generated requests against every operation; how many each got. Raises on a failure."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls: dict[str, int] = {}
    for found in schema.get_all_operations():
        operation = found.ok()
        # The HSDS operations' document does not say which texts ``modified_after`` takes:
        # they are checked for server errors only.
        checks = [not_a_server_error] if operation.path.startswith(SERVER_ERRORS_ONLY) \
            else None
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation.as_strategy(generation_mode=mode),
                 f"{operation.label} {mode.value}", max_examples, calls, checks)
    return calls


def _run(strategy, label: str, max_examples: int, calls: dict[str, int], checks) -> None:
    @settings(max_examples=max_examples, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck), database=None)
    @given(case=strategy)
    def run(case):
        # In-process (WSGI) answers are not decompressed as an HTTP client would.
        case.call_and_validate(headers={"Accept-Encoding": "identity"}, checks=checks)
        calls[label] = calls.get(label, 0) + 1

    try:
        run()
    except Unsatisfiable:
        calls.setdefault(label, 0)  # nothing about this operation can be made invalid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000,
                        help="examples per operation and mode (valid, invalid)")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fuzz import _prepare

    workdir = Path(tempfile.mkdtemp(prefix="wegweiser-schema-"))
    app = _prepare(args.database or f"sqlite:///{workdir / 'schema.sqlite3'}",
                   workdir / "index")
    started = time.monotonic()
    try:
        calls = check_every_operation(app, args.examples)
    except Exception as exc:  # noqa: BLE001 - schemathesis's report is the output
        print(exc)
        return 1
    for label, count in sorted(calls.items()):
        print(f"{label}: {count} requests")
    print(f"{sum(calls.values())} requests in {time.monotonic() - started:.0f} s; "
          "0 failures (no answer ≥ 500, every answer as documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
