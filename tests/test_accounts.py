"""Accounts: invitation by CLI and mail, password rules, sign-in with the same answer for
unknown addresses, rate limits, session versions and timeouts, the central permission check."""
from __future__ import annotations

import email
import email.policy
import re

import pytest
from argon2 import PasswordHasher

from wegweiser import cli, db
from wegweiser.mail import outbox_dir
from wegweiser.web import manage

from .helpers import csrf, notices_after

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data
PASSWORD = "correct horse battery"


@pytest.fixture
def invited(app):
    result = app.test_cli_runner().invoke(cli.main, [
        "user", "create", "Editor@Example.org", "--role", "editor",
        "--organisation", "a-sprachwerk-ost", "--base-url", "http://localhost"])
    assert result.exit_code == 0, result.output
    link = re.search(r"(http://localhost/de/invitation/\S+)", result.output).group(1)
    with app.app_context():
        mails = list(outbox_dir().glob("*.eml"))
        assert len(mails) == 1
        mail = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
        assert mail["To"] == "editor@example.org" and link in mail.get_content()
    return link.replace("http://localhost", "")


def set_password(client, path, password=PASSWORD, confirm=None):
    return client.post(path, data={"csrf_token": csrf(client, path), "password": password,
                                   "confirm": confirm or password})


def sign_in(client, email="editor@example.org", password=PASSWORD):
    return client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"),
                                          "email": email, "password": password})


def test_invitation_sets_a_password_once(client, invited):
    assert "editor@example.org" in client.get(invited).get_data(as_text=True)
    short = set_password(client, invited, "short")
    assert short.status_code == 200 and 'aria-invalid="true"' in short.get_data(as_text=True)
    differ = set_password(client, invited, PASSWORD, "something else entirely")
    assert "field-error" in differ.get_data(as_text=True)
    done = set_password(client, invited)
    assert "Ihr Passwort ist gespeichert. Bitte melden Sie sich an." in notices_after(client, done)
    again = client.get(invited)
    assert again.status_code == 400 and "bereits verwendet" in again.get_data(as_text=True)


def test_expired_and_forged_invitations_are_refused(app, client, invited):
    app.config["WEGWEISER_INVITATION_DAYS"] = -1
    assert "abgelaufen" in client.get(invited).get_data(as_text=True)
    app.config["WEGWEISER_INVITATION_DAYS"] = 7
    assert client.get(invited[:-3] + "xyz").status_code == 400


def test_sign_in_answers_alike_for_wrong_passwords_and_unknown_addresses(client, invited):
    set_password(client, invited)
    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.get_data(as_text=True).count("role=\"alert\"") == 1
    assert re.sub(r'value="[^"]*"', "", wrong.get_data(as_text=True)) == \
        re.sub(r'value="[^"]*"', "", unknown.get_data(as_text=True))


def test_editor_sees_only_their_organisations_entries(client, invited):
    set_password(client, invited)
    response = sign_in(client, email="EDITOR@example.org ")
    assert response.status_code == 303 and response.headers["Location"] == "/de/manage/"
    page = client.get("/de/manage/").get_data(as_text=True)
    assert "Sprachwerk" in page and "a-sprachwerk" in page
    assert "/de/offers/b-" not in page and "/de/offers/c-" not in page


def test_logout_ends_the_session_and_copies_of_its_cookie(client, app, invited):
    set_password(client, invited)
    sign_in(client)
    stolen = client.get_cookie("session").value
    client.post("/de/logout", data={"csrf_token": csrf(client, "/de/manage/")})
    assert client.get("/de/manage/").status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/de/manage/").status_code == 303


def test_idle_sessions_end(client, app, invited):
    set_password(client, invited)
    sign_in(client)
    assert client.get("/de/manage/").status_code == 200
    app.config["WEGWEISER_IDLE_MINUTES"] = -1
    assert client.get("/de/manage/").status_code == 303


def test_sign_in_is_rate_limited_per_account(client, invited):
    statuses = [sign_in(client, password=f"wrong-{i}").status_code for i in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429


def test_manage_requires_sign_in_and_every_view_has_a_permission_rule(app, client):
    response = client.get("/de/manage/")
    assert response.status_code == 303 and "/de/login?next=" in response.headers["Location"]
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("manage.")}
    assert endpoints and endpoints <= set(manage.PERMISSIONS)


def test_user_create_explains_bad_input(app):
    runner = app.test_cli_runner()
    result = runner.invoke(cli.main, ["user", "create", "x@example.org", "--role", "editor"])
    assert result.exit_code == 2 and "needs --organisation" in result.output
    admin = runner.invoke(cli.main, ["user", "create", "boss@example.org", "--role", "admin"])
    assert admin.exit_code == 0 and "/de/invitation/" in admin.output
    with app.app_context():
        assert db.session() is not None


def test_password_reset_answers_alike_and_sets_a_new_password_once(app, client, invited):
    set_password(client, invited)
    sign_in(client)
    signed_in_elsewhere = client.get_cookie("session").value
    stranger = app.test_client()
    token = csrf(stranger, "/de/reset")
    unknown = stranger.post("/de/reset", data={"csrf_token": token,
                                               "email": "nobody@example.org"})
    known = stranger.post("/de/reset", data={"csrf_token": token,
                                             "email": "Editor@example.org"})
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", unknown.get_data(as_text=True)) == \
        strip.sub("", known.get_data(as_text=True))
    with app.app_context():
        newest = sorted(outbox_dir().glob("*.eml"))[-1]
        body = email.message_from_bytes(newest.read_bytes(), policy=email.policy.default)
        link = re.search(r"http://localhost(/de/invitation/\S+)", body.get_content()).group(1)
    assert set_password(stranger, link, "a brand new password").status_code == 303
    assert stranger.get(link).status_code == 400, "single use"
    assert sign_in(stranger, password=PASSWORD).status_code == 400
    assert sign_in(stranger, password="a brand new password").status_code == 303
    old = app.test_client()
    old.set_cookie("session", signed_in_elsewhere)
    assert old.get("/de/manage/").status_code == 303, "a password change ends other sessions"


def test_signed_in_pages_offer_sign_out_at_the_top(client, app, invited):
    from .helpers import signed_in
    editor = signed_in(app, "top@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get("/de/manage/").get_data(as_text=True)
    header = page[page.index('<header class="site-header">'):page.index("</header>")]
    assert 'action="/de/logout"' in header and "Abmelden" in header
    footer = page[page.index('<footer'):]
    assert "/logout" not in footer
    anonymous = client.get("/de/").get_data(as_text=True)
    assert "/logout" not in anonymous


def test_production_hashes_passwords_and_codes_with_argon2id_at_full_strength(
        cheapest_password_hashing):
    """The suite hashes with argon2's cheapest parameters (conftest.py); the site itself uses
    argon2id at least at OWASP's minimum (19 MiB, 2 passes), and a weaker stored hash is
    replaced at the next sign-in."""
    from argon2 import Type, profiles

    for name, hasher in cheapest_password_hashing.items():
        assert hasher.type is Type.ID, name
        assert hasher.memory_cost >= 19456 and hasher.time_cost >= 2, name
    weak = PasswordHasher.from_parameters(profiles.CHEAPEST).hash("a password")
    assert cheapest_password_hashing["passwords"].check_needs_rehash(weak)
