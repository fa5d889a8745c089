"""axe-core (WCAG 2.x A/AA rules) finds no violation on the public pages."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/de/", "/en/", "/de/search?q=Deutschkurs&area=sued", "/de/search?q=zzzqqq",
         "/en/search?category=health&free=1&page=1", "/de/nowhere", "/de/network",
         "/de/network?category=asylum-legal-advice&language=prs&free=1", "/en/privacy",
         "/de/join", "/de/organisations/a-sprachwerk-ost/claim",
         "/de/near?q=Beratung", "/de/search?q=Beratung&near=connewitz",
         "/de/take-part", "/en/take-part?area=sued&kind=volunteers",
         "/de/events", "/en/events?category=network-meeting&this_week=1",
         "/de/events/e-netzwerktreffen"]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740},
                                      {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_public_pages_have_no_accessibility_violations(chromium, live_server, demo_app, axe,
                                                       viewport):
    from sqlalchemy import select

    from wegweiser import db
    from wegweiser.models import PUBLISHED, Offer

    with demo_app.app_context():
        offer = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).first()
        pages = [*PAGES, f"/de/offers/{offer.external_id}",
                 f"/en/organisations/{offer.organisation.external_id}"]
    pages += [path.replace("/de/", "/ar/").replace("/en/", "/ar/") for path in pages]
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    problems = {}
    for path in pages:
        page.goto(live_server + path)
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = result.response["violations"]
        if violations:
            problems[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
                              for v in violations]
    context.close()
    assert not problems, problems
