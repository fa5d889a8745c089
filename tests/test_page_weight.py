"""Bytes and round trips on a prepaid phone: every public page type, first visit, compressed
as a browser over HTTP asks for it (gzip), within the budget of issue 11."""
from __future__ import annotations

import gzip
import re

import pytest

from wegweiser.languages import interface_languages

pytestmark = pytest.mark.demo_directory

PAGE_BUDGET = 15 * 1024  # HTML + CSS + JS + icons, compressed, first visit
REQUEST_BUDGET = 4
RESULTS_HTML_BUDGET = 10 * 1024
BROWSER = {"Accept-Encoding": "gzip, deflate"}


def subresources(html: str) -> set[str]:
    """What a browser fetches for the page: stylesheets, scripts, icons and SVG sprites."""
    urls = set(re.findall(r'<link[^>]+rel="(?:stylesheet|icon)"[^>]+href="([^"]+)"', html))
    urls |= set(re.findall(r'<script[^>]+src="([^"]+)"', html))
    urls |= {u.split("#")[0] for u in re.findall(r'<use href="([^"]+)"', html)}
    return {u for u in urls if u and not u.startswith("data:")}


def transferred(client, url: str, status: int = 200) -> tuple[int, str, object]:
    response = client.get(url, headers=BROWSER)
    assert response.status_code == status, url
    body = response.get_data()
    text = gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body
    return len(body), text.decode("utf-8", "replace"), response


def page_types(client, app) -> dict[str, str]:
    from wegweiser.db import session
    from wegweiser.models import Offer, Organisation

    with app.app_context():
        offer = session().query(Offer).filter_by(status="published").first()
        organisation = session().query(Organisation).first()
        offer_id, organisation_id = offer.external_id, organisation.external_id
    client.post("/de/list/add", data={"offer": offer_id})
    return {"start": "/{lang}/", "results": "/{lang}/search?q=Beratung",
            "filters": "/{lang}/search?category=language-courses",
            "nearest first": "/{lang}/search?q=Beratung&near=connewitz",
            "choice of place": "/{lang}/near?q=Beratung",
            "offer": f"/{{lang}}/offers/{offer_id}",
            "organisation": f"/{{lang}}/organisations/{organisation_id}",
            "list": "/{lang}/list", "sheet": "/{lang}/list/sheet",
            "events": "/{lang}/events", "event": "/{lang}/events/e-netzwerktreffen",
            "take part": "/{lang}/take-part", "join": "/{lang}/join",
            "large print": f"/{{lang}}/offers/{offer_id}/show",
            "report a problem": f"/{{lang}}/offers/{offer_id}/report",
            "shared list": f"/{{lang}}/list/shared?ids={offer_id}",
            "claim": f"/{{lang}}/organisations/{organisation_id}/claim",
            "network": "/{lang}/network", "privacy": "/{lang}/privacy",
            "languages": "/language?next=/{lang}/search", "sign in": "/{lang}/login",
            "forgotten password": "/{lang}/reset"}


def fits_the_budget(client, url: str, name: str, status: int = 200) -> None:
    size, html, _ = transferred(client, url, status)
    assets = subresources(html)
    total = size + sum(transferred(client, asset)[0] for asset in assets)
    assert 1 + len(assets) <= REQUEST_BUDGET, f"{name}: {1 + len(assets)} requests {assets}"
    print(f"{url} {name}: {total} bytes in {1 + len(assets)} requests (HTML {size})")
    assert total <= PAGE_BUDGET, f"{name} ({url}): {total} bytes"


@pytest.mark.parametrize("lang", interface_languages())
def test_every_public_page_fits_the_budget(demo_client, demo_app, lang, monkeypatch):
    monkeypatch.setitem(demo_app.config, "WTF_CSRF_ENABLED", False)  # to add to the list
    for name, pattern in page_types(demo_client, demo_app).items():
        fits_the_budget(demo_client, pattern.format(lang=lang), name)
    fits_the_budget(demo_client, f"/{lang}/offers/no-such-offer", "not found", 404)


def test_the_page_of_an_offer_no_longer_offered_fits_the_budget(directory):
    from .test_offer_gone import OWN, no_longer_offered

    visitor = no_longer_offered(directory)
    for lang in interface_languages():
        fits_the_budget(visitor, f"/{lang}/offers/{OWN}", "no longer offered", 410)


def test_a_results_page_of_twenty_offers_is_small(demo_client):
    size, html, _ = transferred(demo_client, "/de/search?q=")
    assert html.count('class="result') >= 20 or html.count("<article") >= 20
    assert size <= RESULTS_HTML_BUDGET, size


def test_pages_are_compressed_with_brotli_or_gzip(demo_client):
    for encoding in ("br", "gzip"):
        response = demo_client.get("/de/", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
    for status, url in ((404, "/de/offers/no-such-offer"), (404, "/de/nowhere")):
        response = demo_client.get(url, headers={"Accept-Encoding": "br"})
        assert (response.status_code, response.headers.get("Content-Encoding")) == (status, "br")
    plain = demo_client.get("/de/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data


def test_static_files_are_fingerprinted_and_cached_for_good(demo_client):
    _, html, _ = transferred(demo_client, "/de/")
    stylesheet = next(u for u in subresources(html) if u.endswith(".css") or ".css?" in u)
    assert re.search(r"\?v=[0-9a-f]{12}$", stylesheet)
    response = demo_client.get(stylesheet)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = demo_client.get(stylesheet.split("?")[0] + "?v=000000000000")
    assert "immutable" not in stale.headers.get("Cache-Control", "")


def test_a_page_seen_before_costs_a_304(demo_client):
    for headers in ({}, BROWSER, {"Accept-Encoding": "br"}):
        first = demo_client.get("/de/search?q=Deutsch", headers=headers)
        assert first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
        again = demo_client.get("/de/search?q=Deutsch",
                                headers={**headers, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", (headers, again.headers)
    other = demo_client.get("/de/search?q=Arzt", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_a_static_file_seen_before_costs_a_304(demo_client):
    _, html, _ = transferred(demo_client, "/de/")
    stylesheet = next(u for u in subresources(html) if ".css" in u)
    for headers in ({}, BROWSER, {"Accept-Encoding": "br"}):
        with demo_client.get(stylesheet, headers=headers) as first:
            etag = first.headers["ETag"]
        with demo_client.get(stylesheet, headers={**headers, "If-None-Match": etag}) as again:
            assert again.status_code == 304 and again.data == b"", headers
