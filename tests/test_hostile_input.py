"""Hostile input is refused at the edge (web/edge.py): never a 500, never the database."""
from __future__ import annotations

import pytest

from .helpers import csrf

OFFER = "a-sprachwerk-deutsch-eltern"


@pytest.mark.parametrize("path", [
    f"/uk/offers/{OFFER}%00x",
    f"/uk/offers/{OFFER}%00",
    "/ar/organisations/a-sprachwerk-ost%00",
    f"/de/offers/{OFFER}%00/report",
    f"/de/offers/{OFFER}%01/show",
    "/de/offers/%E2%80%AEevil",
    "/de/offers/" + "a" * 300,
    "/de/organisations/%ff%fe",
    "/de/invitation/abc%00def",
    "/de/freshness/abc%0Adef",
    "/de/manage/review/99999999999999999999999",
    "/d%00e/search",
    "/static/css/site%00.css",
])
def test_bad_ids_in_paths_are_not_found(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.content_type


@pytest.mark.parametrize("path", [f"/api/v1/offers/{OFFER}%00", "/api/v1/offers/%00",
                                  "/api/v1/offers/x%C0%80y"])
def test_bad_ids_in_api_paths_answer_json_404(demo_client, path):
    response = demo_client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_good_ids_still_work(demo_client):
    assert demo_client.get(f"/uk/offers/{OFFER}").status_code == 200
    assert demo_client.get("/ar/organisations/a-sprachwerk-ost").status_code == 200
    assert demo_client.get(f"/api/v1/offers/{OFFER}").status_code == 200


@pytest.mark.parametrize("query", ["q=a%00b", "area=%00", "page=1%00", "q=%1B[31m",
                                   "x%00=1", "q=%C2%85"])
def test_control_characters_in_query_strings_are_refused(demo_client, query):
    page = demo_client.get(f"/de/search?{query}")
    assert page.status_code == 400
    assert "Steuerzeichen" in page.get_data(as_text=True)
    api = demo_client.get(f"/api/v1/offers?{query}")
    assert api.status_code == 400
    error = api.get_json()["error"]
    assert error["code"] == "invalid_parameter" and error["parameter"]


def test_other_unusual_query_strings_still_answer(demo_client):
    for query in ["q=%zz", "q=%", "q=%E2%82", "q=" + "ß" * 5000, "q=" + "&q=x" * 200,
                  "q=\u202e\u0627"]:
        assert demo_client.get(f"/de/search?{query}").status_code == 200
        assert demo_client.get(f"/api/v1/offers?{query}").status_code in (200, 400)


def test_the_report_form_sends_nothing_with_a_nul_and_keeps_the_text(directory):
    from sqlalchemy import func, select

    from wegweiser import db
    from wegweiser.models import ProblemReport

    client = directory.test_client()
    path = f"/de/offers/{OFFER}/report"
    token = csrf(client, path)
    response = client.post(path, data={"csrf_token": token, "message": "Telefon\x00 falsch",
                                       "contact": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Steuerzeichen" in page and "Telefon falsch</textarea>" in page
    # Line breaks and tabs are ordinary text in a form.
    response = client.post(path, data={"csrf_token": token,
                                       "message": "Die Telefonnummer\r\n\tstimmt nicht mehr",
                                       "contact": ""})
    assert response.status_code == 200
    with directory.app_context():
        assert db.session().scalar(select(func.count()).select_from(ProblemReport)) == 1


@pytest.mark.parametrize("query", ["page=", "per_page=", "lang="])
def test_the_api_refuses_empty_values_where_its_document_allows_none(demo_client, query):
    response = demo_client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == query.rstrip("=")


def test_a_filter_value_the_directory_does_not_know_is_named_not_dropped_unseen(demo_client):
    """A stale or mistyped link: the page still answers (the API would say 400), with what it
    left out, so "156 offers" is not taken for the offers in Atlantis."""
    page = demo_client.get("/en/search?area=atlantis&category=health&category=%3Cb%3Ex"
                           "&target_group=").get_data(as_text=True)
    assert "Not known in this directory (any more), so left out of the search: atlantis, " \
        "&lt;b&gt;x</p>" in page
    fine = demo_client.get("/en/search?area=connewitz&category=health").get_data(as_text=True)
    assert "Not known in this directory" not in fine
