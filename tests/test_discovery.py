"""JSON-LD, sitemap, OpenSearch and robots.txt."""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree


def test_offer_and_organisation_pages_carry_schema_org_json_ld(demo_client):
    page = demo_client.get("/de/search?q=Deutschkurs").get_data(as_text=True)
    offer_url = re.search(r'href="(/de/offers/[^"]+)"', page).group(1)
    offer_page = demo_client.get(offer_url).get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>',
                                offer_page).group(1))
    assert data["@type"] == "Service" and data["provider"]["@type"] == "Organization"
    assert data["url"].endswith(offer_url)
    org_url = re.search(r'href="(/de/organisations/[^"]+)"', offer_page).group(1)
    org = json.loads(re.search(r'<script type="application/ld\+json">(.+?)</script>',
                               demo_client.get(org_url).get_data(as_text=True)).group(1))
    assert org["@type"] == "Organization"


def test_sitemap_lists_every_language_version(demo_client):
    root = ElementTree.fromstring(demo_client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
          "x": "http://www.w3.org/1999/xhtml"}
    urls = root.findall("s:url", ns)
    languages = len(demo_client.application.config["WEGWEISER_LANGUAGE_LIST"])
    assert languages == 14
    assert len(urls) > 150 * languages
    first = urls[0]
    assert len(first.findall("x:link", ns)) == languages


def test_opensearch_and_robots(demo_client):
    description = demo_client.get("/fa/opensearch.xml").get_data(as_text=True)
    assert 'template="http://localhost/fa/search?q={searchTerms}"' in description
    assert "sitemap.xml" in demo_client.get("/robots.txt").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in \
        demo_client.get("/fa/").get_data(as_text=True)
