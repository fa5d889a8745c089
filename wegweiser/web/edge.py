"""Input checked at the edge, before any view (or the database) sees it.

- Ids in URLs match the external-id pattern (``<id:external_id>``), tokens the URL-safe
  alphabet of signed tokens (``<token:token>``), numbers fit a database integer: anything else
  is not a route, so a 404.
- No other path part, query parameter or form field may hold NUL or other control characters
  (a form's text may hold tabs and line breaks): a 404 for the path, a 400 naming the
  parameter for the rest, as a page or, under ``/api/``, as JSON. The forms that keep what was
  typed come back with the text, its control characters taken out, and a note; nothing is sent.
"""
from __future__ import annotations

import re

from flask import g, jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import BaseConverter, IntegerConverter, PathConverter, UnicodeConverter

from ..i18n import best_language_for_request
from ..services.importer import EXTERNAL_ID
from .errors import error_page
from .forms import CONTROLS_REMOVED

# C0 controls, DEL and C1 controls; form text may keep tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LARGEST_ID = 2**31 - 1  # an INTEGER column in PostgreSQL
MAX_TOKEN = 1000


class IdConverter(BaseConverter):
    """An organisation's or offer's external id."""

    regex = EXTERNAL_ID


class TokenConverter(BaseConverter):
    """A signed token (itsdangerous, URL-safe)."""

    regex = rf"[A-Za-z0-9_.\-]{{1,{MAX_TOKEN}}}"


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` that never passes a number the database cannot hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


class PlainTextConverter(UnicodeConverter):
    """Any other path part: no slash and no control characters."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):  # noqa: A002
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]")


class PlainPathConverter(PathConverter):
    regex = r"[^/\x00-\x1f\x7f-\x9f](?:[^/\x00-\x1f\x7f-\x9f]|/(?!/))*"


class UnusableInput(BadRequest):
    """A query parameter or form field with characters no one can type."""

    def __init__(self, parameter: str):
        super().__init__(f"{parameter[:40]!r} contains control characters")
        self.parameter = parameter


def init_app(app) -> None:
    converters = app.url_map.converters
    converters.update(id=IdConverter, token=TokenConverter, int=DatabaseIntConverter,
                      default=PlainTextConverter, string=PlainTextConverter,
                      path=PlainPathConverter)
    app.before_request(refuse_control_characters)
    app.register_error_handler(UnusableInput, unusable_input)


# Forms whose every text goes through the import's checks, which name a control character at
# its field with the form shown again as typed (manage.KEEPS_TYPED, added by web/__init__.py):
# a long text pasted from another program is not lost to a 400 here.
TEXT_CHECKED_BY_VIEW: set[str] = set()
# Forms that are shown again as typed when they cannot be sent (security.KEEPS_TYPED, the
# moderators' decisions; added by web/__init__.py): a control character pasted into them is
# taken out and the form comes back with a note (forms.stale_note), nothing sent.
SHOWN_AGAIN_WITHOUT_CONTROLS: set[str] = set()


def refuse_control_characters():
    if CONTROL.search(request.path):
        raise NotFound()
    for name, value in request.args.items(multi=True):
        if CONTROL.search(name) or CONTROL.search(value):
            raise UnusableInput(name)
    if request.endpoint in TEXT_CHECKED_BY_VIEW:
        return
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return
    kept = request.endpoint in SHOWN_AGAIN_WITHOUT_CONTROLS
    for name, value in request.form.items(multi=True):
        if CONTROL.search(name) or (CONTROL_IN_TEXT.search(value) and not kept):
            raise UnusableInput(name)
    if kept and any(CONTROL_IN_TEXT.search(value) for value in request.form.values()):
        request.form = ImmutableMultiDict(
            [(name, CONTROL_IN_TEXT.sub("", value))
             for name, value in request.form.items(multi=True)])
        g.stale_form, g.kept_form_note = True, CONTROLS_REMOVED


def unusable_input(error: UnusableInput):
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": "invalid_parameter",
                                      "message": error.description,
                                      "parameter": error.parameter}})
        response.status_code = 400
        return response
    if not g.get("lang"):
        g.lang = best_language_for_request()
    return error_page(400, _(
        "What you sent contains invisible control characters that cannot be used, so nothing "
        "was changed. Please type it again or copy it without them."))
