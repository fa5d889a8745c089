"""Joining without an account: "Add your initiative" lands in the moderators' queue, nothing is
public before a moderator accepts; accepting creates the organisation and invites its contact,
declining mails the reason in the contact's language; claims of existing entries are confirmed
through the organisation's published address. Personal data is forgotten once decided."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import (
    ACCEPTED,
    DECLINED,
    PUBLISHED,
    JoinRequest,
    Organisation,
    User,
    utcnow,
)
from wegweiser.services import joining

from .helpers import PASSWORD, csrf, mails, notices_after, signed_in

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data
NAME = "Teestube Zwiebelturm"
TITLE = "Offenes Teetrinken mit Hausaufgabenhilfe"
CONTACT = "Lina@Example.org"


def join_form(**changes) -> dict:
    form = {"text_language": "de", "name": NAME, "description": "Wir sind eine Nachbarschafts"
            "initiative in Connewitz.", "website": "https://zwiebelturm.example",
            "email": "", "phone": "", "street": "Turmweg 3", "postal_code": "04277",
            "city": "Leipzig", "title": TITLE, "summary": "Jeden Dienstag ab 15 Uhr.",
            "categories": ["language-courses"], "target_groups": ["children"],
            "languages": ["de", "ar"], "areas": ["connewitz"], "contact_name": "Lina",
            "contact_email": CONTACT, "contact_phone": "0341 123456"}
    form.update(changes)
    return form


def send(client, lang: str = "de", **changes):
    path = f"/{lang}/join"
    return client.post(path, data={"csrf_token": csrf(client, path), **join_form(**changes)})


def requests_of(app) -> list[JoinRequest]:
    with app.app_context():
        found = list(db.session().scalars(select(JoinRequest).order_by(JoinRequest.id)))
        db.session().expunge_all()
        return found


def nothing_public(client, app) -> None:
    """The initiative and its offer are nowhere public: pages, search, API, sitemap, feed."""
    assert NAME not in client.get("/de/search?q=Zwiebelturm").get_data(as_text=True)
    assert TITLE not in client.get("/de/search?q=Teetrinken").get_data(as_text=True)
    # "Teetrinken", in no public text, is searched as "Tee" and "trinken": other offers may come.
    titles = [r["title"] for r in client.get(
        "/api/v1/offers?q=Teetrinken&per_page=100").get_json()["results"]]
    assert TITLE not in titles
    assert client.get("/api/v1/offers?q=Zwiebelturm").get_json()["total"] == 0
    for path in ("/sitemap.xml", "/de/feed.atom", "/de/search?category=language-courses"
                 "&area=connewitz&per_page=100"):
        page = client.get(path).get_data(as_text=True)
        assert "zwiebelturm" not in page.lower(), path
    assert client.get("/de/organisations/teestube-zwiebelturm").status_code == 404
    with app.app_context():
        assert db.session().scalar(select(Organisation).where(
            Organisation.name == NAME)) is None


def decide(app, decision: str, reason: str = ""):
    moderator = signed_in(app, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    path = re.search(r'href="(/de/manage/requests/\d+)"', queue).group(1)
    page = moderator.get(path).get_data(as_text=True)
    return moderator, path, page, moderator.post(path, data={
        "csrf_token": csrf(moderator, path), "decision": decision, "reason": reason})


def test_the_join_page_in_every_language_and_linked_from_every_page(app, client):
    assert 'href="/de/join"' in client.get("/de/").get_data(as_text=True)
    for lang in app.config["WEGWEISER_LANGUAGE_LIST"]:
        page = client.get(f"/{lang}/join")
        assert page.status_code == 200, lang
        html = page.get_data(as_text=True)
        assert 'name="csrf_token"' in html and 'name="contact_email"' in html
        assert f'<option value="{lang}" selected>' in html, "texts in the page's language"
    assert 'dir="rtl"' in client.get("/ar/join").get_data(as_text=True)


def test_join_accept_invite_and_the_editor_takes_over(app, client):
    sent = send(client, "ar")
    assert sent.status_code == 200 and 'role="status"' in sent.get_data(as_text=True)
    [filed] = requests_of(app)
    assert filed.contact_email == "lina@example.org" and filed.language == "ar"
    nothing_public(client, app)

    moderator, path, page, accepted = decide(app, "accept")
    assert NAME in page and "lina@example.org" in page and "0341 123456" in page
    assert "Deutschkurse" in page or "Sprach" in page  # the category by its label
    assert NAME in notices_after(moderator, accepted)
    with app.app_context():
        org = db.session().scalar(select(Organisation).where(Organisation.name == NAME))
        assert org is not None and not org.trusted and org.original_language == "de"
        assert org.email is None and org.website == "https://zwiebelturm.example"
        assert [o.status for o in org.offers] == [PUBLISHED]
        external_id = org.external_id
    assert client.get("/api/v1/offers?q=Teetrinken").get_json()["results"][0]["title"] == TITLE
    assert TITLE in client.get(f"/de/organisations/{external_id}").get_data(as_text=True)
    [decided] = requests_of(app)
    assert decided.status == ACCEPTED and decided.contact_email is None
    assert decided.contact_name is None and decided.contact_phone is None
    assert decided.record is None

    invitation = mails(app)[-1]
    assert invitation["To"] == "lina@example.org"
    body = invitation.get_content()
    assert NAME in body and "/ar/invitation/" in body and "/de/invitation/" not in body
    assert re.search(r"[\u0600-\u06ff]", invitation["Subject"]), "in Arabic, as the form was"
    link = re.search(r"http://localhost(/ar/invitation/\S+)", body).group(1)
    editor = app.test_client()
    editor.post(link, data={"csrf_token": csrf(editor, link), "password": PASSWORD,
                            "confirm": PASSWORD})
    editor.post("/de/login", data={"csrf_token": csrf(editor, "/de/login"),
                                   "email": "lina@example.org", "password": PASSWORD})
    dashboard = editor.get("/de/manage/").get_data(as_text=True)
    assert NAME in dashboard and TITLE in dashboard
    assert moderator.get(path).status_code == 404, "decided requests leave the queue"


def test_decline_mails_the_reason_in_the_language_of_the_form(app, client):
    assert send(client, "uk").status_code == 200
    _moderator, path, _page, missing = decide(app, "decline", "  ")
    assert missing.status_code == 400 and 'aria-invalid="true"' in missing.get_data(as_text=True)
    assert requests_of(app)[0].contact_email, "nothing decided yet"
    moderator = signed_in(app, "mod2@example.org", "moderator")
    declined = moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                          "decision": "decline",
                                          "reason": "Bitte melden Sie sich telefonisch."})
    assert declined.status_code == 303
    mail = mails(app)[-1]
    assert mail["To"] == "lina@example.org"
    assert "Bitte melden Sie sich telefonisch." in mail.get_content()
    assert re.search(r"[\u0400-\u04ff]", mail["Subject"]), "in Ukrainian, as the form was"
    [decided] = requests_of(app)
    assert decided.status == DECLINED and decided.contact_email is None
    assert decided.reason == "Bitte melden Sie sich telefonisch."
    nothing_public(client, app)
    again = moderator.post(path, data={"csrf_token": csrf(moderator, "/de/manage/"),
                                       "decision": "accept"})
    assert "bereits entschieden" in notices_after(moderator, again)
    nothing_public(client, app)


def test_problems_are_shown_and_what_was_typed_is_kept(app, client):
    sent = send(client, title="", categories=[], areas=[], contact_email="lina at home",
                website="zwiebelturm")
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert page.count('aria-invalid="true"') >= 3  # title, website, contact e-mail
    assert 'value="Teestube Zwiebelturm"' in page and "Turmweg 3" in page
    assert 'value="lina at home"' in page
    assert re.search(r'name="languages" value="ar" checked', page)
    assert re.search(r'name="target_groups" value="children" checked', page)
    assert requests_of(app) == []


def test_without_csrf_token_nothing_is_filed(app, client):
    client.get("/de/join")
    refused = client.post("/de/join", data=join_form())
    assert refused.status_code == 400
    assert requests_of(app) == []


def test_joining_is_rate_limited(client):
    path = "/de/join"
    token = csrf(client, path)
    codes = [client.post(path, data={"csrf_token": token, **join_form(title="")}).status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]


def claim(client, organisation: str = "a-sprachwerk-ost", lang: str = "de",
          name: str = "Ada Beispiel", address: str = "ada@example.org"):
    path = f"/{lang}/organisations/{organisation}/claim"
    return client.post(path, data={"csrf_token": csrf(client, path), "name": name,
                                   "email": address})


def test_claim_is_confirmed_by_the_published_address_then_by_a_moderator(app, client):
    page = client.get("/de/organisations/a-sprachwerk-ost").get_data(as_text=True)
    assert 'href="/de/organisations/a-sprachwerk-ost/claim"' in page
    assert claim(client, address="", name="Ada").status_code == 400
    assert claim(client, lang="fa").status_code == 200
    [verification] = mails(app)
    assert verification["To"] == "kontakt@sprachwerk-ost.example", "the published address"
    assert "ada@example.org" in verification.get_content()
    link = re.search(r"http://localhost(/de/claims/\S+)", verification.get_content()).group(1)
    moderator = signed_in(app, "mod@example.org", "moderator")
    assert "/de/manage/requests/" not in moderator.get("/de/manage/review/").get_data(
        as_text=True), "not before the organisation confirmed it"

    assert client.get(link[:-4] + "abcd").status_code == 400  # forged
    shown = client.get(link)
    assert shown.status_code == 200 and "Ada Beispiel" in shown.get_data(as_text=True)
    assert requests_of(app)[0].status == joining.UNVERIFIED, "a GET changes nothing"
    assert client.post(link, data={"csrf_token": csrf(client, link)}).status_code == 200
    used = client.get(link)
    assert used.status_code == 400

    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    path = re.search(r'href="(/de/manage/requests/\d+)"', queue).group(1)
    assert "nicht überprüft" not in queue
    accepted = moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                          "decision": "accept"})
    assert accepted.status_code == 303
    invitation = mails(app)[-1]
    assert invitation["To"] == "ada@example.org"
    assert "/fa/invitation/" in invitation.get_content(), "in the claimant's language"
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "ada@example.org"))
        assert [m.organisation.external_id for m in user.memberships] == ["a-sprachwerk-ost"]
    assert requests_of(app)[0].contact_email is None


def test_expired_claim_links_are_refused(app, client, monkeypatch):
    claim(client)
    link = re.search(r"http://localhost(/de/claims/\S+)", mails(app)[0].get_content()).group(1)
    monkeypatch.setattr(joining, "CLAIM_LINK_DAYS", -1)
    expired = client.get(link)
    assert expired.status_code == 400 and "abgelaufen" in expired.get_data(as_text=True)
    assert client.post(link, data={"csrf_token": csrf(client, "/de/join")}).status_code == 400
    assert requests_of(app)[0].status == joining.UNVERIFIED


def test_claim_without_published_address_goes_to_moderators_marked_unverified(app, client):
    with app.app_context():
        org = db.session().scalar(select(Organisation).where(
            Organisation.external_id == "a-rechtskompass"))
        org.email = None
        db.session().commit()
    page = client.get("/de/organisations/a-rechtskompass/claim").get_data(as_text=True)
    assert "andere Weise" in page or "anderem Weg" in page
    assert claim(client, "a-rechtskompass").status_code == 200
    assert mails(app) == []
    moderator = signed_in(app, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    assert "nicht überprüft" in queue
    path = re.search(r'href="(/de/manage/requests/\d+)"', queue).group(1)
    declined = moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                          "decision": "decline",
                                          "reason": "Wir konnten das nicht bestätigen."})
    assert declined.status_code == 303
    assert mails(app)[-1]["To"] == "ada@example.org"


def test_a_moderator_as_contact_keeps_their_role(app, client):
    signed_in(app, "mod@example.org", "moderator")
    assert send(client, contact_email="MOD@example.org").status_code == 200
    _moderator, _path, _page, accepted = decide(app, "accept")
    assert accepted.status_code == 303
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "mod@example.org"))
        assert user.role == "moderator" and len(user.memberships) == 1
    assert "/de/login" in mails(app)[-1].get_content(), "an account with a password signs in"


def test_claims_are_rate_limited(client):
    codes = [claim(client, name="").status_code for _ in range(6)]
    assert codes == [400] * 5 + [429]


def test_claims_whose_link_expired_unused_are_deleted(app, client):
    claim(client, address="old@example.org")
    with app.app_context():
        old = db.session().scalar(select(JoinRequest))
        old.created_at = utcnow() - timedelta(days=joining.CLAIM_LINK_DAYS + 1)
        db.session().commit()
    claim(client, address="new@example.org")
    assert [r.contact_email for r in requests_of(app)] == ["new@example.org"]


def test_a_text_too_long_is_refused_at_its_field_and_kept_whole(app, client):
    """No maxlength in the form: a browser cuts a paste at it without a word. The server says
    how long the text may be, at the field, and keeps all of it."""
    summary = "Jeden Dienstag ab 15 Uhr. " * 60  # 1,560 characters, the limit is 1,000
    page_before = client.get("/de/join").get_data(as_text=True)
    assert not re.search(r'name="(title|summary|description|name)"[^>]*maxlength', page_before)
    sent = send(client, summary=summary)
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert summary.strip() in page
    assert re.search(r'<textarea id="f-summary"[^>]*aria-invalid="true"', page)
    assert requests_of(app) == []
