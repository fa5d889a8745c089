"""The official HSDS 3.0 JSON Schemas (../shared/datasets/hsds-openreferral-examples/schema/,
copied from openreferral/specification) as validators.

The compiled schemas carry no ``$id``; the HSDS API's OpenAPI document refers to them by their
published addresses, so each file is registered under that address with ``referencing`` and
nothing is ever fetched. Formats (uuid, email, date-time) are checked.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from wegweiser.config import PROJECT_ROOT

from .conftest import unavailable

EXAMPLES = PROJECT_ROOT.parent / "shared" / "datasets" / "hsds-openreferral-examples"
SMC_SAMPLE = PROJECT_ROOT.parent / "shared" / "datasets" / "ohana-smc-sample"
SCHEMAS = EXAMPLES / "schema"
PUBLISHED = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
NAMES = ("service", "organization", "service_list", "organization_list", "service_package",
         "organization_package")


def need(path: Path) -> Path:
    if not path.exists():
        unavailable(f"{path} is missing (the shared datasets)")
    return path


@cache
def _registry() -> Registry:
    need(SCHEMAS)
    resources = [(f"{PUBLISHED}compiled/{name}.json",
                  DRAFT202012.create_resource(json.loads((SCHEMAS / f"{name}.json").read_text())))
                 for name in NAMES]
    resources.append((f"{PUBLISHED}openapi.json", DRAFT202012.create_resource(
        json.loads((SCHEMAS / "openapi.json").read_text()))))
    return Registry().with_resources(resources)


def _validator(uri: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": uri}, registry=_registry(),
                                format_checker=FormatChecker())


def schema_errors(name: str, document) -> list[str]:
    """Messages of every violation of the compiled schema ``name`` (e.g. "service")."""
    errors = _validator(f"{PUBLISHED}compiled/{name}.json").iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def api_errors(path: str, document) -> list[str]:
    """Violations of the HSDS API's 200 response for ``path`` (e.g. "/services")."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    uri = (f"{PUBLISHED}openapi.json#/paths/{pointer}/get/responses/200/content/"
           "application~1json/schema")
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(uri).iter_errors(document)]
