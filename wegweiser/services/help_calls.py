"""Calls for help ("Mitmachen"): their kinds (data in ``data/reference/help-kinds.toml``),
their record in the import format, and the read-only queries of the pages, the API, the feed
and the reminders. The changes of state are in ``help_call_operations.py``."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    ARCHIVED,
    HELP_TEXT_FIELDS,
    IN_REVIEW,
    PUBLISHED,
    Area,
    HelpCall,
    Organisation,
)
from .reference import REFERENCE_DIR

# How far ahead an end date may lie: a call is looked at again at least this often.
MAX_DAYS_AHEAD = 183
# Calls ending within this many days are reminded to their organisation.
REMIND_DAYS_BEFORE = 7
# "Extend" (dashboard and reminder link) moves the end date this far.
EXTEND_DAYS = 28
FALLBACK_LOCALES = ("en", "de")


@dataclass(frozen=True)
class HelpKind:
    slug: str
    labels: dict

    def label(self, locale: str) -> str:
        for candidate in (locale, *FALLBACK_LOCALES):
            if self.labels.get(candidate):
                return self.labels[candidate]
        return self.slug


@cache
def help_kinds() -> tuple[HelpKind, ...]:
    """The kinds of calls, in the order of the page's groups."""
    with open(REFERENCE_DIR / "help-kinds.toml", "rb") as handle:
        return tuple(HelpKind(k["slug"], dict(k["labels"])) for k in tomllib.load(handle)["kind"])


def kind_by_slug(slug: str) -> HelpKind | None:
    return next((k for k in help_kinds() if k.slug == slug), None)


def latest_end_date(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=MAX_DAYS_AHEAD)


def help_call_record(call: HelpCall) -> dict:
    """A call as a record of the import format (also its history's and review's shape)."""
    return {
        "id": call.external_id,
        "organisation": call.organisation.external_id,
        "original_language": call.original_language,
        "kind": call.kind,
        **{name: call.translations_of(name) for name in HELP_TEXT_FIELDS},
        "areas": sorted(a.slug for a in call.areas),
        "languages": [lang.code for lang in call.languages],
        "end_date": call.end_date.isoformat(),
        "status": call.status,
    }


def _loaded(query):
    return query.options(selectinload(HelpCall.texts), selectinload(HelpCall.areas),
                         selectinload(HelpCall.languages),
                         selectinload(HelpCall.organisation))


def help_call_by_external_id(session: Session, external_id: str) -> HelpCall | None:
    return session.scalar(_loaded(select(HelpCall)).where(HelpCall.external_id == external_id))


def is_open(call: HelpCall, today: date | None = None) -> bool:
    """Whether the public sees ``call``: as open_help_calls selects them."""
    return call.status == PUBLISHED and call.end_date >= (today or date.today())


def open_help_calls(session: Session, today: date | None = None, kind: str | None = None,
                    area: Area | None = None,
                    organisation: Organisation | None = None) -> list[HelpCall]:
    """Published calls whose end date has not passed (so they vanish by themselves), soonest
    ending first. ``area``: calls there, in its Ortsteile or its Stadtbezirk, and calls
    without an area (anywhere in the city)."""
    query = _loaded(select(HelpCall)).where(HelpCall.status == PUBLISHED,
                                            HelpCall.end_date >= (today or date.today()))
    if kind:
        query = query.where(HelpCall.kind == kind)
    if organisation is not None:
        query = query.where(HelpCall.organisation_id == organisation.id)
    calls = list(session.scalars(query.order_by(HelpCall.end_date, HelpCall.external_id)))
    if area is None:
        return calls
    wanted = {area.id, *(child.id for child in area.children)}
    if area.parent is not None:
        wanted.add(area.parent.id)
    return [c for c in calls if not c.areas or wanted & {a.id for a in c.areas}]


def calls_of_organisation(session: Session, organisation: Organisation) -> list[HelpCall]:
    """An organisation's calls for its editors: all but the removed ones, newest first."""
    return list(session.scalars(
        _loaded(select(HelpCall)).where(HelpCall.organisation_id == organisation.id,
                                        HelpCall.status != ARCHIVED)
        .order_by(HelpCall.created_at.desc(), HelpCall.id.desc())))


def waiting_help_calls(session: Session) -> list[HelpCall]:
    """Calls waiting for a moderator: new ones in review, and changes to published ones."""
    return list(session.scalars(
        _loaded(select(HelpCall)).where(or_(HelpCall.status == IN_REVIEW,
                                            HelpCall.pending.is_not(None)))
        .order_by(HelpCall.updated_at)))


def ending_soon(session: Session, today: date | None = None) -> list[HelpCall]:
    """Published calls ending within a week whose organisation was not yet reminded of this
    end date."""
    today = today or date.today()
    calls = session.scalars(_loaded(select(HelpCall)).where(
        HelpCall.status == PUBLISHED, HelpCall.end_date >= today,
        HelpCall.end_date <= today + timedelta(days=REMIND_DAYS_BEFORE))
        .order_by(HelpCall.end_date))
    return [c for c in calls if c.reminded_for != c.end_date]

