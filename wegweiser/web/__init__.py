"""The web layer: public pages, the JSON API, error pages."""
from __future__ import annotations

import difflib
import re

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError

from .. import db
from ..cities import current_city
from ..i18n import (
    autonym,
    best_language_for_request,
    current_language,
    direction,
    join_list,
    text_direction,
    ui_languages,
)
from ..services.directory import database_ok
from ..services.setup import OtherCitysDatabase, check_city
from ..services.shortlist import MAX_OFFERS
from . import (
    api,
    auth,
    caching,
    discovery,
    edge,
    events,
    freshness,
    hsds_api,
    joining,
    manage,
    manage_help_calls,  # noqa: F401 (its routes join the manage blueprint)
    needs,
    public,
    security,
    sheets,  # noqa: F401 - its routes join the manage blueprint
    shortlist,
    take_part,
)
from .errors import error_page
from .presenters import language_name

csrf = CSRFProtect()


LANGUAGE_BLUEPRINTS = ("public", "shortlist", "discovery_localised", "auth", "manage",
                       "freshness", "network", "joining",
                       "take_part", "events")


def init_app(app) -> None:
    security.init_app(app)  # first: its size check runs before the CSRF check reads a body
    edge.init_app(app)  # before any route is added: its converters check ids in URLs
    csrf.init_app(app)
    caching.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(joining.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(shortlist.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(freshness.bp)
    app.register_blueprint(needs.bp)
    app.register_blueprint(take_part.bp)
    auth.init_app(app)
    for endpoint in manage.KEEPS_TYPED:  # their token is checked by manage.check_permission
        csrf.exempt(app.view_functions[endpoint])
    for endpoint in security.KEEPS_TYPED:  # theirs by security.check_kept_form
        csrf.exempt(app.view_functions[endpoint])
    app.before_request(security.check_kept_form)
    edge.TEXT_CHECKED_BY_VIEW.update(manage.LONG_FORMS)
    edge.SHOWN_AGAIN_WITHOUT_CONTROLS.update(
        security.KEEPS_TYPED | (manage.KEEPS_TYPED - manage.LONG_FORMS))
    app.register_blueprint(discovery.bp)
    app.register_blueprint(discovery.localised)
    app.register_blueprint(api.bp)
    app.register_blueprint(hsds_api.bp)
    app.add_url_rule("/", "root", root)
    app.add_url_rule("/language", "switch_language", switch_language)
    app.add_url_rule("/health", "health", health)
    app.before_request(refuse_another_citys_database)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)
    app.context_processor(template_globals)
    app.context_processor(city_globals)
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(change_value, "change_value")
    app.add_template_global(word_diff, "word_diff")
    app.add_template_filter(text_direction, "text_direction")
    app.add_template_filter(join_list, "join_list")


EMPTY = "—"


def change_value(value) -> str:
    """A field's value in a revision or review, readable for people."""
    if value is None or value in ("", [], {}):
        return EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{key}: {change_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return join_list(change_value(item) for item in value)
    return str(value)


# Words, the space between them, and the marks that isolate a text in its own direction (a
# translation in a review: never marked as changed with the word beside them).
WORDS = re.compile(r"\s+|[\u2068\u2069]|[^\s\u2068\u2069]+")


def word_diff(before, after) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Two versions of a field's value (as ``change_value`` writes them) as runs of words,
    each marked True where it changed: removed from the first, added in the second. What a
    moderator reads instead of a whole field struck out; a value that was or becomes empty
    is one changed run."""
    old, new = change_value(before), change_value(after)
    if EMPTY in (old, new):
        return [(old, old != EMPTY)], [(new, new != EMPTY)]
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    removed: list[tuple[str, bool]] = []
    added: list[tuple[str, bool]] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _add_run(removed, "".join(old_words[i1:i2]), tag != "equal")
        _add_run(added, "".join(new_words[j1:j2]), tag != "equal")
    return removed, added


def _add_run(runs: list[tuple[str, bool]], text: str, changed: bool) -> None:
    if not text:
        return
    if runs and (runs[-1][1] == changed or text.isspace()):
        runs[-1] = (runs[-1][0] + text, runs[-1][1])
    else:
        runs.append((text, changed))


def root():
    """A first visit follows the browser's languages."""
    return redirect(url_for("public.index", lang=best_language_for_request()))


def health():
    database_ok(db.session())
    try:
        check_city(db.session())
    except OtherCitysDatabase as exc:
        return jsonify({"status": "error", "error": str(exc)}), 503
    return jsonify({"status": "ok"})


def refuse_another_citys_database():
    """Serve nothing from a database that holds another city's directory than WEGWEISER_CITY
    names (a Dresden site with Leipzig's areas and offers): the error page, the reason in the
    log and in /health. Checked once per process and city, on its first request."""
    city = current_app.config["WEGWEISER_CITY"]
    if request.endpoint == "health" or current_app.extensions.get("wegweiser_city") == city:
        return
    check_city(db.session())
    current_app.extensions["wegweiser_city"] = city


def city_globals() -> dict:
    """The city's names; needs no request, so mails rendered by the CLI have them too."""
    city = current_city()
    return {"city": city, "site_name": city.site_name,
            "city_name": city.name_in(current_language())}


def template_globals() -> dict:
    lang = current_language()
    return {
        "shortlist_ids": shortlist.current_list().ids,
        "shortlist_max": MAX_OFFERS,
        "page_lang": lang,
        "page_dir": direction(lang),
        "page_autonym": autonym(lang),
        "language_choices": [(code, autonym(code)) for code in ui_languages()],
        "language_alternates": _language_alternates,
    }


def _language_alternates() -> list[tuple[str, str]]:
    return [(code, _same_page_in(code)) for code in ui_languages()]


def _same_page_in(code: str) -> str:
    """This page in another language, keeping the query and filters."""
    if request.blueprint in LANGUAGE_BLUEPRINTS and request.endpoint:
        return _page_in(code, request.endpoint, dict(request.view_args or {}),
                        request.query_string.decode())
    return url_for("public.index", lang=code)


def _page_in(code: str, endpoint: str, args: dict, query: str) -> str:
    return url_for(endpoint, **{**args, "lang": code}) + (f"?{query}" if query else "")


def switch_language():
    """Without ``to``: the page that lists the languages (every other page links to it, so
    fourteen languages cost each page one link). With ``to``: the page at ``next`` in that
    language."""
    next_page = request.args.get("next", "")
    path, _, query = next_page.partition("?")
    if "to" not in request.args:
        segment = path.split("/")[1] if path.startswith("/") else ""
        g.lang = segment if segment in ui_languages() else best_language_for_request()
        return render_template("language_choice.html", next_page=next_page)
    target = request.args.get("to", "")
    if target not in ui_languages():
        target = best_language_for_request()
    if path.startswith("/") and not path.startswith("//"):
        try:
            endpoint, args = current_app.url_map.bind("localhost").match(path, method="GET")
        except HTTPException:
            endpoint = None
        if endpoint and endpoint.split(".")[0] in LANGUAGE_BLUEPRINTS and "lang" in args:
            return redirect(_page_in(target, endpoint, args, query), code=303)
    return redirect(url_for("public.index", lang=target), code=303)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_language() -> None:
    """An error before a page's language was set (no route matched, a failure before the view):
    the language of the address, else the browser's."""
    if not g.get("lang"):
        first = request.path.strip("/").split("/", 1)[0]
        g.lang = first if first in ui_languages() else best_language_for_request()


def http_error(error: HTTPException):
    if _wants_json():
        response = jsonify({"error": {"code": error.name.lower().replace(" ", "_"),
                                      "message": error.description}})
        response.status_code = error.code
        return response
    _error_language()
    messages = {
        400: _("The form was out of date or incomplete, so nothing was changed. Please go back, "
               "reload the page and try again."),
        404: _("This page does not exist (any more). Perhaps the offer was removed, or the "
               "link is incomplete."),
        405: _("This action is not possible here."),
        413: _("What you sent is too large."),
        403: _("You may not do this. Sign in with an account that may, or ask a moderator."),
        429: _("Too many attempts. Please wait a few minutes and try again."),
        410: _("This page was removed. Perhaps the start page or the search helps."),
        503: _("The directory is unavailable for a moment. Please try again in a few "
               "minutes."),
    }
    return error_page(error.code, messages.get(error.code, _("The request could not be "
                                                             "handled.")))


def unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return http_error(error)
    import logging

    logging.getLogger(__name__).exception("unexpected error", exc_info=error)
    if _wants_json():
        response = jsonify({"error": {"code": "internal_error",
                                      "message": "An unexpected error occurred."}})
        response.status_code = 500
        return response
    _error_language()
    return error_page(InternalServerError.code, _(
        "Something went wrong on our side. Please try again in a moment."))
