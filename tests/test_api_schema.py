"""A bounded schemathesis run of the OpenAPI document against the API (drills/api_schema.py),
on SQLite and PostgreSQL: valid and invalid requests for every operation; no answer ≥ 500,
every answer as the document describes it, valid requests accepted.

(schemathesis's own pytest integration, ``from_fixture``, fails under pytest 9 with a
parametrised fixture, so the drill drives the operations' strategies with Hypothesis.)
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from wegweiser.languages import interface_languages

DRILL = Path(__file__).resolve().parent.parent / "drills" / "api_schema.py"
spec = importlib.util.spec_from_file_location("api_schema_drill", DRILL)
drill = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = drill
spec.loader.exec_module(drill)

MAX_EXAMPLES = int(os.environ.get("WEGWEISER_SCHEMA_EXAMPLES", "30"))


def test_the_api_answers_as_its_document_says(demo_app):
    calls = drill.check_every_operation(demo_app, MAX_EXAMPLES)
    assert {label.split(" ")[1] for label in calls} >= {"/offers", "/offers/{id}", "/events",
                                                         "/events/{id}"}
    for operation in ("GET /offers", "GET /offers/{id}", "GET /events", "GET /events/{id}"):
        for mode in ("positive", "negative"):
            assert calls[f"{operation} {mode}"] >= min(MAX_EXAMPLES, 5), calls


def test_the_document_lists_the_values_the_api_accepts(demo_client):
    document = demo_client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p["schema"] for p in
                  document["paths"]["/offers"]["get"]["parameters"]}
    assert "language-courses" in parameters["category"]["items"]["enum"]
    assert {"citywide", "connewitz"} <= set(parameters["area"]["items"]["enum"])
    assert parameters["lang"]["enum"] == list(interface_languages())
