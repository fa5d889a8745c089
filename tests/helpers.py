"""Small helpers the tests share: the CSRF token of a page, a signed-in client, and the
editing forms as a browser would submit them."""
from __future__ import annotations

import base64
import email
import email.policy
import importlib.util
import json
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pyotp
from sqlalchemy import func, select

from wegweiser import cli, db
from wegweiser.mail import outbox_dir
from wegweiser.models import ChangeLogEntry, Offer, Organisation, Revision, User
from wegweiser.services.records import offer_record, organisation_record

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
    """A test client of a user invited by the command line who set a password and signed in
    (moderators and administrators with their second factor: set up at the first sign-in,
    then a code of their authenticator app, computed here from the stored secret)."""
    path = invitation_path(app, email, role, organisation)
    client = app.test_client()
    client.post(path, data={"csrf_token": csrf(client, path), "password": PASSWORD,
                            "confirm": PASSWORD})
    response = client.post("/de/login", data={"csrf_token": csrf(client, "/de/login"),
                                              "email": email, "password": PASSWORD})
    second_step(app, client, response, email)
    return client


def totp_code(app, email: str) -> str:
    """What the user's authenticator app shows: the code of the current time step, or of the
    next one if the current one was already used (a code is accepted once; the next step is
    still within the accepted drift). Waits if even that was used."""
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == email))
        totp, last = pyotp.TOTP(user.totp_secret), user.totp_last_step or -1
    step = max(totp.timecode(time.time()), last + 1)
    while step > totp.timecode(time.time()) + 1:
        time.sleep(1)
    return totp.generate_otp(step)


def second_step(app, client, response, email: str):
    """Answer the second step of a sign-in if the password step asked for one: set up the
    second factor, or enter a code. Returns the last response (the recovery codes page after
    a set-up; the redirection after a code; ``response`` itself without second step)."""
    location = response.headers.get("Location", "") if response.status_code == 303 else ""
    if location.endswith("/login/setup") or location.endswith("/login/code"):
        token = csrf(client, location)
        return client.post(location, data={"csrf_token": token,
                                           "code": totp_code(app, email)})
    return response


class FormReader(HTMLParser):
    """What a browser submits from the form ``form_id`` of a page (buttons left out), and the
    options of its selects as (value, text, selected)."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields: list[tuple[str, str]] = []
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self._select = self._option = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and "name" in attrs and kind not in ("submit", "button", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in attrs:
                self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self._option = [attrs.get("value", ""), "", "selected" in attrs]
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            self.selects[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select" and self._select:
            options = self.selects[self._select]
            chosen = [o for o in options if o[2]] or options[:1]
            if chosen:
                self.fields.append((self._select, chosen[0][0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None


def read_form(page: str, form_id: str = "edit-form") -> FormReader:
    reader = FormReader(form_id)
    reader.feed(page)
    reader.close()
    return reader


def form_of(client, external_id, lang: str = "de") -> dict:
    """The edit form's current values, as a browser would submit them."""
    page = client.get(f"/{lang}/manage/offers/{external_id}/edit").get_data(as_text=True)
    data: dict = {}
    for name, value in read_form(page).fields:
        data.setdefault(name, []).append(value)
    return {k: (v if len(v) != 1 or k in ("categories", "target_groups", "languages", "areas")
                else v[0]) for k, v in data.items()}


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


def directory_counts() -> dict[str, int]:
    """Rows of offers, organisations, revisions and the change log: an import that changes
    nothing leaves them all alone."""
    session = db.session()
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Offer, Organisation, Revision, ChangeLogEntry)}


def directory_records() -> tuple[dict, dict]:
    """Every offer and organisation as a record of the import format, by external id."""
    session = db.session()
    return ({o.external_id: offer_record(o) for o in session.scalars(select(Offer))},
            {o.external_id: organisation_record(o) for o in session.scalars(select(Organisation))})


def browser_second_step(page, app, email: str) -> None:
    """In a browser after the password step: set up the second factor (the key read from the
    page, as a person would type it into their app; then "continue" past the recovery codes)
    or enter the app's code; nothing when no second step was asked."""
    if page.url.endswith("/login/setup"):
        secret = page.locator("code.secret").inner_text().replace(" ", "")
        page.fill("#code", pyotp.TOTP(secret).now())
        page.click("main form button[type=submit]")
        page.locator("ul.recovery-codes").wait_for()
        page.locator("main a.button").click()
    elif page.url.endswith("/login/code"):
        page.fill("#code", totp_code(app, email))
        page.click("main form button[type=submit]")


def load_drill(name: str):
    """A script of drills/ (drills/NAME.py) as a module, for the short version in the suite."""
    path = Path(__file__).resolve().parent.parent / "drills" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_drill", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def import_and_index(app, tmp_path: Path, offers: list[dict]) -> None:
    """Imports ``offers`` (the import format) of the organisation "verein" into ``app`` through
    the importer, as ``wegweiser import`` would, and builds the index."""
    from wegweiser.search import rebuild_index
    from wegweiser.services.setup import import_files

    path = tmp_path / "offers.json"
    path.write_text(json.dumps({"organisations": [{"id": "verein", "name": "Verein"}],
                                "offers": offers}, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        report = import_files([path], "import:test")
        assert report.ok, report.problems
        rebuild_index(db.session())
