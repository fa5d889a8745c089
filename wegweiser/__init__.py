"""Wegweiser: a multilingual directory of support offers for refugees."""
from __future__ import annotations

from flask import Flask
from jinja2 import BytecodeCache

from .config import PROJECT_ROOT, apply_city, ensure_secret_key, load_settings

__version__ = "0.1.0"


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, whatever number of apps it makes (the tests, the
    command line); Jinja keys each entry by the template's name and a checksum of its source,
    so a changed template is compiled again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, database, search index, languages and web layer."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _COMPILED_TEMPLATES}
    load_settings(app)
    if config:
        app.config.update(config)
    ensure_secret_key(app)
    apply_city(app)

    from . import db, i18n, search, web

    db.init_app(app)
    search.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    return app
