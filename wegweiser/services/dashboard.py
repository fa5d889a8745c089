"""The editors' dashboard: the offers a user may edit, searched and filtered.

Plain data in (the user, the words, the chosen filters, the languages a translation is
expected in, when an offer counts as stale), the matching offers out, in the order of their
organisation's name and then their id. The view pages through them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import STATUSES, TEXT_FIELDS, Offer, Organisation, User
from .accounts import organisations_of
from .lookups import fold_key


@dataclass(frozen=True)
class DashboardFilter:
    text: str = ""
    organisation: str = ""  # an organisation's external id; empty: all of the user's
    status: str = ""  # one of STATUSES; empty: any
    stale: bool = False  # only offers not confirmed within the stale period
    missing: bool = False  # only offers with a missing translation of title or summary

    @property
    def active(self) -> bool:
        return bool(self.text or self.organisation or self.status or self.stale or
                    self.missing)

    @classmethod
    def from_args(cls, args) -> DashboardFilter:
        """From a query string; unknown values are dropped (a stale link may carry them)."""
        status = args.get("status", "")
        return cls(text=args.get("q", "").strip()[:200],
                   organisation=args.get("organisation", "").strip()[:200],
                   status=status if status in STATUSES else "",
                   stale=args.get("stale") == "1", missing=args.get("missing") == "1")


@dataclass
class EditorOffer:
    organisation: Organisation
    offer: Offer
    missing: list[str]  # languages without a title or summary
    stale: bool


def editor_offers(session: Session, user: User, chosen: DashboardFilter,
                  languages: tuple[str, ...], stale_after: timedelta,
                  today: date) -> tuple[list[Organisation], list[EditorOffer]]:
    """The user's organisations (only the chosen one, if any) and their offers that pass
    every filter: each of the words in a title (any language) or the offer's id."""
    organisations = [o for o in organisations_of(session, user)
                     if not chosen.organisation or o.external_id == chosen.organisation]
    words = fold_key(chosen.text).split()
    # Every offer and its texts in two queries, not two per offer (the loaded organisations'
    # ``offers`` and each offer's ``texts`` are filled from these).
    session.scalars(select(Organisation).where(Organisation.id.in_([o.id for o in organisations]))
                    .options(selectinload(Organisation.offers).selectinload(Offer.texts))).all()
    found = []
    for organisation in organisations:
        for offer in sorted(organisation.offers, key=lambda o: o.external_id):
            have = {t.locale for t in offer.texts if t.field in TEXT_FIELDS[:2]}
            item = EditorOffer(organisation, offer, [lang for lang in languages
                                                     if lang not in have],
                               offer.verified_at is None or
                               today - offer.verified_at > stale_after)
            if _passes(item, chosen, words):
                found.append(item)
    return organisations, found


def _passes(item: EditorOffer, chosen: DashboardFilter, words: list[str]) -> bool:
    if chosen.status and item.offer.status != chosen.status:
        return False
    if (chosen.stale and not item.stale) or (chosen.missing and not item.missing):
        return False
    if not words:
        return True
    searched = " ".join([item.offer.external_id, *(fold_key(t.text) for t in item.offer.texts
                                                   if t.field == "title")])
    return all(word in searched for word in words)
