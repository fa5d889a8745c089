"""Security headers on every response (error pages included) and cookie settings."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from flask_wtf.csrf import CSRFError

CONTENT_SECURITY_POLICY = ("default-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:")


def init_app(app) -> None:
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    # The cookie is sent only when the session changed: a reader's list lives in it, and a page
    # fetched in the background (the offline worker's copies) would otherwise answer with the
    # list as it was when the fetch began, over a change made meanwhile.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.before_request(refuse_oversized_bodies)
    app.after_request(add_headers)


# The public forms whose text survives a refused CSRF token (the session ended: a page open
# overnight, cookies cleared, a second tab): the app's CSRF check leaves them to
# check_kept_form, and their views show the form again as typed with a note, saving nothing.
# The manage area's forms are in manage.KEEPS_TYPED (checked after the sign-in check).
KEEPS_TYPED = {"joining.join", "joining.claim", "public.report_problem", "shortlist.note",
               "auth.login", "auth.reset"}


def from_this_site() -> bool:
    """The form was sent from a page of this site (a browser names the page's origin; with
    this site's no-referrer policy Chromium sends "Origin: null" but names the relation in
    Sec-Fetch-Site)."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    source = request.headers.get("Origin") or request.referrer or ""
    return bool(source) and urlsplit(source).netloc == request.host


def token_is_stale() -> bool:
    """Check a kept form's CSRF token: True when it was refused for a form sent from this site
    (the form is shown again as typed, nothing saved); a form from elsewhere gets the 400."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return False
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError:
        if not from_this_site():
            raise
        return True
    return False


def check_kept_form():
    if request.method == "POST" and request.endpoint in KEEPS_TYPED and token_is_stale():
        g.stale_form = True  # the view shows the form again with forms.stale_note()


def refuse_oversized_bodies():
    """Before anything reads the body (the CSRF check would), refuse what is too large."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
