"""Security headers on every response, error pages included; cookie flags; body size limit."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/de/", "/de/search?q=x", "/de/nowhere", "/api/v1/offers",
                                  "/api/v1/offers/nope", "/static/css/site.css", "/"])
def test_security_headers_everywhere(demo_client, path):
    response = demo_client.get(path)
    headers = response.headers
    response.close()
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers


def test_hsts_over_https(demo_client):
    response = demo_client.get("/de/", base_url="https://localhost")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_session_cookie_is_httponly_and_samesite(demo_client):
    page = demo_client.get("/de/search?q=Beratung").get_data(as_text=True)
    assert "csrf_token" in page
    cookie = demo_client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_oversized_bodies_are_refused(demo_client):
    response = demo_client.post("/de/list/note", data={"note": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
