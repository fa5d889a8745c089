"""An offer that is no longer offered is no dead end: its printed QR code and shared links lead
to a page in the reader's language that says so and shows where to turn instead."""
from __future__ import annotations

import re

from sqlalchemy import select

from wegweiser import db
from wegweiser.models import PUBLISHED, Offer

from .helpers import OWN, csrf, signed_in


def no_longer_offered(app, external_id=OWN):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert editor.post(f"/de/manage/offers/{external_id}/archive",
                       data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 303
    return app.test_client()


def offer_links(html: str) -> list[str]:
    """Offers linked from the page's content (the language switcher links to this page)."""
    content = html[html.index('<section class="gone">'):]
    return re.findall(r'href="/\w+/offers/([^"/]+)"', content)


def test_an_archived_offer_answers_410_with_other_and_similar_offers(directory):
    with directory.app_context():
        gone = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        categories = {c.slug for c in gone.categories}
        organisation = gone.organisation.external_id
    visitor = no_longer_offered(directory)
    response = visitor.get(f"/de/offers/{OWN}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "Dieses Angebot gibt es nicht mehr" in page
    linked = offer_links(page)
    assert OWN not in linked and linked, "other and similar offers, never the archived one"
    with directory.app_context():
        shown = db.session().scalars(select(Offer).where(Offer.external_id.in_(linked))).all()
        assert all(o.status == PUBLISHED for o in shown)
        similar = [o for o in shown if o.organisation.external_id != organisation]
        assert 1 <= len(similar) <= 3
        assert all(categories & {c.slug for c in o.categories} for o in similar)


def test_the_page_speaks_the_readers_language_right_to_left(directory):
    visitor = no_longer_offered(directory)
    response = visitor.get(f"/ar/offers/{OWN}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert "Dieses Angebot" not in page and "This offer" not in page


def test_an_offer_that_never_existed_is_still_404(directory):
    assert directory.test_client().get("/de/offers/never-was").status_code == 404


def test_a_shared_list_shows_a_withdrawn_offer_greyed_instead_of_dropping_it(directory):
    with directory.app_context():
        other = db.session().scalar(select(Offer.external_id).where(
            Offer.status == PUBLISHED, Offer.external_id != OWN))
    visitor = no_longer_offered(directory)
    for lang, note in (("de", "Gibt es nicht mehr"), ("ar", None)):
        page = visitor.get(f"/{lang}/list/shared?ids={other}~{OWN}").get_data(as_text=True)
        assert page.count('class="offer-card"') == 1
        assert page.count('class="offer-card gone"') == 1
        gone = page[page.index('class="offer-card gone"'):]
        gone = gone[:gone.index("</article>")]
        assert f"/{lang}/offers/{OWN}" in gone, "its link leads to the page with alternatives"
        assert "list/add" not in gone, "a withdrawn offer cannot be added again"
        assert 'class="gone-note"' in gone and (note is None or note in gone)


def test_no_longer_offered_asks_before_it_acts(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get("/de/manage/").get_data(as_text=True)
    confirm = re.search(r'<details class="confirm"><summary[^>]*>Gibt es nicht mehr</summary>'
                        r'<form method="post" action="/de/manage/offers/([^/"]+)/archive">.*?'
                        r'<button type="submit">Ja, gibt es nicht mehr</button></form></details>',
                        page, re.S)
    assert confirm, "the action sits behind a confirmation that works without JavaScript"


def test_the_list_and_the_sheet_name_the_offers_left_out(directory):
    """A social worker who promised five offers must see which one is gone, not only that
    one is: on the list and on the screen of the sheet (the printed sheet leaves it out)."""
    visitor = directory.test_client()
    visitor.get("/de/search?q=Deutschkurs")
    with directory.app_context():
        title = db.session().scalar(select(Offer).where(Offer.external_id == OWN)).text_in(
            "title", "de")[0]
    directory.config["WTF_CSRF_ENABLED"] = False
    try:
        for offer in (OWN, "a-lernwerkstatt-deutschkurs-abend"):
            assert visitor.post("/de/list/add", data={"offer": offer}).status_code == 303
    finally:
        directory.config["WTF_CSRF_ENABLED"] = True
    no_longer_offered(directory)
    for path in ("/de/list", "/de/list/sheet"):
        page = visitor.get(path).get_data(as_text=True)
        withdrawn = page[page.index('<ul class="withdrawn">'):]
        assert title in withdrawn[:withdrawn.index("</ul>")], path
    sheet = visitor.get("/de/list/sheet").get_data(as_text=True)
    assert sheet.count('class="sheet-entry"') == 1
