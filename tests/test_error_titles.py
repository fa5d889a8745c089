"""Every error page's <title> says what happened, in the page's language: a tab's name and
the first thing a screen reader reads."""
from __future__ import annotations

import re

import pytest
from flask import abort

from .helpers import signed_in

TITLES = {  # code: (de, ar)
    400: ("Eingabe nicht verwendbar", "تعذّر استخدام المُدخلات"),
    403: ("Nicht erlaubt", "غير مسموح"),
    404: ("Seite nicht gefunden", "الصفحة غير موجودة"),
    410: ("Seite entfernt", "أُزيلت الصفحة"),
    413: ("Zu viele Daten gesendet", "البيانات المرسلة كثيرة جدًا"),
    429: ("Zu viele Versuche", "محاولات كثيرة جدًا"),
    500: ("Entschuldigung, etwas ist schiefgegangen", "عذرًا، حدث خطأ ما"),
    503: ("Vorübergehend nicht erreichbar", "غير متاح مؤقتًا"),
}


def title_of(response) -> str:
    return re.search(r"<title>(.*?) · ", response.get_data(as_text=True)).group(1)


def _failing(lang: str, code: int):
    if code == 500:
        raise RuntimeError("a bug")
    abort(code)


@pytest.fixture
def failing_client(app):
    """A client of an app with a page that fails with any code: /<lang>/failing/<code>."""
    app.add_url_rule("/<lang>/failing/<int:code>", "failing", _failing)
    return app.test_client()


@pytest.mark.parametrize("lang", ["de", "ar"])
@pytest.mark.parametrize("code", sorted(TITLES))
def test_every_error_page_has_a_title_that_says_what_happened(failing_client, lang, code):
    response = failing_client.get(f"/{lang}/failing/{code}")
    assert response.status_code == code
    expected = TITLES[code][lang == "ar"]
    assert title_of(response) == expected
    assert f"<h1>{expected}</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_real_errors_are_titled(app, client, lang):
    """The same titles where the errors really happen: an unknown page, a form without its
    token, the administrators' page opened by a moderator, control characters in a query."""
    ar = lang == "ar"
    assert title_of(client.get(f"/{lang}/no-such-page")) == TITLES[404][ar]
    refused = client.post(f"/{lang}/join", data={"name": "x"})
    assert refused.status_code == 400 and title_of(refused) == TITLES[400][ar]
    control = client.get(f"/{lang}/search?q=a%07b")
    assert control.status_code == 400 and title_of(control) == TITLES[400][ar]
    if not ar:
        moderator = signed_in(app, "mod@example.org", "moderator")
        forbidden = moderator.get("/de/manage/users")
        assert forbidden.status_code == 403 and title_of(forbidden) == TITLES[403][0]
