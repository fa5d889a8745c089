"""Editing offers: trusted organisations publish at once, others wait for a moderator;
optimistic locking; validation next to the fields; nobody edits another organisation's
offers or publishes by adding form fields; attack strings come back escaped."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import Offer, Proposal
from wegweiser.search import SearchQuery, search_service
from wegweiser.services.records import offer_record

from .helpers import (
    OWN,
    PASSWORD,
    csrf,
    decide_first_review,
    form_of,
    mails,
    notices_after,
    propose_title,
    public_title,
    read_form,
    review_paths,
    signed_in,
    trust,
)


def test_trusted_organisation_publishes_at_once_and_search_finds_it(directory):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data["title"] = "Elternkurs Zauberwortschatz"
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    assert "Gespeichert und veröffentlicht." in notices_after(editor, response)
    assert public_title(editor, OWN) == "Elternkurs Zauberwortschatz"
    with directory.app_context():
        result = search_service().search(SearchQuery(text="Zauberwortschatz"), db.session())
        assert result.total == 1


def test_untrusted_changes_wait_for_a_moderator(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    before = public_title(editor, OWN)
    data = form_of(editor, OWN)
    data["title"] = "Neuer Titel zur Prüfung"
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    assert public_title(editor, OWN) == before, "the public page keeps the approved version"
    assert "Änderungen warten auf Prüfung" in editor.get("/de/manage/").get_data(as_text=True)
    moderator = signed_in(directory, "mod@example.org", "moderator")
    queue = moderator.get("/de/manage/review/").get_data(as_text=True)
    review_path = re.search(r'href="(/de/manage/review/\d+)"', queue).group(1)
    review = moderator.get(review_path).get_data(as_text=True)
    assert "Neuer Titel zur Prüfung" in review and "<del>" in review
    moderator.post(review_path, data={"csrf_token": csrf(moderator, review_path),
                                      "decision": "approve"})
    assert public_title(editor, OWN) == "Neuer Titel zur Prüfung"
    history = editor.get(f"/de/manage/offers/{OWN}/history").get_data(as_text=True)
    assert "vorgeschlagen von ed@example.org" in history


def test_a_returned_change_shows_the_moderators_comment(directory):
    editor = propose_title(directory, "Bitte prüfen")
    decide_first_review(directory, "return", "Bitte Adresse ergänzen")
    page = editor.get(f"/de/manage/offers/{OWN}/edit").get_data(as_text=True)
    assert "Bitte Adresse ergänzen" in page and 'value="Bitte prüfen"' in page


def second_of_two_saves(app, first_title: str, second_title: str):
    """Two editors open the offer, the first saves a title: the second's client, what it
    typed and the answer to its save."""
    first = signed_in(app, "one@example.org", "editor", "a-sprachwerk-ost")
    second = signed_in(app, "two@example.org", "editor", "a-sprachwerk-ost")
    form_one, form_two = form_of(first, OWN), form_of(second, OWN)
    form_one["title"], form_two["title"] = first_title, second_title
    assert first.post(f"/de/manage/offers/{OWN}/edit", data=form_one).status_code == 303
    return second, form_two, second.post(f"/de/manage/offers/{OWN}/edit", data=form_two)


def test_the_second_of_two_saves_is_refused_and_keeps_what_was_typed(directory):
    trust(directory, "a-sprachwerk-ost")
    second, _typed, conflict = second_of_two_saves(directory, "Fassung eins", "Fassung zwei")
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "Fassung eins" in page and "Fassung zwei" in page
    assert public_title(second, OWN) == "Fassung eins"


def test_invalid_input_is_reported_next_to_the_field_and_kept(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"title": "", "contact_website": "javascript:alert(1)",
                 "summary": "Mein getippter Text"})
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('class="field-error"') >= 2
    assert "Mein getippter Text" in page and 'value="javascript:alert(1)"' in page


def test_editors_cannot_touch_other_organisations_or_publish_by_adding_fields(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    other = "b-stoetteritz-elterncafe"
    assert editor.get(f"/de/manage/offers/{other}/edit").status_code == 403
    assert editor.post(f"/de/manage/offers/{other}/edit",
                       data={"csrf_token": csrf(editor, "/de/manage/"),
                             "title": "gekapert"}).status_code == 403
    assert editor.post(f"/de/manage/offers/{other}/confirm",
                       data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 403
    assert editor.get("/de/manage/review/").status_code == 403
    data = form_of(editor, OWN)
    data.update({"status": "archived", "organisation": "b-kompass"})
    editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert offer.status == "published"
        assert offer.organisation.external_id == "a-sprachwerk-ost"
        proposal = db.session().scalars(select(Proposal)).first()
        assert proposal.record["status"] == "published"


@pytest.mark.parametrize("attack", ['<script>alert("x")</script>', '"><img src=x onerror=1>',
                                    "{{ 7*7 }}"])
def test_attack_strings_come_back_escaped(directory, attack):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"title": f"Kurs {attack}", "summary": attack, "description": attack})
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    for path in (f"/de/offers/{OWN}", f"/ar/offers/{OWN}", "/de/search?q=Kurs",
                 f"/de/manage/offers/{OWN}/edit", f"/de/manage/offers/{OWN}/history"):
        page = editor.get(path).get_data(as_text=True)
        assert attack not in page or attack == "{{ 7*7 }}", path
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "49" not in re.findall(r"Kurs ([^<]*)", page)


def test_still_correct_is_one_click(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = editor.post(f"/de/manage/offers/{OWN}/confirm",
                           data={"csrf_token": csrf(editor, "/de/manage/")})
    assert response.status_code == 303
    with directory.app_context():
        from datetime import date

        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert offer.verified_at == date.today()


def test_translation_view_shows_the_original_and_marks_missing_fields(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/de/manage/offers/{OWN}/translate/ru").get_data(as_text=True)
    assert "Deutschkurs für Eltern" in page and 'dir="ltr"' in page
    arabic = editor.get(f"/de/manage/offers/{OWN}/translate/ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in arabic
    assert editor.get(f"/de/manage/offers/{OWN}/translate/de").status_code == 404
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = editor.post(f"/de/manage/offers/{OWN}/translate/tr", data={
        "csrf_token": csrf(editor, "/de/manage/"), "version": version,
        "title": "Ebeveynler için Almanca kursu", "summary": "", "description": ""})
    assert response.status_code == 303
    with directory.app_context():
        proposal = db.session().scalars(select(Proposal)).first()
        assert proposal.record["title"]["tr"] == "Ebeveynler için Almanca kursu"


def test_saving_the_form_keeps_a_translation_that_waits_for_review(directory):
    """The edit form carries the original language only: the other languages of a change
    still waiting for review must come from that change, not from the published version."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/de/manage/offers/{OWN}/translate/tr").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert editor.post(f"/de/manage/offers/{OWN}/translate/tr", data={
        "csrf_token": csrf(editor, "/de/manage/"), "version": version,
        "title": "Ebeveynler için Almanca kursu", "summary": "Haftada iki kez.",
        "description": ""}).status_code == 303
    data = form_of(editor, OWN)
    data["summary"] = "Zweimal in der Woche, jetzt auch samstags."
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    with directory.app_context():
        record = db.session().scalars(select(Proposal)).one().record
    assert record["title"]["tr"] == "Ebeveynler için Almanca kursu"
    assert record["summary"]["tr"] == "Haftada iki kez."
    assert record["summary"]["de"] == "Zweimal in der Woche, jetzt auch samstags."
    translate = editor.get(f"/de/manage/offers/{OWN}/translate/tr").get_data(as_text=True)
    assert "Ebeveynler için Almanca kursu" in translate


def test_only_administrators_invite_and_bad_addresses_are_explained(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert editor.get("/de/manage/users").status_code == 403
    admin = signed_in(directory, "boss@example.org", "admin")
    token = csrf(admin, "/de/manage/users")
    bad = admin.post("/de/manage/users", data={"csrf_token": token, "email": "not-an-address",
                                               "role": "editor"})
    assert bad.status_code == 400 and "gültige E-Mail-Adresse" in bad.get_data(as_text=True)
    good = admin.post("/de/manage/users", data={"csrf_token": token, "email": "new@example.org",
                                                "role": "editor",
                                                "organisation": "a-sprachwerk-ost"})
    assert good.status_code == 200 and "new@example.org" in good.get_data(as_text=True)
    with directory.app_context():
        from wegweiser.mail import outbox_dir

        assert any("new_at_example.org" in p.name for p in outbox_dir().glob("*.eml"))


def new_offer_form(client, org="a-sprachwerk-ost") -> tuple[str, dict]:
    path = f"/de/manage/organisations/{org}/offers/new"
    return path, {"csrf_token": csrf(client, path), "version": "0", "hour_rows": "3",
                  "title": "Nähcafé am Samstag", "summary": "Gemeinsam nähen und reparieren.",
                  "categories": ["leisure-sports-culture"], "target_groups": ["women"],
                  "languages": ["de", "fa"], "areas": ["volkmarsdorf"], "cost": "free",
                  "hours-0-weekday": "6", "hours-0-opens": "10:00", "hours-0-closes": "13:00"}


def test_a_new_offer_of_an_untrusted_organisation_waits_then_is_published(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path, data = new_offer_form(editor)
    assert editor.post(path, data=data).status_code == 303
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(
            Offer.external_id.like("%cafe-am-samstag%")))
        assert offer.status == "in_review"
        external_id = offer.external_id
    assert editor.get(f"/de/offers/{external_id}").status_code == 404
    moderator = signed_in(directory, "mod@example.org", "moderator")
    review = re.search(r'href="(/de/manage/review/\d+)"',
                       moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    moderator.post(review, data={"csrf_token": csrf(moderator, review), "decision": "approve"})
    assert editor.get(f"/de/offers/{external_id}").status_code == 200
    with directory.app_context():
        assert search_service().search(SearchQuery(text="Nähcafé"), db.session()).total >= 1


def test_a_new_offer_needs_a_title_and_keeps_what_was_typed(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path, data = new_offer_form(editor)
    data["title"] = ""
    response = editor.post(path, data=data)
    assert response.status_code == 400
    assert "Gemeinsam nähen und reparieren." in response.get_data(as_text=True)


def test_no_longer_offered_archives_and_hides_the_offer(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    response = editor.post(f"/de/manage/offers/{OWN}/archive",
                           data={"csrf_token": csrf(editor, "/de/manage/")})
    assert response.status_code == 303
    assert editor.get(f"/de/offers/{OWN}").status_code == 410


def test_an_earlier_state_comes_back_as_a_new_change(directory):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    before = public_title(editor, OWN)
    data = form_of(editor, OWN)
    data["title"] = "Ein Versehen"
    editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    history = editor.get(f"/de/manage/offers/{OWN}/history").get_data(as_text=True)
    undo = re.search(r'action="(/de/manage/offers/[^"]+/restore/\d+)"', history).group(1)
    assert editor.post(undo, data={"csrf_token": csrf(editor, "/de/manage/")}).status_code == 303
    assert public_title(editor, OWN) == before


def test_moderators_mark_a_translation_as_reviewed(directory):
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = f"/de/manage/offers/{OWN}/translate/ar/reviewed"
    assert moderator.post(path, data={"csrf_token": csrf(moderator, "/de/manage/")}) \
        .status_code == 303
    page = moderator.get(f"/ar/offers/{OWN}").get_data(as_text=True)
    note = re.search(r'<p class="translation-note[^"]*">([^<]+)</p>', page).group(1)
    with directory.app_context():
        from flask_babel import force_locale
        from flask_babel import gettext as _

        with directory.test_request_context("/ar/"), force_locale("ar"):
            assert note.strip() == _("Translation checked by a reviewer.")


def archive(client, external_id=OWN) -> None:
    assert client.post(f"/de/manage/offers/{external_id}/archive",
                       data={"csrf_token": csrf(client, "/de/manage/")}).status_code == 303


def approve_first_review(app) -> None:
    decide_first_review(app, "approve")


def test_an_archived_offer_is_offered_again(directory):
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    archive(editor)
    dashboard = editor.get("/de/manage/").get_data(as_text=True)
    assert f"/de/manage/offers/{OWN}/reactivate" in dashboard
    response = editor.post(f"/de/manage/offers/{OWN}/reactivate",
                           data={"csrf_token": csrf(editor, "/de/manage/")})
    assert "Gespeichert und veröffentlicht." in notices_after(editor, response)
    assert editor.get(f"/de/offers/{OWN}").status_code == 200
    with directory.app_context():
        result = search_service().search(SearchQuery(text="Eltern"), db.session())
        assert any(db.session().get(Offer, i).external_id == OWN for i in result.offer_ids)


def test_offering_again_waits_for_a_moderator_when_untrusted(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    archive(editor)
    response = editor.post(f"/de/manage/offers/{OWN}/reactivate",
                           data={"csrf_token": csrf(editor, "/de/manage/")})
    assert "Moderator prüft Ihre Änderungen." in notices_after(editor, response)
    assert editor.get(f"/de/offers/{OWN}").status_code == 410
    approve_first_review(directory)
    assert editor.get(f"/de/offers/{OWN}").status_code == 200


def test_a_change_waiting_when_the_offer_is_archived_is_closed_not_approved(directory):
    """Archiving closes the change waiting for review (before, approving it applied its
    content to the archived offer); a moderator who still has the review page open is told
    why it cannot be approved, and the offer stays archived with its saved content."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    before = public_title(editor, OWN)
    data = form_of(editor, OWN)
    data["title"] = "Geänderter Titel"
    editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    moderator = signed_in(directory, "mod@example.org", "moderator")
    review = re.search(r'href="(/de/manage/review/\d+)"',
                       moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    token = csrf(moderator, review)
    archive(editor)
    assert review not in moderator.get("/de/manage/review/").get_data(as_text=True)
    refused = moderator.post(review, data={"csrf_token": token, "decision": "approve"})
    assert "zurückgezogen" in notices_after(moderator, refused)
    assert editor.get(f"/de/offers/{OWN}").status_code == 410
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert offer.status == "archived" and offer.text_in("title", "de")[0] == before
    dashboard = editor.get("/de/manage/").get_data(as_text=True)
    assert "nicht übernommen" in dashboard


def test_saving_the_form_unchanged_changes_nothing(directory):
    """Every field of the offer survives a round trip through the edit form."""
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    with directory.app_context():
        from wegweiser.services.records import offer_record

        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        before, version = offer_record(offer), offer.version
    data = form_of(editor, OWN)
    assert data["address_street"] and data["contact_phone"]
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert offer_record(offer) == before and offer.version == version


def test_a_change_waiting_for_review_is_not_replaced_unnoticed(directory):
    """Two editors of an untrusted organisation: the second one's save would replace the first
    one's change in the review queue, so it is refused like a version conflict."""
    second, form_two, conflict = second_of_two_saves(directory, "Wartende Fassung eins",
                                                     "Fassung zwei")
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "Wartende Fassung eins" in page and "Fassung zwei" in page
    with directory.app_context():
        proposal = db.session().scalars(select(Proposal)).one()
        assert proposal.record["title"]["de"] == "Wartende Fassung eins"
    resend = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    resend.update({k: v for k, v in form_two.items() if isinstance(v, list)})
    assert second.post(f"/de/manage/offers/{OWN}/edit", data=resend).status_code == 303
    with directory.app_context():
        proposal = db.session().scalars(select(Proposal)).one()
        assert proposal.record["title"]["de"] == "Fassung zwei", "replaced only when chosen"


def test_the_review_shows_addresses_and_opening_hours_as_people_write_them(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update({"address_street": "Neue Straße 1", "hours-2-weekday": "6",
                 "hours-2-opens": "10:00", "hours-2-closes": "12:00", "hours-2-note": "Café",
                 "hours-2-week_of_month": "-1"})
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = re.search(r'href="(/de/manage/review/\d+)"',
                     moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    review = re.sub(r"</?(?:ins|del)>", "", moderator.get(path).get_data(as_text=True))
    assert "Neue Straße 1, 04318 Leipzig" in review
    assert "Sa. 10:00–12:00 (nur am letzten Samstag im Monat) (Café)" in review
    assert "street:" not in review


def test_the_review_marks_the_words_that_changed_and_names_the_offer(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    before = data["title"]
    words = before.split()
    data["title"] = " ".join([*words[:-1], "Großeltern"])
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = re.search(r'href="(/de/manage/review/\d+)"',
                     moderator.get("/de/manage/review/").get_data(as_text=True)).group(1)
    review = moderator.get(path).get_data(as_text=True)
    row = re.search(r"<tr><th scope=\"row\">Titel</th>(.*?)</tr>", review).group(1)
    assert f"<del>{words[-1]}</del>" in row and "<ins>Großeltern</ins>" in row
    assert f"{' '.join(words[:-1])} " in row, "the words kept are not marked"
    assert f"<bdi>{data['title']}</bdi></a>" in review and f">{OWN}<" not in review, \
        "the offer is named by its title, not its id"


def test_word_diff_leaves_the_marks_around_a_translation_unmarked():
    """A text isolated in its own direction (the review names its language before it): the
    closing mark stays outside the changed word, so the isolate is never cut by <del>."""
    from wegweiser.web import word_diff

    assert word_diff("Deutsch: \u2068Kurs für Eltern\u2069",
                     "Deutsch: \u2068Kurs für Großeltern\u2069")[1] == [
        ("Deutsch: \u2068Kurs für ", False), ("Großeltern", True), ("\u2069", False)]


def test_word_diff_marks_runs_of_changed_words():
    from wegweiser.web import word_diff

    assert word_diff("Deutsch für Eltern", "Deutsch für alle Eltern") == (
        [("Deutsch für Eltern", False)],
        [("Deutsch für ", False), ("alle ", True), ("Eltern", False)])
    assert word_diff("alt und grau", "neu und bunt") == (
        [("alt", True), (" und ", False), ("grau", True)],
        [("neu", True), (" und ", False), ("bunt", True)])
    assert word_diff(None, "neu") == ([("—", False)], [("neu", True)])
    assert word_diff(["a", "b"], ["a", "c"]) == ([("a, ", False), ("b", True)],
                                                 [("a, ", False), ("c", True)])


def test_too_long_texts_are_refused_with_the_limit_and_kept_as_typed(directory):
    """A browser cuts a paste into a field with maxlength without a word: the fields have
    none; the server refuses a text over the limit at its field and keeps all of it."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    page = editor.get(f"/de/manage/offers/{OWN}/edit").get_data(as_text=True)
    for name in ("title", "summary", "description"):
        control = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page).group(0)
        assert "maxlength" not in control, name
    title, summary = "Deutschkurs " + "x" * 200, "Wir treffen uns. " * 60 + "Ende."
    before = public_title(editor, OWN)
    data = form_of(editor, OWN)
    data.update({"title": title, "summary": summary})
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="e-f-title">[^<]*länger als 200 Zeichen', page)
    assert re.search(r'id="e-f-summary">[^<]*länger als 1000 Zeichen', page)
    assert f'value="{title}"' in page and f">{summary}</textarea>" in page
    with directory.app_context():
        assert db.session().scalars(select(Proposal)).first() is None
    assert public_title(editor, OWN) == before


@pytest.mark.parametrize("comment", ["", "  \r\n ", "Bitte die Adresse ergänzen. " * 80])
def test_returning_a_change_needs_a_comment_and_changes_nothing_without_one(directory,
                                                                            comment):
    """Without a comment the author would read "returned with this comment:" and nothing;
    one over the limit was cut without a word."""
    editor = propose_title(directory, "Bitte prüfen")
    moderator = signed_in(directory, "mod@example.org", "moderator")
    path = review_paths(moderator)[0]
    response = moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                          "decision": "return", "comment": comment})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="field-error" id="e-comment">([^<]+)</p>', page).group(1)
    assert ("Bitte schreiben Sie einen Kommentar" if not comment.strip()
            else "länger als 2000 Zeichen") in error
    assert 'aria-describedby="e-comment"' in page and "Bitte prüfen" in page
    assert f">{comment}</textarea>" in page, "what was typed is kept"
    with directory.app_context():
        proposal = db.session().scalars(select(Proposal)).one()
        assert (proposal.status, proposal.comment) == ("pending", None)
    assert "zurückgegeben" not in "".join(m.get_content() for m in mails(directory)
                                          if m["To"] == "ed@example.org")
    assert "Änderungen warten auf Prüfung" in editor.get("/de/manage/").get_data(as_text=True)
    moderator.post(path, data={"csrf_token": csrf(moderator, path), "decision": "return",
                               "comment": "Bitte die Adresse ergänzen."})
    with directory.app_context():
        assert db.session().scalars(select(Proposal)).one().status == "returned"


def test_a_new_offer_is_written_in_the_language_chosen(directory):
    """An initiative that writes Arabic stored its Arabic texts as German: the search read
    them with the German analyzer and the dashboard asked for an Arabic translation."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path, data = new_offer_form(editor)
    page = editor.get(path).get_data(as_text=True)
    assert re.search(r'<option value="de" selected>Deutsch</option>', page)
    data.update(original_language="uk", title="Кафе шиття в суботу",
                summary="Разом шиємо та ремонтуємо одяг.")
    assert editor.post(path, data=data).status_code == 303
    with directory.app_context():
        offer = db.session().scalars(select(Proposal)).one().record
    assert offer["original_language"] == "uk"
    assert offer["title"] == {"uk": "Кафе шиття в суботу"}
    arabic = signed_in(directory, "aljisr@example.org", "editor", "a-aljisr")
    page = arabic.get("/de/manage/organisations/a-aljisr/offers/new").get_data(as_text=True)
    assert re.search(r'<option value="ar" selected>', page)  # as its offers are written
    assert 'name="original_language"' not in editor.get(
        f"/de/manage/offers/{OWN}/edit").get_data(as_text=True)


def test_the_history_names_an_entrys_status_in_the_readers_language(directory):
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    path, data = new_offer_form(editor)
    assert editor.post(path, data=data).status_code == 303
    decide_first_review(directory, "approve")
    with directory.app_context():
        new = db.session().scalar(select(Offer.external_id).where(
            Offer.external_id.like("%cafe-am-samstag%")))
    for lang, in_review, published in (("de", "in Prüfung", "veröffentlicht"),
                                       ("ar", "قيد المراجعة", "منشور")):
        history = editor.get(f"/{lang}/manage/offers/{new}/history").get_data(as_text=True)
        assert "in_review" not in history, lang
        cells = history[history.index("<main"):]
        assert in_review in cells and published in cells, lang


SAME_SITE = {"Origin": "http://localhost"}


def _sign_in_again(client, email: str) -> None:
    """Sign in in another tab: a new session, with a new CSRF token."""
    response = client.post("/de/login", headers=SAME_SITE, data={
        "csrf_token": csrf(client, "/de/login"), "email": email, "password": PASSWORD})
    assert response.status_code == 303


def _offer_title(app) -> str:
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        return offer.text_in("title", "de")[0]


def test_a_form_opened_before_signing_in_again_comes_back_with_what_was_typed(directory):
    """Its CSRF token is of the earlier session: instead of a 400 that loses a long text, the
    form comes back as typed, with a fresh token, and nothing is saved until it is sent again."""
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    typed = form_of(editor, OWN)
    before = _offer_title(directory)
    typed.update(title="Lange getippt", description="Zwei Stunden Arbeit\nin vielen Zeilen")
    first, last = (date.today() + timedelta(days=n) for n in (30, 40))  # a closure too
    typed.update({"closures-0-first_day": first.isoformat(),
                  "closures-0-last_day": last.isoformat(), "closures-0-note": "Umbau"})
    _sign_in_again(editor, "ed@example.org")
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=typed, headers=SAME_SITE)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "bevor Sie sich erneut angemeldet haben" in page
    assert 'value="Lange getippt"' in page and "Zwei Stunden Arbeit\nin vielen Zeilen" in page
    assert f'value="{first.isoformat()}"' in page and 'value="Umbau"' in page
    assert _offer_title(directory) == before
    again = {}
    for name, value in read_form(page).fields:
        again.setdefault(name, []).append(value)
    saved = editor.post(f"/de/manage/offers/{OWN}/edit", data=again, headers=SAME_SITE)
    assert saved.status_code == 303
    assert _offer_title(directory) == "Lange getippt"
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert [(c.first_day, c.last_day, c.translations_of("note")) for c in offer.closures] \
            == [(first, last, {"de": "Umbau"})]


def test_a_form_sent_after_the_session_ended_keeps_what_was_typed(directory):
    """Signed out after a while without use: the text waits on a page until its author signed
    in again (in another tab), then goes back into the form."""
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    typed = form_of(editor, OWN)
    typed.update(title="Nach der Pause", summary="Sorgfältig formuliert")
    with editor.session_transaction() as session:
        session["seen_at"] -= 24 * 3600
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=typed, headers=SAME_SITE)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Sie wurden abgemeldet" in page
    kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert kept["title"] == "Nach der Pause" and kept["summary"] == "Sorgfältig formuliert"
    assert _offer_title(directory) != "Nach der Pause"
    _sign_in_again(editor, "ed@example.org")
    back = editor.post(f"/de/manage/offers/{OWN}/edit", data=kept, headers=SAME_SITE)
    assert back.status_code == 400 and 'value="Nach der Pause"' in back.get_data(as_text=True)
    assert _offer_title(directory) != "Nach der Pause"


def test_a_form_sent_from_another_site_gets_nothing_back(directory):
    """Only a form sent from this site is shown again: another site's cannot fill one in."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    typed = form_of(editor, OWN)
    typed["title"] = "Fremd"
    _sign_in_again(editor, "ed@example.org")
    other = {"Origin": "https://elsewhere.example"}
    refused = editor.post(f"/de/manage/offers/{OWN}/edit", data=typed, headers=other)
    assert refused.status_code == 400 and "Fremd" not in refused.get_data(as_text=True)
    anonymous = directory.test_client()
    gone = anonymous.post(f"/de/manage/offers/{OWN}/edit", data=typed, headers=other)
    assert gone.status_code == 303 and "/login" in gone.headers["Location"]


def test_text_pasted_with_control_characters_is_not_lost(directory):
    """Word's line break (a vertical tab) and a page break become line breaks; any other
    control character is named at its field, the form shown again as typed, nothing saved."""
    trust(directory, "a-sprachwerk-ost")
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    data.update(title="Aus Word", description="Zeile eins\vZeile zwei\fSeite zwei")
    assert editor.post(f"/de/manage/offers/{OWN}/edit", data=data).status_code == 303
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert offer.text_in("description", "de")[0] == "Zeile eins\nZeile zwei\nSeite zwei"
    data.update(title="Mit Klingel\x07", summary="Lange Zusammenfassung, die bleibt")
    response = editor.post(f"/de/manage/offers/{OWN}/edit", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "enthält das unsichtbare Zeichen U+0007" in page
    assert "Lange Zusammenfassung, die bleibt" in page
    assert _offer_title(directory) == "Aus Word"


def test_nul_in_any_field_of_the_offer_form_is_answered_never_a_500(directory):
    """The form's text is checked by the view (not refused at the edge): no field may carry a
    NUL on to the database (PostgreSQL refuses it)."""
    editor = signed_in(directory, "ed@example.org", "editor", "a-sprachwerk-ost")
    data = form_of(editor, OWN)
    for name in [n for n in data if n != "csrf_token"]:
        value = data[name]
        broken = {**data, name: [v + "\x00" for v in value] if isinstance(value, list)
                  else value + "\x00"}
        for action in ("save", "preview"):
            response = editor.post(f"/de/manage/offers/{OWN}/edit",
                                   data={**broken, "action": action})
            assert response.status_code < 500, (name, action, response.status_code)
    with directory.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        assert "\\u0000" not in json.dumps(offer_record(offer))
