"""Security headers on every response (error pages included) and cookie settings."""
from __future__ import annotations

from flask import abort, current_app, request

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
