"""'Report a problem with this entry': no account, rate-limited, reaches the organisation and
the moderators' list."""
from __future__ import annotations

import pytest

from wegweiser import db
from wegweiser.mail import outbox_dir
from wegweiser.services.reports import open_reports

from .helpers import csrf

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data
OFFER = "a-sprachwerk-deutsch-eltern"


def test_anyone_can_report_and_the_organisation_hears_of_it(app, client):
    page = client.get(f"/ar/offers/{OFFER}").get_data(as_text=True)
    assert f'href="/ar/offers/{OFFER}/report"' in page
    path = f"/de/offers/{OFFER}/report"
    empty = client.post(path, data={"csrf_token": csrf(client, path), "message": " "})
    assert empty.status_code == 400
    sent = client.post(path, data={"csrf_token": csrf(client, path),
                                   "message": "Die Telefonnummer stimmt nicht mehr.",
                                   "contact": ""})
    assert sent.status_code == 200 and 'role="status"' in sent.get_data(as_text=True)
    with app.app_context():
        reports = open_reports(db.session())
        assert [r.message for r in reports] == ["Die Telefonnummer stimmt nicht mehr."]
        assert reports[0].contact is None
        assert list(outbox_dir().glob("*.eml")), "the organisation gets a mail"


def test_reports_are_rate_limited(app, client):
    path = f"/de/offers/{OFFER}/report"
    token = csrf(client, path)
    codes = [client.post(path, data={"csrf_token": token, "message": f"Hinweis {i}"})
             .status_code for i in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_a_report_too_long_is_refused_and_kept_whole(app, client):
    path = f"/de/offers/{OFFER}/report"
    assert "maxlength" not in client.get(path).get_data(as_text=True).split(
        'id="report-message"')[1].split(">")[0]
    message = "Die Telefonnummer stimmt nicht mehr, und die Zeiten auch nicht. " * 40
    sent = client.post(path, data={"csrf_token": csrf(client, path), "message": message,
                                   "contact": ""})
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert "höchstens 2000 Zeichen" in page or "2000" in page
    assert message.strip() in page
    with app.app_context():
        assert open_reports(db.session()) == []
