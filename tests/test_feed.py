"""Atom feeds of new and changed offers, one per language: valid Atom (feedparser, and the
elements RFC 4287 requires), newest first, licence stated, linked from the start page."""
from __future__ import annotations

import re
from xml.etree import ElementTree

import feedparser
import pytest
from sqlalchemy import func, select

from wegweiser import db
from wegweiser.i18n import ui_languages
from wegweiser.models import PUBLISHED, Offer
from wegweiser.services.directory import offer_by_external_id
from wegweiser.services.operations import Actor, archive, confirm
from wegweiser.web.feed import FEED_SIZE

from .helpers import OWN

ATOM = "{http://www.w3.org/2005/Atom}"


def _rfc4287_problems(xml: bytes) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, checked on the XML itself."""
    root = ElementTree.fromstring(xml)
    problems = [] if root.tag == f"{ATOM}feed" else ["root is not atom:feed"]
    for name in ("id", "title", "updated"):
        if len(root.findall(f"{ATOM}{name}")) != 1:
            problems.append(f"feed needs exactly one {name}")
    feed_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            if len(entry.findall(f"{ATOM}{name}")) != 1:
                problems.append(f"entry needs exactly one {name}")
        if not feed_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append("entry without author")
        if entry.find(f"{ATOM}content") is None and not any(
                link.get("rel", "alternate") == "alternate"
                for link in entry.findall(f"{ATOM}link")):
            problems.append("entry without content needs an alternate link")
    return problems


@pytest.mark.parametrize("lang", ["de", "ar", "uk"])
def test_each_language_has_a_valid_atom_feed(demo_client, demo_app, lang):
    response = demo_client.get(f"/{lang}/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert _rfc4287_problems(response.data) == []
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.language == lang
    assert "CC BY 4.0" in feed.feed.rights
    assert "https://creativecommons.org/licenses/by/4.0/" in feed.feed.rights
    assert {(link.rel, link.href) for link in feed.feed.links} >= {
        ("license", "https://creativecommons.org/licenses/by/4.0/"),
        ("self", f"http://localhost/{lang}/feed.atom")}
    with demo_app.app_context():
        published = db.session().scalar(select(func.count()).select_from(Offer)
                                         .where(Offer.status == PUBLISHED))
    assert len(feed.entries) == min(FEED_SIZE, published)
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    first = feed.entries[0]
    assert first.link.startswith(f"http://localhost/{lang}/offers/")
    assert first.title and first.author and first.tags
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_arabic_feed_has_arabic_titles(demo_client):
    feed = feedparser.parse(demo_client.get("/ar/feed.atom").data)
    assert sum(bool(re.search("[\u0600-\u06ff]", e.title)) for e in feed.entries) > 40


def test_a_changed_offer_comes_first_and_a_withdrawn_one_leaves(directory):
    client = directory.test_client()
    with directory.app_context():
        session = db.session()
        confirm(session, Actor("test", staff=True), offer_by_external_id(session, OWN))
        session.commit()
    feed = feedparser.parse(client.get("/en/feed.atom").data)
    assert feed.entries[0].link.endswith(f"/en/offers/{OWN}")
    entry_id = feed.entries[0].id
    with directory.app_context():
        session = db.session()
        archive(session, Actor("test", staff=True), offer_by_external_id(session, OWN))
        session.commit()
    feed = feedparser.parse(client.get("/en/feed.atom").data)
    assert entry_id not in {e.id for e in feed.entries}


def test_the_start_page_links_to_its_feed(demo_client, demo_app):
    with demo_app.app_context():
        languages = ui_languages()
    for lang in languages:
        page = demo_client.get(f"/{lang}/").get_data(as_text=True)
        link = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" '
                         r'href="([^"]+)">', page)
        assert link and link.group(1) == f"/{lang}/feed.atom"
    assert demo_client.get("/xx/feed.atom").status_code == 404
