"""The short version of the fuzz drill (drills/fuzz.py): a few hundred hostile requests over
every route of the site and the API, on SQLite and PostgreSQL; no answer may be ≥ 500."""
from __future__ import annotations

import random

from .helpers import load_drill

fuzz = load_drill("fuzz")

REQUESTS = 300


def test_hostile_requests_never_get_a_server_error(directory):
    directory.config.update(WTF_CSRF_ENABLED=False)  # so that forms reach their views
    app_routes = fuzz.routes(directory)
    assert {"/<lang>/offers/<id:external_id>/report", "/api/v1/offers/<id:external_id>",
            "/<lang>/organisations/<id:external_id>"} <= {r.rule for r in app_routes}
    report = fuzz.run(fuzz.send_in_process(directory.test_client()), app_routes,
                      fuzz.fuzzer_for(directory, random.Random(15)), REQUESTS, 300)
    assert report.sent == REQUESTS
    assert report.server_errors == 0, report.summary()
    assert not report.errors, report.summary()
    # The drill reaches the views, not only the edge checks.
    assert report.statuses[200] > 10 and report.statuses[400] > 10 and report.statuses[404] > 10


def test_the_drill_finds_a_server_error(directory):
    """A view that fails on a NUL byte, as the offer pages once did, is found."""
    def broken(external_id):
        raise RuntimeError(f"database refused {external_id!r}")

    directory.view_functions["public.organisation"] = broken
    report = fuzz.run(fuzz.send_in_process(directory.test_client()),
                      [r for r in fuzz.routes(directory) if r.rule.endswith("organisations/"
                                                                          "<id:external_id>")],
                      fuzz.fuzzer_for(directory, random.Random(1)), 200, 120)
    assert report.server_errors > 0
