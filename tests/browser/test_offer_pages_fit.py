"""Every offer page fits a 360 px phone, in German and in Arabic (right to left), however long
its e-mail address, web address or words: grid and flex items grow to their longest unbroken
word, and a page wider than the screen is zoomed out or cut off at its start."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import PUBLISHED, Offer

from .screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PHONE = {"width": 360, "height": 740}
LONGEST = 12  # the offers with the longest unbroken strings on their page


def longest_unbroken(offer: Offer) -> int:
    values = [offer.email or "", offer.website or "", offer.phone or ""]
    values += list(offer.translations_of("title").values())
    return max((len(part) for value in values for part in re.split(r"[\s\-]", value)),
               default=0)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_the_offers_with_the_longest_addresses_fit_a_phone(demo_app, live_server, chromium,
                                                            artifacts, lang):
    with demo_app.app_context():
        offers = db.session().scalars(select(Offer).where(Offer.status == PUBLISHED)).all()
        chosen = [o.external_id for o in sorted(offers, key=longest_unbroken,
                                                reverse=True)[:LONGEST]]
    context = chromium.new_context(viewport=PHONE, locale=lang)
    page = context.new_page()
    too_wide = []
    try:
        for offer in chosen:
            page.goto(f"{live_server}/{lang}/offers/{offer}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append((offer, width))
        page.goto(f"{live_server}/{lang}/offers/{chosen[0]}")
        screenshot(page, path=str(artifacts / f"offer-longest-{lang}-360.png"), full_page=True)
    finally:
        context.close()
    assert not too_wide, too_wide
