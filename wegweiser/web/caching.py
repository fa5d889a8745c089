"""Fewer bytes and round trips for a prepaid phone: compressed responses (Brotli or gzip, by
Flask-Compress), static files fingerprinted with their content hash and cached for a year,
and validators (ETag) on pages so that a page seen before costs a 304."""
from __future__ import annotations

import functools
import gzip
import hashlib
import re
from pathlib import Path
from urllib.parse import quote

import brotli
import rcssmin
import rjsmin
import zopfli.gzip
from flask import current_app, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
FINGERPRINT = "v"

compress = Compress()


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # gzip too for streamed responses (static files): Chromium offers Brotli only over HTTPS.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_LEVEL", 9)  # gzip; an 80 KB page costs about 2 ms
    # Templates are indented for people; the indentation need not travel.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # A page revalidated with a 304 keeps the form tokens it was first sent with: they stay
    # valid for the session (signed-in sessions end by their own idle and absolute limits).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    compress.init_app(app)
    app.url_defaults(add_fingerprint)
    # after_request functions run in reverse order: this one runs before compression, so
    # Flask-Compress derives the compressed response's ETag from this one.
    app.after_request(add_validators)
    app.after_request(compress_error_page)
    app.add_template_global(static_data_uri)


def compress_error_page(response):
    """Flask-Compress leaves every status outside 2xx alone, but a 410 page for an offer no
    longer offered (with the organisation's other offers and similar ones) or a 404 is a page
    a reader on a prepaid phone gets as often as any."""
    if (response.status_code >= 400 and response.mimetype == "text/html"
            and not response.direct_passthrough and "Content-Encoding" not in response.headers):
        algorithm = request.accept_encodings.best_match(["br", "gzip"])
        data = response.get_data()
        if algorithm and len(data) >= current_app.config["COMPRESS_MIN_SIZE"]:
            response.set_data(brotli.compress(data, quality=5) if algorithm == "br"
                              else gzip.compress(data, compresslevel=9))
            response.headers["Content-Encoding"] = algorithm
        response.vary.add("Accept-Encoding")
    return response


def static_data_uri(filename: str, mimetype: str = "image/svg+xml") -> str:
    """A small static file inlined as a ``data:`` URL (the favicon): one request fewer."""
    path = Path(current_app.static_folder, filename)
    return f"data:{mimetype},{quote(path.read_text(encoding='utf-8'), safe=' /:=,;')}"


def add_fingerprint(endpoint: str, values: dict) -> None:
    """``url_for('static', filename=…)`` gets ``?v=<content hash>``: a changed file is a new
    URL, so an unchanged one can be cached for good."""
    if endpoint == "static" and "filename" in values and FINGERPRINT not in values:
        digest = static_fingerprint(values["filename"])
        if digest:
            values[FINGERPRINT] = digest


def static_fingerprint(filename: str) -> str | None:
    path = Path(current_app.static_folder, filename)
    try:
        stat = path.stat()
    except OSError:
        return None
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


_digests: dict[tuple, str] = {}


def _digest(path: str, mtime_ns: int, size: int) -> str:
    key = (path, mtime_ns, size)
    if key not in _digests:
        _digests[key] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return _digests[key]


def _compress_static(response) -> None:
    """Static files are few, small and fixed: compress each once, as hard as the formats
    allow (Brotli at quality 11, gzip by Zopfli), instead of on every request. Flask-Compress
    leaves a response alone once it has a Content-Encoding."""
    response.direct_passthrough = False
    data = response.get_data()
    response.close()  # the file is read; close it now (Flask-Compress's streaming would not)
    data = _minified(data, response.mimetype)
    algorithm = request.accept_encodings.best_match(["br", "gzip"])
    if algorithm and response.mimetype in compress.compress_mimetypes_set:
        etag, _weak = response.get_etag()
        data = _compressed(data, algorithm)
        response.headers["Content-Encoding"] = algorithm
        if etag:
            response.set_etag(f"{etag}:{algorithm}")
    response.set_data(data)
    response.vary.add("Accept-Encoding")


@functools.lru_cache(maxsize=64)
def _minified(data: bytes, mimetype: str) -> bytes:
    """Comments and indentation are for the people who edit these files, not for phones."""
    if mimetype == "text/css":
        return rcssmin.cssmin(data)
    if mimetype in ("text/javascript", "application/javascript"):
        return rjsmin.jsmin(data)
    if mimetype == "image/svg+xml":
        return SVG_LAYOUT.sub(b"", data)
    return data


SVG_LAYOUT = re.compile(rb"<!--.*?-->|(?<=>)\s+(?=<)", re.S)


@functools.lru_cache(maxsize=64)
def _compressed(data: bytes, algorithm: str) -> bytes:
    if algorithm == "br":
        return brotli.compress(data, quality=11)
    return zopfli.gzip.compress(data)


def add_validators(response):
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if request.endpoint == "static":
        _compress_static(response)
        wanted = request.args.get(FINGERPRINT)
        if wanted and wanted == static_fingerprint(request.view_args.get("filename", "")):
            response.headers["Cache-Control"] = IMMUTABLE
        # Again now that the ETag names the encoding: a browser revalidates with that one.
        return response.make_conditional(request)
    if response.is_streamed or response.direct_passthrough:
        return response
    # Pages depend on the URL and on cookies (the shortlist, a signed-in session): a browser
    # may keep them but must ask again, and no shared cache may keep them.
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Cookie")
    if response.mimetype == "text/html":
        response.set_data(collapse_whitespace(response.get_data()))
    response.set_etag(page_etag(response.get_data()))
    return response.make_conditional(request)


LINE_BREAK_BETWEEN_TAGS = re.compile(rb">[ \t\r]*\n\s*<")
PRESERVED = re.compile(rb"<(?:pre|textarea)\b", re.IGNORECASE)


def collapse_whitespace(body: bytes) -> bytes:
    """Indentation and blank lines between tags, as one line break: the same whitespace to
    the HTML parser (outside pre and textarea, whose pages are left alone), fewer bytes."""
    if PRESERVED.search(body):
        return body
    return LINE_BREAK_BETWEEN_TAGS.sub(b">\n<", body)


CSRF_FIELD = re.compile(rb'(name="csrf_token" value=")[^"]*"')


def page_etag(body: bytes) -> str:
    """A page's validator, from everything but its CSRF tokens: they are signed with the
    current second, yet any token of the same session is accepted (no time limit is set),
    so a page that differs only there has not changed."""
    return hashlib.sha1(CSRF_FIELD.sub(rb'\1"', body), usedforsecurity=False).hexdigest()
