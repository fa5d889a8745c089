"""One operation per change of state: every entry point (editor pages, reminder links, the
command line's import) handles a change waiting for review in the same way."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import Offer, Organisation, Proposal
from wegweiser.services.records import offer_record, organisation_record

from .helpers import (
    OWN,
    csrf,
    form_of,
    notices_after,
    propose_title,
    public_title,
    reminder_link,
    review_paths,
    signed_in,
)
from .test_profiles import ORG, PROFILE, profile_form, public_profile

pytestmark = pytest.mark.demo_directory


def _status(app, external_id=OWN) -> str:
    with app.app_context():
        return db.session().scalar(select(Offer.status).where(Offer.external_id == external_id))


def test_withdrawn_by_reminder_link_stays_withdrawn_when_the_waiting_change_is_approved(app):
    """Defect 3: "no longer offered" from a reminder mail, then a moderator approves the change
    that was waiting: the offer must not come back."""
    editor = propose_title(app, "Vorschlag vor dem Rückzug")
    moderator = signed_in(app, "mod@example.org", "moderator")
    review = review_paths(moderator)[0]
    with app.app_context():
        db.session().execute(Offer.__table__.update().where(Offer.external_id == OWN)
                             .values(verified_at=None))
        db.session().commit()
    link = reminder_link(app, OWN, "withdraw")
    anonymous = app.test_client()
    anonymous.post(link, data={"csrf_token": csrf(anonymous, link)})
    assert _status(app) == "archived"
    moderator.post(review, data={"csrf_token": csrf(moderator, review), "decision": "approve"})
    assert _status(app) == "archived"
    assert editor.get(f"/de/offers/{OWN}").status_code == 410


def _set(app, **values) -> None:
    with app.app_context():
        db.session().execute(Offer.__table__.update().where(Offer.external_id == OWN)
                             .values(**values))
        db.session().commit()


def _import(app, tmp_path, **changes) -> None:
    """``wegweiser import`` of the offer as it is saved, with ``changes``."""
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        record = {**offer_record(offer), **changes}
    path = tmp_path / "offer.json"
    path.write_text(json.dumps({"offers": [record]}), encoding="utf-8")
    result = app.test_cli_runner().invoke(cli.main, ["import", str(path)])
    assert result.exit_code == 0, result.output


def _archive_on_the_dashboard(app, tmp_path) -> None:
    editor = signed_in(app, "colleague@example.org", "editor", "a-sprachwerk-ost")
    editor.post(f"/de/manage/offers/{OWN}/archive",
                data={"csrf_token": csrf(editor, "/de/manage/")})


def _archive_by_reminder_link(app, tmp_path) -> None:
    _set(app, verified_at=None)
    link = reminder_link(app, OWN, "withdraw")
    anonymous = app.test_client()
    anonymous.post(link, data={"csrf_token": csrf(anonymous, link)})


def _archive_by_import(app, tmp_path) -> None:
    _import(app, tmp_path, status="archived")


def _archive_on_the_command_line(app, tmp_path) -> None:
    result = app.test_cli_runner().invoke(cli.main, ["offer", "archive", OWN])
    assert result.exit_code == 0 and "archived" in result.output


def _change_by_staff(app, tmp_path) -> None:
    moderator = signed_in(app, "staff@example.org", "admin")
    data = form_of(moderator, OWN)
    data["title"] = "Neu vom Team"
    assert moderator.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303


def _change_by_import(app, tmp_path) -> None:
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        title = {**offer.translations_of("title"), "de": "Neu vom Team"}
    _import(app, tmp_path, title=title)


def _confirm_on_the_dashboard(app, tmp_path) -> None:
    editor = signed_in(app, "colleague@example.org", "editor", "a-sprachwerk-ost")
    editor.post(f"/de/manage/offers/{OWN}/confirm",
                data={"csrf_token": csrf(editor, "/de/manage/")})


def _confirm_by_reminder_link(app, tmp_path) -> None:
    link = reminder_link(app, OWN, "confirm")
    anonymous = app.test_client()
    anonymous.post(link, data={"csrf_token": csrf(anonymous, link)})


def _confirm_on_the_command_line(app, tmp_path) -> None:
    result = app.test_cli_runner().invoke(cli.main, ["offer", "confirm", OWN])
    assert result.exit_code == 0 and date.today().isoformat() in result.output


def _waiting_change_then(app, tmp_path, operation):
    """A change waits for review (with the moderator's review page open) while
    ``operation`` happens; then the moderator approves it. Returns the notice shown."""
    _set(app, verified_at=date(2020, 1, 1))
    propose_title(app, "Vorschlag der Organisation")
    moderator = signed_in(app, "mod@example.org", "moderator")
    review = review_paths(moderator)[0]
    token = csrf(moderator, review)
    operation(app, tmp_path)
    response = moderator.post(review, data={"csrf_token": token, "decision": "approve"})
    return notices_after(moderator, response)


def _saved(app) -> tuple[str, str, date | None, str | None]:
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        proposal = db.session().scalar(select(Proposal).where(Proposal.offer_id == offer.id))
        return (offer.status, offer.text_in("title", "de")[0], offer.verified_at,
                proposal.status)


@pytest.mark.parametrize("operation", [_archive_on_the_dashboard, _archive_by_reminder_link,
                                       _archive_on_the_command_line, _archive_by_import],
                         ids=lambda f: f.__name__[1:])
def test_no_longer_offered_closes_the_waiting_change_from_every_entry_point(app, tmp_path,
                                                                           operation):
    title = public_title(app.test_client(), OWN)
    notice = _waiting_change_then(app, tmp_path, operation)
    assert "Nichts wurde veröffentlicht" in notice and "zurückgezogen" in notice
    status, saved_title, _verified, proposal = _saved(app)
    assert (status, saved_title, proposal) == ("archived", title, "closed")
    assert app.test_client().get(f"/de/offers/{OWN}").status_code == 410


@pytest.mark.parametrize("operation", [_change_by_staff, _change_by_import],
                         ids=lambda f: f.__name__[1:])
def test_a_change_of_the_saved_entry_closes_the_waiting_change(app, tmp_path, operation):
    notice = _waiting_change_then(app, tmp_path, operation)
    assert "Nichts wurde veröffentlicht" in notice and "geändert" in notice
    assert _saved(app)[::3] == ("published", "closed")
    assert public_title(app.test_client(), OWN) == "Neu vom Team"


@pytest.mark.parametrize("operation", [_confirm_on_the_dashboard, _confirm_by_reminder_link,
                                       _confirm_on_the_command_line],
                         ids=lambda f: f.__name__[1:])
def test_still_correct_keeps_the_waiting_change_and_its_date(app, tmp_path, operation):
    notice = _waiting_change_then(app, tmp_path, operation)
    assert "veröffentlicht" in notice and "Nichts" not in notice
    assert _saved(app) == ("published", "Vorschlag der Organisation", date.today(), "approved")


def test_returning_a_change_that_no_longer_waits_is_refused_too(app, tmp_path):
    propose_title(app, "Vorschlag der Organisation")
    moderator = signed_in(app, "mod@example.org", "moderator")
    review = review_paths(moderator)[0]
    token = csrf(moderator, review)
    _archive_on_the_dashboard(app, tmp_path)
    response = moderator.post(review, data={"csrf_token": token, "decision": "return",
                                            "comment": "Bitte ergänzen"})
    assert "zurückgezogen" in notices_after(moderator, response)
    assert _saved(app)[3] == "closed"


def test_an_import_closes_a_profile_change_waiting_for_review(app, tmp_path):
    """Profiles follow the same operations: an import that changes the organisation closes
    its waiting profile change, which can then no longer be approved."""
    editor = signed_in(app, "ed@example.org", "editor", ORG)
    data = profile_form(editor)
    data["name"] = "Sprachwerk (Vorschlag)"
    assert editor.post(PROFILE, data=data).status_code == 303
    moderator = signed_in(app, "mod@example.org", "moderator")
    review = review_paths(moderator)[0]
    token = csrf(moderator, review)
    with app.app_context():
        org = db.session().scalar(select(Organisation).where(Organisation.external_id == ORG))
        record = {k: v for k, v in organisation_record(org).items() if v is not None}
        record.update(original_language=org.original_language, phone="0341 999999")
    path = tmp_path / "organisation.json"
    path.write_text(json.dumps({"organisations": [record]}), encoding="utf-8")
    assert app.test_cli_runner().invoke(cli.main, ["import", str(path)]).exit_code == 0
    response = moderator.post(review, data={"csrf_token": token, "decision": "approve"})
    assert "Der Eintrag wurde geändert" in notices_after(moderator, response)
    page = public_profile(editor)
    assert "Vorschlag" not in page and "0341 999999" in page
    assert "am Profil wurden nicht übernommen" in editor.get("/de/manage/").get_data(as_text=True)
