"""The demo directory is realistic enough to try the product: checked after a real import."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wegweiser import db
from wegweiser.models import QUARTER, Area, Category, Offer, Organisation, TargetGroup


def test_demo_data_covers_the_city_and_the_vocabularies(demo_ctx):
    session = db.session()
    offers = session.scalars(select(Offer).options(
        selectinload(Offer.texts), selectinload(Offer.categories),
        selectinload(Offer.target_groups), selectinload(Offer.areas),
        selectinload(Offer.languages), selectinload(Offer.opening_hours))).all()
    assert len(offers) >= 150
    assert len(session.scalars(select(Organisation)).all()) >= 50
    assert {c.slug for o in offers for c in o.categories} == \
        set(session.scalars(select(Category.slug).where(Category.for_offers)))
    assert {t.slug for o in offers for t in o.target_groups} == \
        set(session.scalars(select(TargetGroup.slug)))
    quarters = {a.slug for o in offers for a in o.areas if a.kind == QUARTER}
    assert len(quarters) >= 40
    assert 0.07 <= sum(o.citywide for o in offers) / len(offers) <= 0.15
    spoken = Counter(lang.code for o in offers for lang in o.languages)
    assert {"ar", "fa", "prs", "uk", "ru", "ti", "kmr"} <= set(spoken)
    assert sum(bool(o.opening_hours) for o in offers) > len(offers) * 0.8
    assert {o.cost for o in offers} >= {"free", "reduced"}
    translated = [o for o in offers
                  if {"de", "en", "ar", "fa", "uk"} <= set(o.translations_of("title"))
                  and {"de", "en", "ar", "fa", "uk"} <= set(o.translations_of("summary"))]
    assert len(translated) >= len(offers) / 3


def test_demo_data_uses_invented_contacts_only(demo_ctx):
    session = db.session()
    for offer in session.scalars(select(Offer)):
        if offer.email:
            assert offer.email.endswith(".example"), offer.email
        if offer.website:
            assert ".example" in offer.website, offer.website
    assert session.scalar(select(Area).where(Area.slug == "connewitz")) is not None


def test_demo_closures_are_at_christmas_and_never_over():
    """Whenever the demo is loaded, its Christmas holidays are this winter's (current or
    coming), the next year's once they are over."""
    from datetime import date

    from wegweiser.services.setup import moved_closures

    offers = [{"id": "x", "closures": [{"from": "2026-12-21", "until": "2027-01-03",
                                        "note": {"de": "Weihnachtsferien"}}]}]
    for today, expected in [(date(2026, 12, 6), ("2026-12-21", "2027-01-03")),
                            (date(2027, 1, 3), ("2026-12-21", "2027-01-03")),
                            (date(2027, 1, 4), ("2027-12-21", "2028-01-03")),
                            (date(2031, 7, 1), ("2031-12-21", "2032-01-03")),
                            (date(2032, 1, 2), ("2031-12-21", "2032-01-03"))]:
        closure = moved_closures(offers, today)[0]["closures"][0]
        assert (closure["from"], closure["until"]) == expected, today
        assert closure["note"] == {"de": "Weihnachtsferien"}


def test_demo_offers_have_a_closure_not_over(demo_ctx):
    from datetime import date

    from wegweiser.models import OfferClosure

    closures = db.session().scalars(select(OfferClosure)).all()
    assert len(closures) >= 2
    assert all(c.last_day >= date.today() for c in closures)
    assert any(c.translations_of("note").get("ar") for c in closures)
