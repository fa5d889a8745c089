"""Closures on a 360 px phone in German and Arabic: the offer form's rows of closures (a wrong
one refused at its field) and the offer page during a closure fit without scrolling sideways;
screenshots in tests/artifacts/."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from wegweiser import db, opening
from wegweiser.models import Offer, OfferClosure, OfferClosureText

from .screenshots import screenshot
from .test_editor_flow import (
    assert_accessible,
    assert_shown_page_accessible,
    editor_on_a_phone,
)

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
PHONE = {"width": 360, "height": 740}
OFFER = "a-sprachwerk-deutsch-eltern"


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_closures_fit_a_phone(app, server, chromium, artifacts, monkeypatch, lang):
    today = date.today()
    first, last = today + timedelta(days=3), today + timedelta(days=14)
    with app.app_context():
        session = db.session()
        offer = session.scalar(select(Offer).where(Offer.external_id == OFFER))
        closure = OfferClosure(first_day=first, last_day=last)
        closure.texts = [OfferClosureText(field="note", locale="de", text="Weihnachtsferien"),
                         OfferClosureText(field="note", locale="ar", text="عطلة عيد الميلاد")]
        offer.closures = [closure]
        session.commit()
    page = editor_on_a_phone(app, server, chromium, f"closures-{lang}@example.org")
    try:
        page.goto(server + f"/{lang}/manage/offers/{OFFER}/edit")
        fits(page)
        assert page.locator("#f-closures-0-first_day").input_value() == first.isoformat()
        # A second closure whose last day is before its first: refused at its field.
        page.fill("#f-closures-1-first_day", (last + timedelta(days=9)).isoformat())
        page.fill("#f-closures-1-last_day", (last + timedelta(days=5)).isoformat())
        page.locator("form#edit-form button[value=save]").click()
        error = page.locator("#e-f-closures-1-last_day")
        assert error.is_visible()
        assert page.locator("#f-closures-1-last_day").get_attribute("aria-describedby") == \
            "e-f-closures-1-last_day"
        fits(page)
        error.scroll_into_view_if_needed()
        screenshot(page.locator("fieldset.closures-editor"),
                   path=str(artifacts / f"closures-edit-form-{lang}-360.png"))
        screenshot(page, path=str(artifacts / f"closures-edit-form-full-{lang}-360.png"),
                   full_page=True)
        assert_shown_page_accessible(chromium, page)
        # The translation form: the closure's note beside the original, in Ukrainian.
        page.goto(server + f"/{lang}/manage/offers/{OFFER}/translate/uk")
        fits(page)
        note = page.locator(f"#t-closure_note-{first.isoformat()}")
        assert note.get_attribute("dir") == "ltr" and note.get_attribute("lang") == "uk"
        note.fill("Різдвяні канікули")
        assert "Weihnachtsferien" in page.locator("fieldset.translate-closures").inner_text()
        screenshot(page.locator("fieldset.translate-closures"),
                   path=str(artifacts / f"closures-translate-{lang}-360.png"))
        assert_accessible(chromium, page, server + f"/{lang}/manage/offers/{OFFER}/translate/uk")
        # The public page during the closure.
        during = datetime.combine(first + timedelta(days=1), datetime.min.time()).replace(
            hour=10)
        monkeypatch.setattr(opening, "local_now", lambda timezone: during)
        page.goto(server + f"/{lang}/offers/{OFFER}")
        fits(page)
        assert page.locator(".closure-notice").is_visible()
        page.locator(".closure-notice").scroll_into_view_if_needed()
        screenshot(page, path=str(artifacts / f"closures-offer-page-{lang}-360.png"))
    finally:
        page.context.close()
