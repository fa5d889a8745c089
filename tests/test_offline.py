"""The offline worker and the manifest as served (the browser test shows them working)."""
from __future__ import annotations

import pytest


def test_the_service_worker_is_served_from_the_root_and_revalidated(demo_client):
    response = demo_client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert "addEventListener(\"fetch\"" in body
    assert "http://" not in body and "https://" not in body, "it talks to no other site"


@pytest.mark.parametrize("lang, direction", [("de", "ltr"), ("ar", "rtl"), ("fa", "rtl")])
def test_the_manifest_speaks_the_page_language(demo_client, lang, direction):
    response = demo_client.get(f"/{lang}/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["lang"] == lang and manifest["dir"] == direction
    assert manifest["start_url"] == f"/{lang}/"
    assert manifest["display"] == "standalone"
    assert manifest["icons"] and all(i["src"].startswith("/static/") for i in manifest["icons"])
    german = demo_client.get("/de/manifest.webmanifest").get_json(force=True)
    if lang != "de":
        assert manifest["description"] != german["description"], "translated"


def test_the_first_visit_loads_no_offline_code(demo_client):
    page = demo_client.get("/de/").get_data(as_text=True)
    assert 'rel="manifest"' not in page, "added by script from the second page view on"
    assert "/sw.js" not in page
    assert 'data-offline="/static/js/offline.js' in page
