"""The accessibility gate of issue 11: axe-core (WCAG 2.x A/AA rules) finds no violation on
any public or manage page type, in every interface language, on a 360 px phone and on a
desktop.

To fit CI time one Chromium serves every page: per viewport one context for a visitor and one
for a signed-in administrator, each navigating from page to page (no new context per page);
axe-core is loaded into every document by an init script and reports violations only. Every
page type runs in the eight languages issue 11 names (de en ar fa uk ru tr fr) on the phone
and on the desktop; the public page types, which refugees read, also in the six other
interface languages on the phone (ps, ckb and the rest: the same templates, other scripts and
lengths). WEGWEISER_AXE_EVERYWHERE=1 checks every page type in all fourteen languages on both
(1,792 pages against 1,222: more than CI's time allows); WEGWEISER_AXE_LANGUAGES=de,ar checks only
those (while fixing what the gate found).
"""
from __future__ import annotations

import os
import re
import resource
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from wegweiser import db
from wegweiser.i18n import direction
from wegweiser.languages import interface_languages
from wegweiser.models import Offer
from wegweiser.services import freshness
from wegweiser.services.help_calls import help_call_by_external_id
from wegweiser.services.shortlist import Shortlist

from ..helpers import (
    OWN,
    csrf,
    invitation_path,
    mails,
    propose_title,
    read_form,
    review_paths,
    signed_in,
)
from ..test_joining import claim, send
from .conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.demo_directory,
              pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
ISSUE_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")  # issue 11's eight
ORGANISATION = "a-sprachwerk-ost"
GONE = "a-sprachwerk-sprachcafe"  # archived before the run: its page answers 410
LISTED = ("a-sprachwerk-deutschkurs-a1", "a-lernwerkstatt-deutschkurs-abend")
CALL = "a-sprachwerk-ost-raum-sprachcafe"  # a call for help of the organisation
EVENT = "e-netzwerktreffen"
GONE_EVENT = "e-fachforum-umf"

PUBLIC = {
    "start": "/{lang}/",
    "results": "/{lang}/search?q=Deutschkurs&area=sued",
    "results with filters": "/{lang}/search?category=health&free=1&page=1",
    "no results": "/{lang}/search?q=zzzqqq",
    "nearest first": "/{lang}/search?q=Beratung&near=connewitz",
    "choice of place": "/{lang}/near?q=Beratung",
    "offer": f"/{{lang}}/offers/{OWN}",
    "offer no longer offered (410)": f"/{{lang}}/offers/{GONE}",
    "show to someone": f"/{{lang}}/offers/{OWN}/show",
    "report a problem": f"/{{lang}}/offers/{OWN}/report",
    "organisation": f"/{{lang}}/organisations/{ORGANISATION}",
    "claim": f"/{{lang}}/organisations/{ORGANISATION}/claim",
    "list": "/{lang}/list",
    "shared list": "/{lang}/list/shared?ids={share}",
    "sheet": "/{lang}/list/sheet",
    "events": "/{lang}/events",
    "events filtered": "/{lang}/events?category=network-meeting&this_week=1",
    "event": f"/{{lang}}/events/{EVENT}",
    "event no longer held (410)": f"/{{lang}}/events/{GONE_EVENT}",
    "take part": "/{lang}/take-part",
    "take part filtered": "/{lang}/take-part?area=sued&kind=volunteers",
    "call for help": "/{lang}/take-part/a-lernwerkstatt-connewitz-hausaufgaben",
    "call for help no longer open (404)": "/{lang}/take-part/no-such-call",
    "join": "/{lang}/join",
    "network": "/{lang}/network",
    "network filtered": "/{lang}/network?category=asylum-legal-advice&language=prs&free=1",
    "privacy": "/{lang}/privacy",
    "not found (404)": "/{lang}/nowhere",
    "sign in": "/{lang}/login",
    "forgotten password": "/{lang}/reset",
    "language choice": "/language?next=/{lang}/search",
    "reminder link": "/{lang}/freshness/{reminder}",
    "call for help link": "/{lang}/take-part/link/{call_link}",
    "claim link": "/{lang}/claims/{claim}",
    "invitation": "/{lang}/invitation/{invitation}",
}
MANAGE = {
    "dashboard": "/{lang}/manage/",
    "dashboard searched": "/{lang}/manage/?q=Deutsch&status=published",
    "edit offer": f"/{{lang}}/manage/offers/{OWN}/edit",
    "new offer": f"/{{lang}}/manage/organisations/{ORGANISATION}/offers/new",
    "offer history": f"/{{lang}}/manage/offers/{OWN}/history",
    "translate offer": f"/{{lang}}/manage/offers/{OWN}/translate/ar",
    "edit event": f"/{{lang}}/manage/events/{EVENT}/edit",
    "new event": f"/{{lang}}/manage/organisations/{ORGANISATION}/events/new",
    "event history": f"/{{lang}}/manage/events/{EVENT}/history",
    "translate event": f"/{{lang}}/manage/events/{EVENT}/translate/ar",
    "new call for help": f"/{{lang}}/manage/organisations/{ORGANISATION}/help-calls/new",
    "edit call for help": "/{lang}/manage/help-calls/{call}/edit",  # a change waits
    "call for help history": "/{lang}/manage/help-calls/{call}/history",
    "end call for help": "/{lang}/manage/help-calls/{call}/remove",
    "review call for help": "/{lang}/manage/review/help-calls/{call}",
    "organisation profile": f"/{{lang}}/manage/organisations/{ORGANISATION}/profile",
    "organisation history": f"/{{lang}}/manage/organisations/{ORGANISATION}/history",
    "review queue": "/{lang}/manage/review/",
    "review page": "/{lang}/manage/review/{proposal}",
    "join request": "/{lang}/manage/requests/{request}",
    "import": "/{lang}/manage/import",
    "needs report": "/{lang}/manage/needs",
    "problem reports": "/{lang}/manage/reports",
    "stale offers": "/{lang}/manage/stale",
    "booklet": "/{lang}/manage/booklet",
    "booklet shown": "/{lang}/manage/booklet?area=ost&booklet_lang={lang}&category=health",
    "users": "/{lang}/manage/users",
    "audit log": "/{lang}/manage/audit",
    "account": "/{lang}/manage/account",
}
EDITOR = {  # what an editor of one organisation sees (no second factor yet)
    "editor's dashboard": "/{lang}/manage/",
    "second factor set-up": "/{lang}/manage/account/second-factor",
}
SEEN_BY = {"visitor": PUBLIC, "staff": MANAGE, "editor": EDITOR}
AXE_SCRIPT = Path(__import__("axe_playwright_python").__file__).with_name("axe.min.js")
# Folded parts (confirmations, filters, the language choice) are opened first: axe reads only
# what is shown.
RUN_AXE = """tags => (document.querySelectorAll('details').forEach(d => { d.open = true; }),
    axe.run(document, {runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations']}).then(r => ({lang: document.documentElement.lang,
    dir: document.documentElement.dir, url: location.pathname + location.search,
    width: document.documentElement.scrollWidth,
    violations: r.violations.map(v => [v.id, v.impact,
        v.nodes.slice(0, 3).map(n => n.target.join(' '))])})))"""
WORKERS = 2  # pages at a time per context: the server renders one while axe reads another


def prepare(app) -> tuple[dict, dict]:
    """What the page types need beside the demo data: an offer and an event no longer offered,
    a change waiting for review, a join request; returns the ids for the paths and the session
    cookies of an administrator (signed in with the second factor) and of an editor."""
    editor = propose_title(app, "Deutsch für Eltern (neu)")
    path = f"/de/manage/help-calls/{CALL}/edit"
    fields: dict = {}
    for name, value in read_form(editor.get(path).get_data(as_text=True),
                                 "help-call-form").fields:
        fields.setdefault(name, []).append(value)
    fields["title"] = ["Ein größerer Raum für das Sprachcafé am Abend"]
    assert editor.post(path, data=fields).status_code == 303
    admin = signed_in(app, "admin@example.org", "admin")
    token = csrf(admin, "/de/manage/")
    for path in (f"/de/manage/offers/{GONE}/archive", f"/de/manage/events/{GONE_EVENT}/archive"):
        assert admin.post(path, data={"csrf_token": token}).status_code == 303, path
    assert send(app.test_client()).status_code == 200
    request = re.search(r'href="/de/manage/requests/(\d+)"',
                        admin.get("/de/manage/review/").get_data(as_text=True))
    assert claim(app.test_client()).status_code == 200
    claim_link = re.search(r"/de/claims/(\S+)", mails(app)[-1].get_content())
    with app.app_context():
        reminder = freshness.action_token(db.session().scalar(
            select(Offer).where(Offer.external_id == OWN)), "confirm")
        call_link = freshness.help_call_token(
            help_call_by_external_id(db.session(), CALL), "extend")
    invitation = invitation_path(app, "invited@example.org", "editor", ORGANISATION)
    ids = {"share": Shortlist([*LISTED, GONE]).share_token(), "call": CALL,
           "proposal": review_paths(admin)[0].rsplit("/", 1)[1], "request": request.group(1),
           "reminder": reminder, "call_link": call_link, "claim": claim_link.group(1),
           "invitation": invitation.rsplit("/", 1)[1]}
    return ids, {"staff": admin.get_cookie("session").value,
                 "editor": editor.get_cookie("session").value}


def jobs(ids: dict, everywhere: bool) -> list[tuple[str, str, str, str, str]]:
    """(viewport, who, page type, language, path) of every page the gate checks."""
    found = []
    for viewport in ("phone", "desktop"):
        languages = interface_languages()
        if os.environ.get("WEGWEISER_AXE_LANGUAGES"):  # fewer, while fixing what it found
            languages = [x for x in languages
                         if x in os.environ["WEGWEISER_AXE_LANGUAGES"].split(",")]
        for lang in languages:
            for who, paths in SEEN_BY.items():
                if everywhere or lang in ISSUE_LANGUAGES or (viewport == "phone"
                                                             and who == "visitor"):
                    found += [(viewport, who, kind, lang, pattern.format(lang=lang, **ids))
                              for kind, pattern in paths.items()]
    return found


async def _check_pages(server: str, viewport: str, queue, problems: dict, context=None,
                       page=None) -> None:
    """Take pages from ``queue`` until it is empty: open each, run axe, note what is wrong
    (a violation, an unexpected status, a redirection, the wrong lang or dir, a page wider
    than the screen)."""
    page = page or await context.new_page()
    while not queue.empty():
        kind, lang, path = queue.get_nowait()
        response = await page.goto(server + path)
        seen = await page.evaluate(RUN_AXE, WCAG_TAGS)
        expected = int(kind[-4:-1]) if kind.endswith(")") else 200  # "... (410)"
        wrong = [] if response.status == expected else [f"status {response.status}"]
        if seen["url"] != path:
            wrong.append(f"ended at {seen['url']}")
        if seen["width"] > VIEWPORTS[viewport]["width"]:  # no sideways scrolling
            wrong.append(f"{seen['width']} px wide")
        if (seen["lang"], seen["dir"]) != (lang, direction(lang)):
            wrong.append(f"lang={seen['lang']} dir={seen['dir']}")
        if wrong or seen["violations"]:
            problems[f"{viewport} {kind}: {path}"] = wrong + seen["violations"]
    await page.close()


async def _gate(server: str, sessions: dict, pages: list) -> dict:
    """Every page of ``pages`` through axe, ``WORKERS`` at a time per context; returns the
    problems found by page."""
    import asyncio

    from playwright.async_api import async_playwright

    problems: dict[str, object] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for viewport in dict.fromkeys(where for where, *_ in pages):
            contexts = {}
            for who in SEEN_BY:  # no service worker: it would fetch the listed offers too
                context = await browser.new_context(viewport=VIEWPORTS[viewport],
                                                    service_workers="block")
                if who in sessions:
                    await context.add_cookies([{"name": "session", "value": sessions[who],
                                                "url": server}])
                await context.add_init_script(path=str(AXE_SCRIPT))
                contexts[who] = context
            visitor = contexts["visitor"]
            # The visitor's list holds two offers (the list page, the sheet and the share link
            # show them); the shared link of the page type also names the offer no longer
            # offered, greyed.
            first = await visitor.new_page()
            await first.goto(f"{server}/de/offers/{OWN}")
            token = await first.locator("input[name=csrf_token]").first.get_attribute("value")
            for offer in LISTED:
                added = await visitor.request.post(f"{server}/de/list/add",
                                                   form={"offer": offer, "csrf_token": token})
                assert added.ok, offer
            queues = {who: asyncio.Queue() for who in SEEN_BY}
            for where, who, kind, lang, path in pages:
                if where == viewport:
                    queues[who].put_nowait((kind, lang, path))

            await asyncio.gather(
                _check_pages(server, viewport, queues["visitor"], problems, page=first),
                *(_check_pages(server, viewport, queues["visitor"], problems, visitor)
                  for _ in range(WORKERS - 1)),
                *(_check_pages(server, viewport, queues[who], problems, contexts[who])
                  for who in SEEN_BY if who != "visitor" for _ in range(WORKERS)))
            for context in contexts.values():
                await context.close()
        await browser.close()
    return problems


def run_gate(server: str, sessions: dict, pages: list) -> dict:
    """The gate in a thread of its own (Playwright's asynchronous API beside the synchronous
    one the other browser tests share)."""
    import asyncio

    outcome: dict = {}

    def target():
        try:
            outcome["problems"] = asyncio.run(_gate(server, sessions, pages))
        except BaseException as exc:  # noqa: BLE001 - reported in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["problems"]


def _cpu_seconds() -> float:
    """CPU time of this process (the test and the live server) and of its children that
    ended (the browser the gate starts and its Playwright driver)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                        resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def test_axe_reports_what_it_should(chromium, live_server):
    """The gate's own check: a nameless button and German marked as English are reported."""
    context = chromium.new_context(viewport=PHONE)
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    page.goto(live_server + "/de/")
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    seen = page.evaluate(RUN_AXE, WCAG_TAGS)
    context.close()
    assert (seen["lang"], seen["dir"], seen["url"]) == ("de", "ltr", "/de/")
    assert [v[0] for v in seen["violations"]] == ["button-name"]


def check_every_page(app, server, capsys, viewport: str) -> None:
    """The gate for the pages of one viewport. The phone and the desktop are two test files,
    so that two workers run them at the same time (the gate is the suite's longest test)."""
    started, cpu = time.monotonic(), _cpu_seconds()
    ids, sessions = prepare(app)
    assert len(interface_languages()) == 14
    pages = [page for page in jobs(ids, os.environ.get("WEGWEISER_AXE_EVERYWHERE") == "1")
             if page[0] == viewport]
    problems = run_gate(server, sessions, pages)
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\naxe gate ({viewport}): {len(PUBLIC)} public + {len(MANAGE) + len(EDITOR)} "
              f"manage page types, {len(pages)} pages in {took:.0f} s ({took / len(pages):.2f} s "
              f"a page; {_cpu_seconds() - cpu:.0f} s CPU of server, browser and axe; load "
              f"{os.getloadavg()[0]:.1f})")
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_every_page_type_in_every_language_has_no_violation_on_a_phone(app, server, capsys):
    check_every_page(app, server, capsys, "phone")


def test_a_page_that_answers_a_post_is_checked_as_it_is_shown(chromium, live_server):
    """The check of a form shown with its errors or a conflict (tests of the flows): axe reads
    the page as the browser shows it, here with a nameless button added."""
    from .test_editor_flow import assert_shown_page_accessible

    context = chromium.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/de/")
    assert_shown_page_accessible(chromium, page)
    page.evaluate("document.querySelector('main').append(document.createElement('button'))")
    with pytest.raises(AssertionError, match="button-name"):
        assert_shown_page_accessible(chromium, page)
    context.close()
