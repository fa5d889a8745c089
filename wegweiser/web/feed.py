"""The Atom feed of new and changed offers, one per page language (``/<lang>/feed.atom``),
made by feedgen from plain entries, with the licence of the data stated."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app, url_for
from flask_babel import gettext as _

from ..services.hsds.ids import hsds_id

FEED_SIZE = 50


@dataclass(frozen=True)
class FeedEntry:
    key: str  # the offer's external id
    title: str
    summary: str | None
    url: str
    organisation: str
    categories: list[tuple[str, str]]  # (slug, label)
    published: datetime
    updated: datetime


@dataclass(frozen=True)
class FeedInfo:
    lang: str
    title: str
    url: str  # the feed's own address
    home: str  # the site in this language
    rights: str
    licence_url: str
    name: str = "feed"  # which of the site's feeds (its id must differ from the others')


def site_feed_info(lang: str, title: str, endpoint: str, home_endpoint: str,
                   name: str = "feed") -> FeedInfo:
    """A feed of this site in ``lang`` (in a request in that language), with the data's
    licence from the settings."""
    config = current_app.config
    return FeedInfo(
        lang=lang, title=title, name=name, url=url_for(endpoint, _external=True),
        home=url_for(home_endpoint, _external=True),
        rights=_("Data licence: %(licence)s (%(url)s)", licence=config["WEGWEISER_DATA_LICENCE"],
                 url=config["WEGWEISER_DATA_LICENCE_URL"]),
        licence_url=config["WEGWEISER_DATA_LICENCE_URL"])


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def atom_feed(info: FeedInfo, entries: list[FeedEntry]) -> bytes:
    feed = FeedGenerator()
    feed.id(f"urn:uuid:{hsds_id(info.name, info.lang)}")
    feed.title(info.title)
    feed.language(info.lang)
    feed.link(href=info.url, rel="self", type="application/atom+xml")
    feed.link(href=info.home, rel="alternate", type="text/html")
    feed.link(href=info.licence_url, rel="license")
    feed.rights(info.rights)
    feed.author({"name": "Wegweiser"})
    feed.generator("Wegweiser")
    feed.updated(max((_utc(e.updated) for e in entries),
                     default=datetime(2000, 1, 1, tzinfo=UTC)))
    for item in reversed(entries):  # feedgen puts each new entry first
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{hsds_id('feed-entry', info.lang, item.key)}")
        entry.title(item.title)
        entry.link(href=item.url, rel="alternate", type="text/html")
        entry.author({"name": item.organisation})
        entry.published(_utc(item.published))
        entry.updated(_utc(item.updated))
        if item.summary:
            entry.summary(item.summary)
        for slug, label in item.categories:
            entry.category(term=slug, label=label)
    return feed.atom_str(pretty=False)
