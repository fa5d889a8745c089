"""Every mail the site sends comes from a text template, in the recipient organisation's
language where it is known, otherwise in German and English."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import Offer, Organisation

from .helpers import OWN, csrf, decide_first_review, mails, propose_title, signed_in

pytestmark = pytest.mark.demo_directory
ORG = "a-sprachwerk-ost"


def _speaks(app, language: str, organisation: str = ORG) -> None:
    with app.app_context():
        org = db.session().scalar(select(Organisation).where(
            Organisation.external_id == organisation))
        org.original_language = language
        db.session().commit()


def _to(app, address: str):
    found = [m for m in mails(app) if m["To"] == address]
    assert found, f"no mail to {address}"
    return found[-1]


def _mail_to(app, address: str) -> tuple[str, str]:
    mail = _to(app, address)
    return mail["Subject"], mail.get_content()


def _invite(app, email: str, role: str, organisation: str | None = None):
    args = ["user", "create", email, "--role", role, "--base-url", "http://localhost"]
    if organisation:
        args += ["--organisation", organisation]
    assert app.test_cli_runner().invoke(cli.main, args).exit_code == 0
    return _to(app, email)


def test_an_invitation_without_a_known_language_is_in_german_and_english(app):
    mail = _invite(app, "mod@example.org", "moderator")
    body = mail.get_content()
    assert mail["Subject"] == "Einladung zum Wegweiser Leipzig / Invitation to Wegweiser Leipzig"
    assert "Legen Sie hier Ihr Passwort fest" in body and "Set your password here" in body
    assert "http://localhost/de/invitation/" in body and "http://localhost/en/invitation/" in body
    assert "7 Tage" in body and "7 days" in body


def test_an_editor_is_invited_in_the_language_of_the_organisation(app):
    _speaks(app, "ar")
    mail = _invite(app, "ed@example.org", "editor", ORG)
    body = mail.get_content()
    assert mail["Subject"] == "دعوة إلى Wegweiser Leipzig"
    assert "http://localhost/ar/invitation/" in body
    assert "Set your password" not in body and "Passwort" not in body


def test_the_reminder_is_in_the_organisations_language_with_its_links(app):
    _speaks(app, "uk")
    with app.app_context():
        db.session().execute(Offer.__table__.update().where(Offer.external_id == OWN)
                             .values(verified_at=None))
        db.session().commit()
    assert app.test_cli_runner().invoke(
        cli.main, ["remind", "--base-url", "http://localhost"]).exit_code == 0
    mail = next(m for m in mails(app) if "/uk/freshness/" in m.get_content())
    body = mail.get_content()
    assert mail["Subject"] == "Wegweiser: будь ласка, перевірте свої пропозиції"
    assert "Sprachwerk Leipziger Osten e.V." in body
    for label in ("Усе ще актуально", "Редагувати", "Більше не пропонується"):
        assert re.search(rf"^  {label}: http://localhost/uk/freshness/\S+$", body, re.M), label
    assert "/de/freshness/" not in body and "Still correct" not in body


def test_a_german_organisation_gets_its_reminder_in_german_only(app):
    app.test_cli_runner().invoke(cli.main, ["remind", "--base-url", "http://localhost"])
    mail = mails(app)[0]
    assert mail["Subject"] == "Wegweiser: Bitte prüfen Sie Ihre Angebote"
    assert "Noch aktuell: http://localhost/de/freshness/" in mail.get_content()
    assert "Still correct" not in mail.get_content()


def test_a_problem_report_reaches_the_organisation_in_its_language(app):
    _speaks(app, "fr")
    signed_in(app, "ed@example.org", "editor", ORG)
    client = app.test_client()
    path = f"/de/offers/{OWN}/report"
    client.post(path, data={"csrf_token": csrf(client, path),
                            "message": "Die Telefonnummer stimmt nicht mehr."})
    subject, body = _mail_to(app, "ed@example.org")
    assert subject == "Wegweiser : une remarque sur votre fiche"
    assert "Die Telefonnummer stimmt nicht mehr." in body
    assert f"http://localhost/fr/offers/{OWN}" in body


def test_the_author_is_told_when_a_change_is_returned(app):
    propose_title(app, "Bitte prüfen")
    decide_first_review(app, "return", "Bitte die Adresse ergänzen.")
    subject, body = _mail_to(app, "ed@example.org")
    assert subject == "Wegweiser: Ihre Änderungen wurden zurückgegeben"
    assert "Bitte die Adresse ergänzen." in body
    assert f"http://localhost/de/manage/offers/{OWN}/edit" in body


def test_a_password_reset_of_staff_is_in_german_and_english(app):
    signed_in(app, "mod@example.org", "moderator")
    client = app.test_client()
    client.post("/en/reset", data={"csrf_token": csrf(client, "/en/reset"),
                                   "email": "mod@example.org"})
    subject, body = _mail_to(app, "mod@example.org")
    assert subject == "Wegweiser: Neues Passwort festlegen / Wegweiser: set a new password"
    assert "ignorieren" in body and "ignore" in body
