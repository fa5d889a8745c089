"""Every box people type free text into takes the direction of what is typed (``dir="auto"``;
addresses ``dir="ltr"``): German typed on an Arabic page reads left to right, with its full stop
at the end, and Arabic typed on a German page right to left."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .helpers import csrf, propose_title, review_paths, signed_in
from .test_joining import join_form

pytestmark = pytest.mark.demo_directory
OFFER = "a-sprachwerk-deutsch-eltern"
TYPED_IN = {None, "text", "search", "email", "tel", "url"}


class TypingBoxes(HTMLParser):
    """The text boxes of a page (inputs a person types into, textareas), with their attributes."""

    def __init__(self):
        super().__init__()
        self.boxes = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea" or (tag == "input" and attrs.get("type") in TYPED_IN
                                 and "readonly" not in attrs):
            self.boxes.append(attrs)


def boxes_without_direction(page: str) -> list[str]:
    parser = TypingBoxes()
    parser.feed(page)
    assert parser.boxes, "no text box on the page"
    return [box.get("name") or box.get("id") for box in parser.boxes
            if box.get("dir") not in ("auto", "ltr")]


@pytest.mark.parametrize("lang", ["ar", "de"])
def test_the_public_forms_boxes_follow_what_is_typed(app, client, lang):
    client.post(f"/{lang}/list/add", data={
        "csrf_token": csrf(client, f"/{lang}/offers/{OFFER}"), "offer": OFFER})
    for path in (f"/{lang}/", f"/{lang}/search?q=Deutschkurs", f"/{lang}/offers/{OFFER}/report",
                 f"/{lang}/organisations/a-sprachwerk-ost/claim", f"/{lang}/join",
                 f"/{lang}/list", f"/{lang}/events", f"/{lang}/login", f"/{lang}/reset"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert boxes_without_direction(response.get_data(as_text=True)) == [], path


def test_the_staff_forms_boxes_follow_what_is_typed(app, client):
    client.post("/ar/join", data={"csrf_token": csrf(client, "/ar/join"), **join_form()})
    propose_title(app, "Neuer Titel zur Prüfung")
    moderator = signed_in(app, "mod@example.org", "moderator")
    queue = moderator.get("/ar/manage/review/").get_data(as_text=True)
    request_path = re.search(r'href="(/ar/manage/requests/\d+)"', queue).group(1)
    review_path = review_paths(moderator)[0].replace("/de/", "/ar/")
    admin = signed_in(app, "admin@example.org", "admin")
    for user, path in ((moderator, review_path), (moderator, request_path),
                       (moderator, "/ar/manage/"), (admin, "/ar/manage/users")):
        response = user.get(path)
        assert response.status_code == 200, path
        assert boxes_without_direction(response.get_data(as_text=True)) == [], path
