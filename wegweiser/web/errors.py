"""Error pages: a title that says what happened, a text that says what to do."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

# What happened, as an error page's title and heading (a tab's name, what a screen reader says
# first); any other code: "That did not work".
ERROR_TITLES = {
    400: _l("Input could not be used"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not possible here"),
    410: _l("Page removed"),
    413: _l("Too much data sent"),
    429: _l("Too many attempts"),
    500: _l("Sorry, something went wrong"),
    503: _l("Temporarily unavailable"),
}


def error_page(code: int, message: str):
    """The error page of ``code``: its title says what happened, its text what to do."""
    title = ERROR_TITLES.get(code, _l("That did not work"))
    return render_template("error.html", code=code, title=title, message=message), code
