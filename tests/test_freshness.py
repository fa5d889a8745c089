"""Freshness: stale offers are listed, reminder mails carry signed links that work without
an account, change nothing on GET, and expire."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.models import Offer
from wegweiser.search import SearchQuery, search_service
from wegweiser.services.freshness import stale_offers

from .helpers import mails, reminder_link

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data


def test_remind_mails_signed_links_that_work_without_signing_in(app, client):
    with app.app_context():
        stale = stale_offers(db.session())
        assert stale, "the demo data has offers not confirmed for more than six months"
        stale_id = stale[0].external_id
    result = app.test_cli_runner().invoke(cli.main, ["remind", "--base-url", "http://localhost"])
    assert result.exit_code == 0 and "Sent" in result.output
    confirm = reminder_link(app, stale_id, "confirm")
    page = client.get(confirm)
    assert page.status_code == 200
    with app.app_context():
        before = {o.external_id: o.verified_at for o in db.session().scalars(select(Offer))}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = client.post(confirm, data={"csrf_token": token})
    assert done.status_code == 200
    with app.app_context():
        after = {o.external_id: o.verified_at for o in db.session().scalars(select(Offer))}
    changed = [k for k in after if after[k] != before[k]]
    assert changed == [stale_id] and after[stale_id] == date.today()


def test_withdraw_link_archives_and_search_forgets_the_offer(app, client):
    with app.app_context():
        stale_id = stale_offers(db.session())[0].external_id
    path = reminder_link(app, stale_id, "withdraw")
    page = client.get(path).get_data(as_text=True)
    title = re.search(r"<p><strong>([^<]+)</strong></p>", page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(path, data={"csrf_token": token})
    with app.app_context():
        result = search_service().search(SearchQuery(text=title), db.session())
        titles = [o.translations_of("title").get("de") for o in db.session().scalars(
            select(Offer).where(Offer.id.in_(result.offer_ids)))]
        assert title not in titles


def test_expired_or_forged_links_are_refused(app, client):
    app.test_cli_runner().invoke(cli.main, ["remind", "--base-url", "http://localhost"])
    path = re.search(r"(/de/freshness/\S+)",
                     "\n".join(m.get_content() for m in mails(app))).group(1)
    assert client.get(path[:-4] + "abcd").status_code == 400
    import wegweiser.services.freshness as freshness

    original = freshness.LINK_DAYS
    freshness.LINK_DAYS = -1
    try:
        assert "abgelaufen" in client.get(path).get_data(as_text=True)
    finally:
        freshness.LINK_DAYS = original
