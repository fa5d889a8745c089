"""Every route of the manage area × every role: signed out, editor of the offer's
organisation, editor of another organisation, moderator, administrator."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.models import CLAIM, WAITING, JoinRequest, Offer, Proposal
from wegweiser.services.records import offer_record

from .helpers import csrf, signed_in

pytestmark = pytest.mark.demo_directory  # every test here works on the demo data
OWN = "a-sprachwerk-deutsch-eltern"
OWN_CALL = "a-sprachwerk-ost-raum-sprachcafe"  # a call for help of the same organisation
OWN_EVENT = "e-sprachwerk-einstufungstag"
ROLES = ("anonymous", "editor", "other_editor", "moderator", "admin")
# route → expected status per role (303: sent to the sign-in page)
MATRIX = {
    "/de/manage/": (303, 200, 200, 200, 200),
    f"/de/manage/offers/{OWN}/edit": (303, 200, 403, 200, 200),
    f"/de/manage/offers/{OWN}/history": (303, 200, 403, 200, 200),
    f"/de/manage/offers/{OWN}/translate/ru": (303, 200, 403, 200, 200),
    "/de/manage/review/": (303, 403, 403, 200, 200),
    "/de/manage/stale": (303, 403, 403, 200, 200),
    "/de/manage/users": (303, 403, 403, 403, 200),
    "/de/manage/review/1": (303, 403, 403, 200, 200),
    "/de/manage/requests/1": (303, 403, 403, 200, 200),
    "/de/manage/reports": (303, 403, 403, 200, 200),
    "/de/manage/booklet": (303, 403, 403, 200, 200),
    "/de/manage/needs": (303, 403, 403, 200, 200),
    "/de/manage/needs/stale-organisations.csv": (303, 403, 403, 200, 200),
    "/de/manage/organisations/a-sprachwerk-ost/offers/new": (303, 200, 403, 200, 200),
    "/de/manage/organisations/a-sprachwerk-ost/profile": (303, 200, 403, 200, 200),
    "/de/manage/organisations/a-sprachwerk-ost/history": (303, 200, 403, 200, 200),
    "/de/manage/import": (303, 403, 403, 200, 200),
    "/de/manage/import/template.xlsx": (303, 403, 403, 200, 200),
    "/de/manage/export/directory.csv": (303, 403, 403, 200, 200),
    "/de/manage/account": (303, 200, 200, 200, 200),
    # editors may set up a second factor; staff have one already (sent to their account)
    "/de/manage/account/second-factor": (303, 200, 200, 303, 303),
    "/de/manage/audit": (303, 403, 403, 403, 200),
    "/de/manage/organisations/a-sprachwerk-ost/help-calls/new": (303, 200, 403, 200, 200),
    f"/de/manage/help-calls/{OWN_CALL}/edit": (303, 200, 403, 200, 200),
    f"/de/manage/help-calls/{OWN_CALL}/history": (303, 200, 403, 200, 200),
    f"/de/manage/help-calls/{OWN_CALL}/remove": (303, 200, 403, 200, 200),
    # a published call waits for nothing: nothing to review
    f"/de/manage/review/help-calls/{OWN_CALL}": (303, 403, 403, 404, 404),
    "/de/manage/organisations/a-sprachwerk-ost/events/new": (303, 200, 403, 200, 200),
    f"/de/manage/events/{OWN_EVENT}/edit": (303, 200, 403, 200, 200),
    f"/de/manage/events/{OWN_EVENT}/history": (303, 200, 403, 200, 200),
    f"/de/manage/events/{OWN_EVENT}/translate/ru": (303, 200, 403, 200, 200),
}
POSTS = {
    f"/de/manage/offers/{OWN}/confirm": (303, 303, 403, 303, 303),
    f"/de/manage/offers/{OWN}/archive": (303, 303, 403, 303, 303),
    f"/de/manage/offers/{OWN}/translate/ru/reviewed": (303, 403, 403, 303, 303),
    f"/de/manage/offers/{OWN}/restore/999999": (303, 404, 403, 404, 404),
    "/de/manage/organisations/a-sprachwerk-ost/restore/999999": (303, 404, 403, 404, 404),
    f"/de/manage/offers/{OWN}/reactivate": (303, 303, 403, 303, 303),
    "/de/manage/import/confirm": (303, 403, 403, 409, 409),  # no file kept under no token
    "/de/manage/users/999999/remove": (303, 403, 403, 403, 404),
    "/de/manage/users/999999/reset-second-factor": (303, 403, 403, 403, 404),
    f"/de/manage/help-calls/{OWN_CALL}/extend": (303, 303, 403, 303, 303),
    f"/de/manage/events/{OWN_EVENT}/restore/999999": (303, 404, 403, 404, 404),
    f"/de/manage/events/{OWN_EVENT}/archive": (303, 303, 403, 303, 303),
    f"/de/manage/events/{OWN_EVENT}/reactivate": (303, 303, 403, 303, 303),
}


@pytest.fixture
def clients(app):
    people = {"editor": ("ed@example.org", "editor", "a-sprachwerk-ost"),
              "other_editor": ("other@example.org", "editor", "b-portitzer-winkel"),
              "moderator": ("mod@example.org", "moderator", None),
              "admin": ("admin@example.org", "admin", None)}
    result = {"anonymous": app.test_client()}
    for role, (address, kind, organisation) in people.items():
        result[role] = signed_in(app, address, kind, organisation)
    return result


def test_every_manage_route_for_every_role(app, clients):
    with app.app_context():
        offer = db.session().scalar(select(Offer).where(Offer.external_id == OWN))
        db.session().add(Proposal(offer_id=offer.id, base_version=offer.version,
                                  record=offer_record(offer)))
        db.session().add(JoinRequest(kind=CLAIM, status=WAITING, language="de",
                                     organisation_id=offer.organisation_id,
                                     contact_name="Ada", contact_email="ada@example.org"))
        db.session().commit()
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(
        "manage.")}
    covered = {path for path in (*MATRIX, *POSTS)}
    assert len(routes) == len(covered), (routes, covered)
    for path, expected in MATRIX.items():
        got = tuple(clients[role].get(path).status_code for role in ROLES)
        assert got == expected, (path, got)
    for path, expected in POSTS.items():
        got = []
        for role in ROLES:
            client = clients[role]
            token = csrf(client, "/de/search?q=Beratung")
            got.append(client.post(path, data={"csrf_token": token}).status_code)
        assert tuple(got) == expected, (path, got)


def test_moderators_print_a_booklet_from_the_page(clients):
    page = clients["moderator"].get("/de/manage/booklet?area=ost&booklet_lang=fa")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html and 'class="sheet-entry"' in html
    assert clients["moderator"].get("/de/manage/booklet?area=atlantis").status_code == 400
