"""Blueprints whose URLs start with the page language (``/de/…``, ``/ar/…``)."""
from __future__ import annotations

from flask import Blueprint, abort, g

from ..i18n import ui_languages


def language_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under ``/<lang>/`` whose views find the page language in ``g.lang``."""
    blueprint = Blueprint(name, import_name, url_prefix="/<lang>")

    @blueprint.url_value_preprocessor
    def pull_language(_endpoint, values):
        lang = values.pop("lang", None) if values else None
        if lang not in ui_languages():
            abort(404)
        g.lang = lang

    @blueprint.url_defaults
    def add_language(_endpoint, values):
        values.setdefault("lang", g.get("lang"))

    return blueprint
