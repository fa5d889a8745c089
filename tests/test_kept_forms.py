"""A form sent after its session ended (a page open overnight, cookies cleared, signed in again
in another tab) fails its CSRF check: the public forms and the moderators' decisions come back
with what was typed and a note, never a bare 400, and nothing is sent, filed or decided."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from wegweiser import db
from wegweiser.models import JoinRequest, ProblemReport, Proposal, User

from .helpers import PASSWORD, csrf, propose_title, review_paths, second_step, signed_in
from .test_joining import join_form

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data
SAME_SITE = {"Origin": "http://localhost"}
OFFER = "a-sprachwerk-deutsch-eltern"
NOTE_DE = "Ihr Formular war zu lange geöffnet"
NOTE_AR = "بقي النموذج مفتوحًا مدة طويلة"
MODERATOR_NOTE_DE = "bevor Sie sich erneut angemeldet haben"


def _session_ended(client) -> None:
    """The session cookie is gone (expired, cleared): the form's token belongs to no session."""
    with client.session_transaction() as session:
        session.clear()


def _count(app, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def _sent_back(client, path: str, data: dict) -> str:
    """Send a form from this site whose token is stale: the page that comes back (a 400)."""
    response = client.post(path, headers=SAME_SITE, data=data)
    assert response.status_code == 400
    return response.get_data(as_text=True)


def _sign_in_again(app, client, email: str) -> None:
    """Sign in in another tab: a new session, so the open forms' tokens are stale."""
    response = client.post("/de/login", headers=SAME_SITE, data={
        "csrf_token": csrf(client, "/de/login"), "email": email, "password": PASSWORD})
    second_step(app, client, response, email)


def test_join_comes_back_as_typed_after_the_session_ended(app, client):
    token = csrf(client, "/de/join")
    _session_ended(client)
    typed = join_form(description="Zwei Stunden getippt\nin vielen Zeilen")
    page = _sent_back(client, "/de/join", {"csrf_token": token, **typed})
    assert NOTE_DE in page
    assert 'value="Teestube Zwiebelturm"' in page
    assert "Zwei Stunden getippt\nin vielen Zeilen" in page
    assert 'value="Lina@Example.org"' in page
    assert _count(app, JoinRequest) == 0
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = client.post("/de/join", headers=SAME_SITE, data={"csrf_token": fresh, **typed})
    assert sent.status_code == 200 and _count(app, JoinRequest) == 1


def test_a_form_from_another_site_still_gets_the_bare_refusal(app, client):
    token = csrf(client, "/de/join")
    _session_ended(client)
    refused = client.post("/de/join", headers={"Origin": "https://elsewhere.example"},
                          data={"csrf_token": token, **join_form()})
    assert refused.status_code == 400
    assert "Teestube Zwiebelturm" not in refused.get_data(as_text=True)
    assert _count(app, JoinRequest) == 0


@pytest.mark.parametrize("headers, shown", [
    # What Chromium sends under this site's "Referrer-Policy: no-referrer": no origin, but
    # the relation of the page that sent the form.
    ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),
    ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, False),
])
def test_a_browser_that_names_no_origin_is_told_by_sec_fetch_site(app, client, headers, shown):
    token = csrf(client, "/de/join")
    _session_ended(client)
    response = client.post("/de/join", headers=headers, data={"csrf_token": token,
                                                               **join_form()})
    assert response.status_code == 400
    assert ('value="Teestube Zwiebelturm"' in response.get_data(as_text=True)) is shown
    assert _count(app, JoinRequest) == 0


@pytest.mark.parametrize("lang, note", [("de", NOTE_DE), ("ar", NOTE_AR)])
def test_a_problem_report_comes_back_as_typed(app, client, lang, note):
    path = f"/{lang}/offers/{OFFER}/report"
    token = csrf(client, path)
    _session_ended(client)
    page = _sent_back(client, path, {
        "csrf_token": token, "message": "Die Telefonnummer stimmt nicht mehr.",
        "contact": "0341 99"})
    assert note in page and "Die Telefonnummer stimmt nicht mehr.</textarea>" in page
    assert 'value="0341 99"' in page
    assert _count(app, ProblemReport) == 0


def test_a_claim_comes_back_as_typed(app, client):
    path = "/de/organisations/a-sprachwerk-ost/claim"
    token = csrf(client, path)
    _session_ended(client)
    page = _sent_back(client, path, {
        "csrf_token": token, "name": "Ada Beispiel", "email": "ada@example.org"})
    assert NOTE_DE in page and 'value="Ada Beispiel"' in page
    assert _count(app, JoinRequest) == 0


def test_a_note_on_the_list_comes_back_as_typed(app, client):
    """The list lived in the ended session too: the note still comes back, on the empty list."""
    client.post("/de/list/add", data={"csrf_token": csrf(client, f"/de/offers/{OFFER}"),
                                      "offer": OFFER})
    token = csrf(client, "/de/list")
    _session_ended(client)
    page = _sent_back(client, "/de/list/note", {
        "csrf_token": token, "note": "Bitte Termin am Montag"})
    assert NOTE_DE in page and "Bitte Termin am Montag</textarea>" in page


def test_a_moderators_comment_survives_signing_in_again(app):
    propose_title(app, "Neuer Titel zur Prüfung")
    moderator = signed_in(app, "mod@example.org", "moderator")
    path = review_paths(moderator)[0]
    token = csrf(moderator, path)
    _sign_in_again(app, moderator, "mod@example.org")
    page = _sent_back(moderator, path, {
        "csrf_token": token, "decision": "return",
        "comment": "Bitte die Öffnungszeiten ergänzen."})
    assert MODERATOR_NOTE_DE in page and "Bitte die Öffnungszeiten ergänzen.</textarea>" in page
    with app.app_context():
        assert db.session().scalars(select(Proposal.status)).all() == ["pending"]


def test_a_decline_reason_survives_signing_in_again(app, client):
    client.post("/de/join", data={"csrf_token": csrf(client, "/de/join"), **join_form()})
    moderator = signed_in(app, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    path = re.search(r'href="(/de/manage/requests/\d+)"', queue).group(1)
    token = csrf(moderator, path)
    _sign_in_again(app, moderator, "mod@example.org")
    page = _sent_back(moderator, path, {
        "csrf_token": token, "decision": "decline", "reason": "Kein Angebot in Leipzig."})
    assert MODERATOR_NOTE_DE in page and "Kein Angebot in Leipzig.</textarea>" in page
    with app.app_context():
        assert db.session().scalars(select(JoinRequest.status)).all() == ["waiting"]


def test_an_invitation_survives_signing_in_again(app):
    admin = signed_in(app, "admin@example.org", "admin")
    token = csrf(admin, "/de/manage/users")
    _sign_in_again(app, admin, "admin@example.org")
    page = _sent_back(admin, "/de/manage/users", {
        "csrf_token": token, "email": "neu@example.org", "role": "moderator",
        "organisation": ""})
    assert MODERATOR_NOTE_DE in page and 'value="neu@example.org"' in page
    with app.app_context():
        assert db.session().scalar(select(User).where(User.email == "neu@example.org")) is None


@pytest.mark.parametrize("path, field", [("/de/login", "email"), ("/de/reset", "email")])
def test_the_sign_in_and_reset_forms_keep_the_address_never_the_password(app, client, path,
                                                                        field):
    token = csrf(client, path)
    _session_ended(client)
    page = _sent_back(client, path, {"csrf_token": token, field: "ed@example.org",
                                     "password": "geheim-getippt"})
    assert NOTE_DE in page and 'value="ed@example.org"' in page
    assert "geheim-getippt" not in page


# Control characters pasted into a form (a vertical tab from a word processor, a NUL from a
# broken copy): the form comes back with the text, those characters taken out, and a note.
CONTROLS_DE = "Sie wurden aus dem Text unten entfernt"
CONTROLS_AR = "أُزيلت هذه الأحرف من النص أدناه"


@pytest.mark.parametrize("lang, note", [("de", CONTROLS_DE), ("ar", CONTROLS_AR)])
def test_a_report_with_pasted_control_characters_comes_back_cleaned(app, client, lang, note):
    path = f"/{lang}/offers/{OFFER}/report"
    response = client.post(path, data={
        "csrf_token": csrf(client, path), "contact": "0341\x00 99",
        "message": "Die Telefonnummer\x0b stimmt\x1b nicht mehr.\r\nNeue: 0341 12"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert note in page
    assert "Die Telefonnummer stimmt nicht mehr.\r\nNeue: 0341 12</textarea>" in page
    assert 'value="0341 99"' in page
    assert _count(app, ProblemReport) == 0
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = client.post(path, data={"csrf_token": fresh, "contact": "0341 99",
                                   "message": "Die Telefonnummer stimmt nicht mehr."})
    assert sent.status_code == 200 and _count(app, ProblemReport) == 1


def test_a_join_request_with_pasted_control_characters_comes_back_cleaned(app, client):
    typed = join_form(description="Zwei Stunden\x0c getippt\nin vielen Zeilen")
    response = client.post("/de/join", data={"csrf_token": csrf(client, "/de/join"), **typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert CONTROLS_DE in page and "Zwei Stunden getippt\nin vielen Zeilen" in page
    assert 'value="Teestube Zwiebelturm"' in page
    assert _count(app, JoinRequest) == 0


def test_a_claim_and_a_list_note_with_control_characters_come_back_cleaned(app, client):
    path = "/de/organisations/a-sprachwerk-ost/claim"
    page = client.post(path, data={"csrf_token": csrf(client, path), "name": "Ada\x08 Beispiel",
                                   "email": "ada@example.org"}).get_data(as_text=True)
    assert CONTROLS_DE in page and 'value="Ada Beispiel"' in page
    assert _count(app, JoinRequest) == 0
    client.post("/de/list/add", data={"csrf_token": csrf(client, f"/de/offers/{OFFER}"),
                                      "offer": OFFER})
    page = client.post("/de/list/note", data={
        "csrf_token": csrf(client, "/de/list"), "note": "Termin\x07 am Montag"}
    ).get_data(as_text=True)
    assert CONTROLS_DE in page and "Termin am Montag</textarea>" in page
    assert "Termin am Montag" not in client.get("/de/list").get_data(as_text=True)


def test_a_moderators_comment_with_control_characters_decides_nothing(app):
    propose_title(app, "Neuer Titel zur Prüfung")
    moderator = signed_in(app, "mod@example.org", "moderator")
    path = review_paths(moderator)[0]
    response = moderator.post(path, data={
        "csrf_token": csrf(moderator, path), "decision": "return",
        "comment": "Bitte die Öffnungszeiten\x0b ergänzen."})
    page = response.get_data(as_text=True)
    assert CONTROLS_DE in page and "Bitte die Öffnungszeiten ergänzen.</textarea>" in page
    with app.app_context():
        assert db.session().scalars(select(Proposal.status)).all() == ["pending"]


def test_a_control_character_in_a_field_name_is_still_refused(app, client):
    path = f"/de/offers/{OFFER}/report"
    response = client.post(path, data={"csrf_token": csrf(client, path), "mess\x00age": "x"})
    assert response.status_code == 400 and CONTROLS_DE not in response.get_data(as_text=True)
