"""Small helpers the tests share: the CSRF token of a page, a signed-in client, and the
editing forms as a browser would submit them."""
from __future__ import annotations

import base64
import email
import email.policy
import json
import re

from sqlalchemy import select

from wegweiser import cli, db
from wegweiser.mail import outbox_dir
from wegweiser.models import Organisation

PASSWORD = "correct horse battery"
OWN = "a-sprachwerk-deutsch-eltern"  # a demo offer of the organisation a-sprachwerk-ost


def csrf(client, path: str) -> str:
    """The CSRF token of the first form on ``path``."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def invitation_path(app, email: str, role: str, organisation: str | None = None) -> str:
    args = ["user", "create", email, "--role", role, "--base-url", "http://localhost"]
    if organisation:
        args += ["--organisation", organisation]
    output = app.test_cli_runner().invoke(cli.main, args).output
    return re.search(r"http://localhost(/\w+/invitation/\S+)", output).group(1)


def signed_in(app, email: str, role: str, organisation: str | None = None):
    """A test client of a user invited by the command line who set a password and signed in."""
    path = invitation_path(app, email, role, organisation)
    client = app.test_client()
    client.post(path, data={"csrf_token": csrf(client, path), "password": PASSWORD,
                            "confirm": PASSWORD})
    client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"), "email": email,
                                   "password": PASSWORD})
    return client


def form_of(client, external_id) -> dict:
    """The edit form's current values, as a browser would submit them."""
    page = client.get(f"/de/manage/offers/{external_id}/edit").get_data(as_text=True)
    data: dict = {}
    for name, value in re.findall(r'<input (?:type="(?:hidden|text|time|tel|email|url)" )?'
                                  r'(?:id="[^"]*" )?name="([^"]+)" (?:maxlength="\d+" )?'
                                  r'value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<input type="(?:checkbox|radio)" name="([^"]+)" '
                                  r'value="([^"]*)" checked', page):
        data.setdefault(name, [])
        if isinstance(data[name], list):
            data[name].append(value)
    for name in ("summary", "description"):
        match = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page, re.S)
        data[name] = match.group(1) if match else ""
    for name, value in re.findall(r'<select name="([^"]+)"[^>]*>.*?<option value="(\d+)" '
                                  r'selected', page, re.S):
        data[name] = value
    return {k: (v if not isinstance(v, list) or len(v) != 1 or k in
                ("categories", "target_groups", "languages", "areas") else v[0])
            for k, v in data.items()}


def trust(app, organisation_id: str) -> None:
    """Let an organisation publish without review."""
    with app.app_context():
        org = db.session().scalar(select(Organisation).where(
            Organisation.external_id == organisation_id))
        org.trusted = True
        db.session().commit()


def public_title(client, external_id) -> str:
    page = client.get(f"/de/offers/{external_id}").get_data(as_text=True)
    return re.search(r"<h1[^>]*>([^<]+)</h1>", page).group(1)


def notices_after(client, response) -> str:
    """The notices shown (by Flask's flash) on the page a POST redirected to."""
    assert response.status_code == 303, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r'<div class="notices" role="status">(.*?)</div>', page, re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def mails(app) -> list[email.message.EmailMessage]:
    """Every mail written to the outbox, oldest first."""
    with app.app_context():
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(outbox_dir().glob("*.eml"))]


def _mail_texts(app) -> list[str]:
    return [mail.get_content() for mail in mails(app)]


def reminder_link(app, external_id: str, action: str) -> str:
    """The path of a link in the mails of ``wegweiser remind`` for an offer and action (the
    signed token names both)."""
    app.test_cli_runner().invoke(cli.main, ["remind", "--base-url", "http://localhost"])
    for path in re.findall(r"http://localhost(/\w+/freshness/\S+)", "\n".join(_mail_texts(app))):
        payload = path.rsplit("/", 1)[1].split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if data == {"offer": external_id, "action": action}:
            return path
    raise AssertionError(f"no {action} link for {external_id} in the reminders")


def propose_title(app, title: str, external_id: str = OWN,
                  organisation: str = "a-sprachwerk-ost"):
    """An editor of an organisation that is not trusted sends a new title for review;
    returns the editor's client."""
    editor = signed_in(app, "ed@example.org", "editor", organisation)
    data = form_of(editor, external_id)
    data["title"] = title
    assert editor.post(f"/de/manage/offers/{external_id}/edit", data=data).status_code == 303
    return editor


def review_paths(moderator) -> list[str]:
    """The review pages of the changes waiting, oldest first."""
    return re.findall(r'href="(/de/manage/review/\d+)"',
                      moderator.get("/de/manage/review/").get_data(as_text=True))


def decide_first_review(app, decision: str, comment: str = ""):
    """A moderator approves or returns the oldest change waiting; returns the response."""
    moderator = signed_in(app, "mod@example.org", "moderator")
    path = review_paths(moderator)[0]
    return moderator.post(path, data={"csrf_token": csrf(moderator, path),
                                      "decision": decision, "comment": comment})
