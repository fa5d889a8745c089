"""An organisation keeps its own profile: validated like an import, moderated unless the
organisation is trusted, locked against lost edits, with history and undo."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from wegweiser import db
from wegweiser.models import Organisation, Proposal

from .helpers import PASSWORD, csrf, notices_after, signed_in, trust

ORG = "a-sprachwerk-ost"
PROFILE = f"/de/manage/organisations/{ORG}/profile"


def profile_form(client) -> dict:
    """The profile form's current values, as a browser would submit them."""
    page = client.get(PROFILE).get_data(as_text=True)
    data = dict(re.findall(r'<input (?:type="(?:hidden|text|url|email|tel)" )?'
                           r'(?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', page))
    data["description"] = re.search(r'name="description"[^>]*>([^<]*)</textarea>',
                                    page).group(1)
    return data


def public_profile(client) -> str:
    return client.get(f"/de/organisations/{ORG}").get_data(as_text=True)


def test_invalid_profile_input_is_explained_and_kept(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    data.update({"website": "ftp://nope", "description": "Neu getippt"})
    bad = editor.post(PROFILE, data=data)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'value="ftp://nope"' in page and "Neu getippt" in page
    assert 'class="field-error"' in page
    assert editor.get("/de/manage/organisations/b-portitzer-winkel/profile").status_code == 403


def test_a_trusted_organisation_publishes_its_profile_at_once(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    name = data["name"]
    data.update({"name": name + " (neu)", "description": "Wir sind ein Verein im Osten."})
    response = editor.post(PROFILE, data=data)
    assert "Gespeichert und veröffentlicht." in notices_after(editor, response)
    public = public_profile(editor)
    assert f"{name} (neu)" in public and "Wir sind ein Verein im Osten." in public


def test_an_untrusted_profile_change_waits_for_a_moderator(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    name = data["name"]
    data.update({"name": "Sprachwerk Ost e. V. (umbenannt)", "phone": "0341 1234567"})
    response = editor.post(PROFILE, data=data)
    assert "Moderator prüft Ihre Änderungen." in notices_after(editor, response)
    assert "umbenannt" not in public_profile(editor), "the public page keeps the approved one"

    dashboard = editor.get("/de/manage/").get_data(as_text=True)
    assert "Ihre Änderungen am Profil warten auf Prüfung." in dashboard
    again = editor.get(PROFILE).get_data(as_text=True)
    assert 'value="Sprachwerk Ost e. V. (umbenannt)"' in again, "the editor sees the waiting one"
    assert 'class="notice"' in again

    moderator = signed_in(directory, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    assert "Profil der Organisation" in queue
    review_path = re.search(r'href="(/de/manage/review/\d+)"', queue).group(1)
    review = moderator.get(review_path).get_data(as_text=True)
    assert "umbenannt" in review and "0341 1234567" in review and "Telefon" in review
    # Only the words that changed are struck out (the review's word diff).
    assert "<code>Sprachwerk <del>Leipziger Osten e.V.</del></code>" in review, name
    moderator.post(review_path, data={"csrf_token": csrf(moderator, review_path),
                                      "decision": "approve"})
    assert "Sprachwerk Ost e. V. (umbenannt)" in public_profile(editor)
    history = editor.get(f"/de/manage/organisations/{ORG}/history").get_data(as_text=True)
    assert "vorgeschlagen von ed@example.org" in history and "umbenannt" in history


def test_a_returned_profile_change_shows_the_comment(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    data["email"] = "neu@example.org"
    editor.post(PROFILE, data=data)
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = re.search(r'href="(/de/manage/review/\d+)"',
                     moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    moderator.post(path, data={"csrf_token": csrf(moderator, path), "decision": "return",
                               "comment": "Bitte die Adresse des Vereins nehmen"})
    page = editor.get(PROFILE).get_data(as_text=True)
    assert "Bitte die Adresse des Vereins nehmen" in page and 'value="neu@example.org"' in page


def second_of_two_saves(app, field: str, first_value: str, second_value: str):
    """Two editors open the profile, the first saves: the second's client and answer."""
    trust(app, ORG)
    first = signed_in(app, "one@example.org", "editor", ORG)
    second = signed_in(app, "two@example.org", "editor", ORG)
    form_one, form_two = profile_form(first), profile_form(second)
    form_one[field], form_two[field] = first_value, second_value
    assert first.post(PROFILE, data=form_one).status_code == 303
    return second, second.post(PROFILE, data=form_two)


def test_the_second_of_two_profile_saves_is_refused_and_can_be_sent_again(directory):
    second, conflict = second_of_two_saves(directory, "phone", "0341 111", "0341 222")
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and "0341 111" in page and "0341 222" in page
    assert "0341 111" in public_profile(second), "nothing was overwritten"
    resend = {name: value for name, value in
              re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)}
    assert resend["phone"] == "0341 222"
    assert second.post(PROFILE, data=resend).status_code == 303
    assert "0341 222" in public_profile(second), "the second person chose to keep theirs"


def test_a_profile_change_is_undone_from_the_history(directory):
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    name = data["name"]
    data["name"] = "Ein Versehen"
    editor.post(PROFILE, data=data)
    history = editor.get(f"/de/manage/organisations/{ORG}/history").get_data(as_text=True)
    undo = re.search(r'action="(/de/manage/organisations/[^"]+/restore/\d+)"', history).group(1)
    assert editor.post(undo, data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 303
    assert f"<bdi>{name}</bdi>" in public_profile(editor)
    other = signed_in(directory, "b@example.org", "editor", "b-portitzer-winkel")
    assert other.post(undo, data={"csrf_token": csrf(other, "/de/manage/")}).status_code == 403
    assert other.get(f"/de/manage/organisations/{ORG}/history").status_code == 403


def test_editors_cannot_publish_a_profile_by_adding_fields(directory):
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    data.update({"name": "Gekapert", "trusted": "1", "status": "published", "id": "b-kompass"})
    editor.post(PROFILE, data=data)
    with directory.app_context():
        session = db.session()
        org = session.scalar(select(Organisation).where(Organisation.external_id == ORG))
        assert not org.trusted and org.name != "Gekapert"
        assert session.scalar(select(func.count()).select_from(Proposal)) == 1
        assert session.scalar(select(Organisation.name).where(
            Organisation.external_id == "b-kompass")) != "Gekapert"


def test_two_changes_of_only_the_description_are_noticed_too(directory):
    second, conflict = second_of_two_saves(directory, "description", "Erste Fassung.",
                                           "Zweite Fassung.")
    assert conflict.status_code == 409
    assert "Erste Fassung." in public_profile(second)


def test_a_profile_form_opened_before_signing_in_again_is_shown_again_not_saved(directory):
    """As the offer form (test_editing.py): a token of the earlier session saves nothing and
    the form comes back as typed, with a fresh token that saves."""
    trust(directory, ORG)
    editor = signed_in(directory, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    data["description"] = "Lange Beschreibung, vor der neuen Anmeldung getippt"
    same_site = {"Origin": "http://localhost"}
    assert editor.post("/de/login", headers=same_site, data={
        "csrf_token": csrf(editor, "/de/login"), "email": "ed@example.org",
        "password": PASSWORD}).status_code == 303
    stale = editor.post(PROFILE, data=data, headers=same_site)
    page = stale.get_data(as_text=True)
    assert stale.status_code == 400 and "Lange Beschreibung, vor der neuen Anmeldung" in page
    assert "Lange Beschreibung" not in public_profile(editor)
    data["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert editor.post(PROFILE, data=data, headers=same_site).status_code == 303
    assert "Lange Beschreibung, vor der neuen Anmeldung getippt" in public_profile(editor)
