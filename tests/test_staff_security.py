"""Staff accounts: the second factor (TOTP set-up with a QR code, the code step, replay,
recovery codes, an administrator's reset) and the audit log with its page for administrators.

Codes are computed with pyotp from the secret stored for the user, as an authenticator app
would compute them from the QR code."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import AuditEvent, RecoveryCode, User, utcnow
from wegweiser.services import audit, second_factor
from wegweiser.web import auth

from .helpers import PASSWORD, csrf, invitation_path, notices_after, signed_in, totp_code

pytestmark = pytest.mark.demo_directory


def invited(app, email: str, role: str, organisation: str | None = None):
    """A client of a user who accepted the invitation (not signed in)."""
    path = invitation_path(app, email, role, organisation)
    client = app.test_client()
    client.post(path, data={"csrf_token": csrf(client, path), "password": PASSWORD,
                            "confirm": PASSWORD})
    return client


def password_step(client, email: str, password: str = PASSWORD):
    return client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"),
                                          "email": email, "password": password})


def post_code(client, path: str, code: str):
    return client.post(path, data={"csrf_token": csrf(client, path), "code": code})


def user(app, email: str) -> User:
    with app.app_context():
        found = db.session().scalar(select(User).where(User.email == email))
        db.session().expunge(found)
        return found


def events(app, kind: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            query = query.where(AuditEvent.kind == kind)
        rows = list(db.session().scalars(query))
        db.session().expunge_all()
        return rows


def enrol(app, email: str, role: str = "moderator"):
    """Sign in the first time: the set-up; returns the client and the recovery codes."""
    client = invited(app, email, role)
    assert password_step(client, email).headers["Location"] == "/de/login/setup"
    token = csrf(client, "/de/login/setup")  # the secret is made when the page is shown
    page = client.post("/de/login/setup", data={"csrf_token": token,
                                                "code": totp_code(app, email)})
    assert page.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>",
                       page.get_data(as_text=True))
    return client, codes


def test_staff_set_up_the_second_factor_at_their_first_sign_in(app):
    client = invited(app, "mod@example.org", "moderator")
    response = password_step(client, "mod@example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/de/login/setup"
    assert client.get("/de/manage/").status_code == 303, "the password alone does not sign in"
    page = client.get("/de/login/setup").get_data(as_text=True)
    secret = user(app, "mod@example.org").totp_secret
    shown = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', page).group(1)
    assert shown.replace(" ", "") == secret
    start = page.index('<div class="qr">')
    svg = page[start:page.index("</svg>", start)]
    assert "<svg" in svg and "<path" in svg and "http" not in svg, "drawn here, nothing fetched"
    wrong = post_code(client, "/de/login/setup", "000000")
    assert wrong.status_code == 400 and 'role="alert"' in wrong.get_data(as_text=True)
    assert user(app, "mod@example.org").totp_confirmed_at is None
    done = post_code(client, "/de/login/setup", pyotp.TOTP(secret).now())
    text = done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", text)
    assert done.status_code == 200 and len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    assert 'href="/de/manage/"' in text
    assert client.get("/de/manage/").status_code == 200
    with app.app_context():
        hashes = [c.code_hash for c in db.session().scalars(select(RecoveryCode))]
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)
    kinds = [e.kind for e in events(app) if e.actor_id == user(app, "mod@example.org").id]
    assert kinds[-3:] == ["second_factor_failed", "second_factor_enabled", "sign_in"]


def test_sign_in_asks_for_a_code_and_refuses_wrong_and_replayed_codes(app):
    signed_in(app, "mod@example.org", "moderator")
    client = app.test_client()
    assert password_step(client, "mod@example.org").headers["Location"] == "/de/login/code"
    assert client.get("/de/manage/").status_code == 303
    assert "6-stelligen Code" in client.get("/de/login/code").get_data(as_text=True)
    wrong = post_code(client, "/de/login/code", "123456")
    assert wrong.status_code == 400 and client.get("/de/manage/").status_code == 303
    code = totp_code(app, "mod@example.org")
    right = post_code(client, "/de/login/code", code)
    assert right.status_code == 303 and right.headers["Location"] == "/de/manage/"
    assert client.get("/de/manage/").status_code == 200
    other = app.test_client()
    password_step(other, "mod@example.org")
    assert post_code(other, "/de/login/code", code).status_code == 400, "a code works once"
    assert other.get("/de/manage/").status_code == 303
    assert len(events(app, "second_factor_failed")) == 2


def test_codes_are_accepted_one_step_early_or_late_but_not_more(ctx):
    account = User(email="x@example.org", role="moderator", totp_secret=pyotp.random_base32())
    totp, now = pyotp.TOTP(account.totp_secret), time.time()
    step = totp.timecode(now)
    assert not second_factor.check_code(account, totp.generate_otp(step + 2), now)
    assert not second_factor.check_code(account, totp.generate_otp(step - 2), now)
    assert second_factor.check_code(account, totp.generate_otp(step - 1), now)
    assert second_factor.check_code(account, totp.generate_otp(step + 1), now)
    assert not second_factor.check_code(account, totp.generate_otp(step), now), \
        "no code older than the last one accepted"
    assert not second_factor.check_code(account, "12345a", now)


def test_the_half_signed_in_state_expires(app, monkeypatch):
    signed_in(app, "mod@example.org", "moderator")
    client = app.test_client()
    password_step(client, "mod@example.org")
    token = csrf(client, "/de/login/code")
    monkeypatch.setattr(auth, "PENDING_SECONDS", -1)
    response = client.post("/de/login/code", data={
        "csrf_token": token, "code": totp_code(app, "mod@example.org")})
    assert response.headers["Location"] == "/de/login"
    assert "abgelaufen" in notices_after(client, response)
    assert client.get("/de/manage/").status_code == 303


def test_a_recovery_code_signs_in_once_and_is_logged(app):
    _client, codes = enrol(app, "mod@example.org")
    client = app.test_client()
    password_step(client, "mod@example.org")
    response = post_code(client, "/de/login/code", codes[3].upper().replace("-", " "))
    assert response.status_code == 303 and client.get("/de/manage/").status_code == 200
    used = events(app, "recovery_code_used")
    assert len(used) == 1 and used[0].actor_id == user(app, "mod@example.org").id
    again = app.test_client()
    password_step(again, "mod@example.org")
    assert post_code(again, "/de/login/code", codes[3]).status_code == 400
    assert "Unbenutzte Wiederherstellungscodes: 9" in \
        client.get("/de/manage/account").get_data(as_text=True)


def test_the_code_step_is_rate_limited_per_account(app):
    signed_in(app, "mod@example.org", "moderator")
    client = app.test_client()
    password_step(client, "mod@example.org")
    statuses = [post_code(client, "/de/login/code", f"00000{i}").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]


def test_an_administrator_resets_a_second_factor(app):
    admin = signed_in(app, "admin@example.org", "admin")
    moderator = signed_in(app, "mod@example.org", "moderator")
    target = user(app, "mod@example.org")
    page = admin.get("/de/manage/users").get_data(as_text=True)
    path = f"/de/manage/users/{target.id}/reset-second-factor"
    assert f'action="{path}"' in page
    response = admin.post(path, data={"csrf_token": csrf(admin, "/de/manage/users")})
    assert "mod@example.org" in notices_after(admin, response)
    assert moderator.get("/de/manage/").status_code == 303, "the user's sessions end"
    assert user(app, "mod@example.org").totp_secret is None
    with app.app_context():
        assert not db.session().scalars(select(RecoveryCode).where(
            RecoveryCode.user_id == target.id)).all()
    again = app.test_client()
    assert password_step(again, "mod@example.org").headers["Location"] == "/de/login/setup"
    reset = events(app, "second_factor_reset")
    assert [(e.actor_id, e.target_id) for e in reset] == \
        [(user(app, "admin@example.org").id, target.id)]


def test_editors_may_turn_on_a_second_factor(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert "Zweiten Faktor einrichten" in editor.get("/de/manage/account").get_data(as_text=True)
    secret_page = editor.get("/de/manage/account/second-factor")
    assert secret_page.status_code == 200
    done = post_code(editor, "/de/manage/account/second-factor", totp_code(app, "ed@example.org"))
    assert done.status_code == 200 and done.get_data(as_text=True).count("<li><code>") == 10
    client = app.test_client()
    assert password_step(client, "ed@example.org").headers["Location"] == "/de/login/code"


def test_staff_signed_in_without_a_second_factor_set_it_up_first(app):
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    invitation_path(app, "ed@example.org", "moderator")  # promoted while signed in
    response = editor.get("/de/manage/review/")
    assert response.headers["Location"] == "/de/manage/account/second-factor"
    assert editor.get(response.headers["Location"]).status_code == 200


def test_every_kind_of_event_is_logged_without_addresses_of_strangers(app):
    admin = signed_in(app, "admin@example.org", "admin")
    admin_id = user(app, "admin@example.org").id
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    editor_id = user(app, "ed@example.org").id
    stranger = app.test_client()
    password_step(stranger, "ed@example.org", "wrong password")
    password_step(stranger, "typo@example.org", "my secret password")
    assert editor.get("/de/manage/users").status_code == 403
    token = csrf(admin, "/de/manage/users")
    for role in ("editor", "moderator"):
        admin.post("/de/manage/users", data={"csrf_token": token, "email": "new@example.org",
                                             "role": role, "organisation": "a-sprachwerk-ost"})
    new_id = user(app, "new@example.org").id
    admin.post(f"/de/manage/users/{new_id}/remove", data={"csrf_token": token})
    own = admin.post(f"/de/manage/users/{admin_id}/remove", data={"csrf_token": token})
    assert "nicht entfernen" in notices_after(admin, own)
    got = {(e.kind, e.actor_id, e.target_id) for e in events(app)}
    assert {("sign_in_failed", editor_id, None), ("sign_in_failed", None, None),
            ("permission_refused", editor_id, None), ("user_created", admin_id, new_id),
            ("role_changed", admin_id, new_id), ("user_removed", admin_id, new_id),
            ("sign_in", editor_id, None), ("sign_in", admin_id, None),
            ("second_factor_enabled", admin_id, None)} <= got
    assert user(app, "admin@example.org") is not None
    texts = " ".join(f"{e.detail}" for e in events(app))
    assert "typo@example.org" not in texts and "my secret password" not in texts
    assert "127.0.0.1" not in texts
    refused = events(app, "permission_refused")[-1]
    assert refused.detail == "manage.users"
    page = admin.get("/de/manage/audit").get_data(as_text=True)
    assert "Zugriff verweigert" in page and "Konto entfernt" in page and "new@example.org" in page
    assert "mit dem Passwort und dem Code der App (gerade eingerichtet)" in page
    assert "Adresse ohne Konto (nicht gespeichert)" in page
    only = admin.get("/de/manage/audit?kind=role_changed").get_data(as_text=True)
    assert set(re.findall(r'data-kind="(\w+)"', only)) == {"role_changed"}
    mine = admin.get(f"/de/manage/audit?user={editor_id}").get_data(as_text=True)
    assert "Falsches Passwort" in mine and "new@example.org" not in mine


def test_the_audit_page_is_for_administrators_only_and_pages(app):
    moderator = signed_in(app, "mod@example.org", "moderator")
    assert moderator.get("/de/manage/audit").status_code == 403
    admin = signed_in(app, "admin@example.org", "admin")
    with app.app_context():
        for _ in range(60):
            audit.record(db.session(), "permission_refused", 1, None, "manage.users")
        db.session().commit()
    first = admin.get("/de/manage/audit?kind=permission_refused").get_data(as_text=True)
    assert first.count('data-kind="permission_refused"') == 50 and 'rel="next"' in first
    second = admin.get("/de/manage/audit?kind=permission_refused&page=2").get_data(as_text=True)
    assert second.count('data-kind="permission_refused"') == 61 - 50  # and the moderator's
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_entries_older_than_a_year_are_dropped(app):
    with app.app_context():
        session = db.session()
        session.add(AuditEvent(kind="sign_in", actor_id=1, detail="old",
                               created_at=utcnow() - timedelta(days=400)))
        session.add(AuditEvent(kind="sign_in", actor_id=1, detail="old too",
                               created_at=utcnow() - timedelta(days=370)))
        session.commit()
    result = app.test_cli_runner().invoke(cli.main, ["audit", "prune"])
    assert result.exit_code == 0 and "Deleted 2" in result.output
    with app.app_context():
        db.session().add(AuditEvent(kind="sign_in", actor_id=1, detail="old",
                                    created_at=utcnow() - timedelta(days=400)))
        audit.record(db.session(), "sign_in", 1)
        db.session().commit()
    assert [e.detail for e in events(app)] == [""]


def test_the_command_line_resets_a_second_factor(app):
    signed_in(app, "admin@example.org", "admin")
    result = app.test_cli_runner().invoke(cli.main, ["user", "reset-second-factor",
                                                     "Admin@example.org"])
    assert result.exit_code == 0, result.output
    assert user(app, "admin@example.org").totp_secret is None
    assert events(app, "second_factor_reset")[0].actor_id is None
