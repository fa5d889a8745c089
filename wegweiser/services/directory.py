"""Read-side query functions for pages and the API: vocabularies, offers, organisations."""
from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import (
    ARCHIVED,
    DISTRICT,
    PUBLISHED,
    QUARTER,
    Area,
    Category,
    Language,
    Offer,
    OfferText,
    Organisation,
    TargetGroup,
)
from ..models.links import VocabularyLinks


@dataclass
class Vocabularies:
    categories: list[Category]  # those of offers (all but the events-only ones)
    target_groups: list[TargetGroup]
    languages: list[Language]
    districts: list[Area]  # Stadtbezirke with their Ortsteile as ``children``
    event_categories: list[Category] = field(default_factory=list)  # every category

    def slugs(self, facet: str) -> set[str]:
        if facet == "area":
            return {a.slug for d in self.districts for a in (d, *d.children)} | {"citywide"}
        if facet == "language":
            return {lang.code for lang in self.languages}
        return {t.slug for t in getattr(self, {"category": "categories",
                                                "target_group": "target_groups"}[facet])}

    def area(self, slug: str) -> Area | None:
        for district in self.districts:
            for area in (district, *district.children):
                if area.slug == slug:
                    return area
        return None

    def rows(self) -> dict[str, dict[int, object]]:
        """Per offer relationship, its rows by id (for models.links.VocabularyLinks)."""
        return {"categories": {c.id: c for c in self.event_categories},
                "target_groups": {t.id: t for t in self.target_groups},
                "languages": {lang.id: lang for lang in self.languages},
                "areas": {a.id: a for d in self.districts for a in (d, *d.children)}}

    def by_slug(self, facet: str) -> dict:
        if facet == "area":
            return {a.slug: a for d in self.districts for a in (d, *d.children)}
        if facet == "language":
            return {lang.code: lang for lang in self.languages}
        items = self.categories if facet == "category" else self.target_groups
        return {t.slug: t for t in items}


def load_vocabularies(session: Session) -> Vocabularies:
    categories = list(session.scalars(select(Category).order_by(Category.position)))
    return Vocabularies(
        categories=[c for c in categories if c.for_offers],
        event_categories=categories,
        target_groups=list(session.scalars(select(TargetGroup).order_by(TargetGroup.position))),
        languages=list(session.scalars(select(Language).order_by(Language.position))),
        districts=list(session.scalars(
            select(Area).where(Area.kind == DISTRICT).order_by(Area.code)
            .options(selectinload(Area.children)))),
    )


# How long a process keeps the vocabularies of the read-only pages (reading_vocabularies):
# they change only when the reference data is loaded again (`wegweiser init`).
SHARED_VOCABULARY_SECONDS = 60.0
_shared: weakref.WeakKeyDictionary[Engine, tuple[float, Vocabularies]] = \
    weakref.WeakKeyDictionary()  # per database: (read again after, vocabularies)


def reading_vocabularies(session: Session) -> Vocabularies:
    """The vocabularies for pages that only read (search, start page, API searches): loaded
    once per process and database for SHARED_VOCABULARY_SECONDS, detached from any session,
    every attribute a page reads loaded (areas with their parents and children). Five queries
    and about 130 rows decoded per results page were a sixth of its CPU. Never for pages that
    link offers to vocabularies (editing): use load_vocabularies."""
    engine = session.get_bind().engine
    now = time.monotonic()
    found = _shared.get(engine)
    if found is not None and found[0] > now:
        return found[1]
    with Session(engine) as own:
        vocab = load_vocabularies(own)
        # The whole area tree, each area's parent and children set (a detached area cannot
        # load them later).
        areas = list(own.scalars(select(Area)))
        by_id = {area.id: area for area in areas}
        children: dict[int | None, list[Area]] = {}
        for area in areas:
            children.setdefault(area.parent_id, []).append(area)
        for area in areas:
            set_committed_value(area, "parent", by_id.get(area.parent_id))
            set_committed_value(area, "children", sorted(children.get(area.id, []),
                                                         key=lambda child: child.name))
        own.expunge_all()
    _shared[engine] = (now + SHARED_VOCABULARY_SECONDS, vocab)
    return vocab


# What a result row or an API summary shows of an offer: its title and summary (not the long
# descriptions in every language), its vocabularies, areas and organisation's name.
SUMMARY_FIELDS = ("title", "summary")


def _offer_options(text_fields: tuple[str, ...] | None = None, links: bool = True):
    common = (
        selectinload(Offer.categories),
        selectinload(Offer.target_groups),
        selectinload(Offer.languages),
        selectinload(Offer.areas).selectinload(Area.parent),
    ) if links else ()
    if text_fields is not None:
        return (selectinload(Offer.texts.and_(OfferText.field.in_(text_fields))),
                selectinload(Offer.organisation), *common)
    return (
        selectinload(Offer.texts),
        *common,
        selectinload(Offer.opening_hours),
        selectinload(Offer.organisation).selectinload(Organisation.texts),
    )


def offers_by_ids(session: Session, ids: list[int],
                  text_fields: tuple[str, ...] | None = None,
                  vocab: Vocabularies | None = None) -> list[Offer]:
    """Published offers in the order of ``ids`` (the search's rank order); with
    ``text_fields`` (e.g. SUMMARY_FIELDS) only those of their texts are loaded. Given the
    ``vocab`` loaded for the page, the offers' vocabularies and areas are taken from it (a
    third of the cost of a results page's offers was reading those rows again per link)."""
    if not ids:
        return []
    found = {o.id: o for o in session.scalars(
        select(Offer).where(Offer.id.in_(ids), Offer.status == PUBLISHED)
        .options(*_offer_options(text_fields, links=vocab is None)))}
    if vocab is not None:
        VocabularyLinks(vocab.rows()).attach(session, found)
    return [found[i] for i in ids if i in found]


def published_offers_by_external_ids(session: Session, ids: list[str]) -> list[Offer]:
    """Published offers in the order of ``ids``; ids of removed offers are skipped."""
    return [o for o in listed_offers(session, ids) if o.status == PUBLISHED]


def listed_offers(session: Session, ids: list[str]) -> list[Offer]:
    """The published and the archived ("no longer offered") offers of a list, in the order of
    ``ids``: a shared list shows what was withdrawn rather than dropping it silently. Drafts
    and unknown ids are skipped."""
    if not ids:
        return []
    found = {o.external_id: o for o in session.scalars(
        select(Offer).where(Offer.external_id.in_(ids), Offer.status.in_((PUBLISHED, ARCHIVED)))
        .options(*_offer_options()))}
    return [found[i] for i in ids if i in found]


def published_offer(session: Session, external_id: str) -> Offer | None:
    return session.scalar(select(Offer).where(Offer.external_id == external_id,
                                              Offer.status == PUBLISHED)
                          .options(*_offer_options()))


def archived_offer(session: Session, external_id: str) -> Offer | None:
    """An offer that is no longer offered (its printed QR codes and shared links still point
    here)."""
    return session.scalar(select(Offer).where(Offer.external_id == external_id,
                                              Offer.status == ARCHIVED)
                          .options(*_offer_options()))


def organisation_with_offers(session: Session, external_id: str) -> tuple[Organisation | None,
                                                                          list[Offer]]:
    org = session.scalar(select(Organisation).where(Organisation.external_id == external_id)
                         .options(selectinload(Organisation.texts)))
    if org is None:
        return None, []
    offers = list(session.scalars(
        select(Offer).where(Offer.organisation_id == org.id, Offer.status == PUBLISHED)
        .options(*_offer_options())))
    return org, offers


def sitemap_entries(session: Session) -> dict[str, list[str]]:
    """External ids of published offers and of organisations that have any."""
    offers = list(session.scalars(select(Offer.external_id).where(Offer.status == PUBLISHED)
                                  .order_by(Offer.external_id)))
    organisations = list(session.scalars(
        select(Organisation.external_id).join(Offer).where(Offer.status == PUBLISHED)
        .distinct().order_by(Organisation.external_id)))
    return {"offers": offers, "organisations": organisations}


def quarters_of(area: Area) -> list[Area]:
    return list(area.children) if area.kind == DISTRICT else [area] if area.kind == QUARTER else []


def offer_by_external_id(session: Session, external_id: str) -> Offer | None:
    """Any offer, whatever its status (for the editors' area)."""
    return session.scalar(select(Offer).where(Offer.external_id == external_id))


def organisation_by_external_id(session: Session, external_id: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.external_id == external_id))


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def _published(modified_after: datetime | None, organisation_id: int | None):
    conditions = [Offer.status == PUBLISHED]
    if modified_after is not None:
        conditions.append(Offer.updated_at >= modified_after)
    if organisation_id is not None:
        conditions.append(Offer.organisation_id == organisation_id)
    return conditions


def published_offers(session: Session, offset: int = 0, limit: int | None = None,
                     modified_after: datetime | None = None,
                     organisation_id: int | None = None) -> list[Offer]:
    """Published offers by external id, a page of them with ``limit``; only those changed
    since ``modified_after`` (naive UTC) or of one organisation, where given."""
    query = (select(Offer).where(*_published(modified_after, organisation_id))
             .order_by(Offer.external_id).options(*_offer_options()).offset(offset))
    return list(session.scalars(query if limit is None else query.limit(limit)))


def count_published_offers(session: Session, modified_after: datetime | None = None,
                           organisation_id: int | None = None) -> int:
    return session.scalar(select(func.count()).select_from(Offer)
                          .where(*_published(modified_after, organisation_id))) or 0


def organisations_with_offers(session: Session, offset: int = 0,
                              limit: int | None = None) -> list[Organisation]:
    ids = select(Offer.organisation_id).where(Offer.status == PUBLISHED)
    query = (select(Organisation).where(Organisation.id.in_(ids))
             .order_by(Organisation.external_id).options(selectinload(Organisation.texts))
             .offset(offset))
    return list(session.scalars(query if limit is None else query.limit(limit)))


def count_organisations_with_offers(session: Session) -> int:
    ids = select(Offer.organisation_id).where(Offer.status == PUBLISHED)
    return session.scalar(select(func.count()).select_from(Organisation)
                          .where(Organisation.id.in_(ids))) or 0


def recently_changed_offers(session: Session, limit: int) -> list[Offer]:
    """The published offers added or changed last, newest first (for the feeds)."""
    return list(session.scalars(
        select(Offer).where(Offer.status == PUBLISHED)
        .order_by(Offer.updated_at.desc(), Offer.external_id).limit(limit)
        .options(selectinload(Offer.texts), selectinload(Offer.categories),
                 selectinload(Offer.organisation))))


def database_ok(session: Session) -> bool:
    session.execute(select(1))
    return True
