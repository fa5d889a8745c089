"""Wegweiser: a multilingual directory of support offers for refugees."""
from __future__ import annotations

from flask import Flask

from .config import PROJECT_ROOT, apply_city, ensure_secret_key, load_settings

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings, database, search index, languages and web layer."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
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
