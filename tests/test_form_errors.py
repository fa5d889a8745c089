"""A form sent back with a problem marks the field it concerns (``aria-invalid``) and ties the
message to it (``aria-describedby``), so that a screen reader reads the message on the field
(WCAG 3.3.1, 1.3.1); the message is announced (``role="alert"``) and in the page's language."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .helpers import PASSWORD, csrf, invitation_path, signed_in
from .test_joining import claim, send

pytestmark = [pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
OFFER = "a-sprachwerk-deutsch-eltern"


class Elements(HTMLParser):
    """Every element's attributes and text, by id; the fields marked invalid."""

    def __init__(self, html: str):
        super().__init__()
        self.text_by_id: dict[str, str] = {}
        self.invalid: list[dict] = []
        self.alerts = 0
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs)
        if attrs.get("role") == "alert":
            self.alerts += 1
        if tag in ("input", "br", "meta", "link", "img", "hr"):
            return
        self._open.append(attrs.get("id"))
        if attrs.get("id"):
            self.text_by_id[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if self._open and tag not in ("input", "br", "meta", "link", "img", "hr"):
            self._open.pop()

    def handle_data(self, data):
        for open_id in self._open:
            if open_id:
                self.text_by_id[open_id] += data


def check(response, message: str, status: int = 400) -> None:
    """At least one field is marked invalid; each one is described by elements that exist and
    together say ``message``; the problem is announced."""
    assert response.status_code == status
    page = Elements(response.get_data(as_text=True))
    assert page.invalid, "no field is marked as the one with the problem"
    for field in page.invalid:
        described = field.get("aria-describedby", "").split()
        assert described, f"{field.get('name')}: its message is not tied to it"
        assert all(ref in page.text_by_id for ref in described), (field, described)
        assert message in " ".join(page.text_by_id[ref] for ref in described), field
    assert page.alerts, "the problem is not announced"


@pytest.mark.parametrize("lang, message", [
    ("de", "höchstens 2000 Zeichen"), ("ar", "2000"), ("fa", "۲۰۰۰")])
def test_a_report_too_long(client, lang, message):
    path = f"/{lang}/offers/{OFFER}/report"
    response = client.post(path, data={"csrf_token": csrf(client, path), "message": "x" * 2001})
    check(response, message)


@pytest.mark.parametrize("lang", ["de", "ar", "fa"])
def test_a_claim_without_a_name_or_an_address(client, lang):
    check(claim(client, lang=lang, name=""), {"de": "Bitte geben Sie Ihren Namen an",
                                              "ar": "يرجى إدخال اسمكم",
                                              "fa": "لطفاً نام خود را بنویسید"}[lang])
    check(claim(client, lang=lang, address="nobody"), "")


def test_a_join_request_without_a_name(client):
    check(send(client, name=""), "")  # the join form ties each field's own message


def test_a_wrong_password(client):
    path = "/de/login"
    response = client.post(path, data={"csrf_token": csrf(client, path),
                                       "email": "nobody@example.org", "password": "wrong"})
    check(response, "E-Mail-Adresse oder Passwort")


def test_an_invitation_to_an_address_that_is_none(app):
    admin = signed_in(app, "admin@example.org", "admin")
    path = "/de/manage/users"
    response = admin.post(path, data={"csrf_token": csrf(admin, path), "email": "nobody",
                                      "role": "editor"})
    check(response, "gültige E-Mail-Adresse")


@pytest.mark.parametrize("lang, mark", [("de", "(Pflichtfeld)"), ("ar", "(إلزامي)"),
                                        ("fa", "(اجباری)")])
def test_required_fields_say_so_before_anything_is_sent(client, lang, mark):
    """The form to join marks its three required fields beside their labels (it said so only
    after sending; two optional fields were marked "optional", the others nothing)."""
    page = client.get(f"/{lang}/join").get_data(as_text=True)
    required = re.findall(r'<label for="([^"]+)">[^<]*<span class="required-mark" '
                          r'aria-hidden="true">([^<]*)</span></label>', page)
    assert {field for field, _ in required} == {"f-name", "f-title", "f-contact_email"}
    assert {shown for _, shown in required} == {mark}
    for field, _ in required:
        assert re.search(rf'id="{field}"[^>]* required aria-required="true"', page), field


@pytest.mark.parametrize("lang, message", [("de", "Dieses Feld wird benötigt"),
                                           ("fa", "این فیلد اجباریست")])
def test_a_forgotten_password_without_an_address(client, lang, message):
    path = f"/{lang}/reset"
    check(client.post(path, data={"csrf_token": csrf(client, path), "email": ""}), message,
          status=200)


def test_a_wrong_code_of_the_second_factor(app, client):
    path = invitation_path(app, "moderator@example.org", "moderator")
    client.post(path, data={"csrf_token": csrf(client, path), "password": PASSWORD,
                            "confirm": PASSWORD})
    response = client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"),
                                              "email": "moderator@example.org",
                                              "password": PASSWORD})
    setup = response.headers["Location"]
    assert setup.endswith("/de/login/setup")
    response = client.post(setup, data={"csrf_token": csrf(client, setup), "code": "000000"})
    check(response, "Der Code stimmt nicht", status=response.status_code)
