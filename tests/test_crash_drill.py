"""The short version of the crash drill (drills/crash.py): kill -9 of `wegweiser import`, of
`wegweiser reindex` and of a gunicorn worker in the middle of editor saves, once each, on
SQLite and PostgreSQL: nothing half-written is visible and the index converges to the
database (offer ids and versions)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from wegweiser import db
from wegweiser.models import ARCHIVED, Offer

from .helpers import load_drill

crash = load_drill("crash")

# One of each kind per backend keeps CI short (six kills in all); drills/crash.py does 25 each.
KILLS = 1


def _site(directory, tmp_path):
    return crash.Site(directory.config["SQLALCHEMY_DATABASE_URI"],
                      Path(directory.config["WEGWEISER_INDEX_DIR"]), tmp_path)


def test_kill_9_of_an_import_a_reindex_and_a_worker(directory, tmp_path):
    site = _site(directory, tmp_path)
    try:
        # The kill moments are drawn from a whole run's time, measured first: short runs here
        # (150 offers, the demo directory), so most kills land while the work is under way.
        # The drill's last whole reindex (that it clears what killed runs left) is left out.
        results = crash.run_kinds(site, list(crash.KINDS), times=KILLS, offers=150, seed=15,
                                  max_seconds=300, converge_seconds=60,
                                  last_whole_reindex=False)
        for result in results:
            print(result.summary())
    finally:
        site.close()
    for result in results:
        assert not result.problems, result.summary()
        assert len(result.kills) == KILLS, result.summary()
        assert all(k.converged_after is not None for k in result.kills), result.summary()
    imports = {k.outcome.split(" (")[0] for k in results[0].kills}
    assert imports <= {"nothing imported", "all imported"}, results[0].summary()


def test_the_drill_finds_an_index_behind_the_database(directory, tmp_path, monkeypatch):
    """An index that did not get two changes (its catching up switched off) is reported: one
    offer of an older version, one no longer published."""
    site = _site(directory, tmp_path)
    try:
        assert crash.index_differences(site) == []
        with site.app.app_context():
            monkeypatch.setattr(site.app.extensions["wegweiser.search"], "catch_up",
                                lambda session: None)
            session = db.session()
            first, second = session.scalars(select(Offer).order_by(Offer.id).limit(2))
            first.verified_at = None
            second.status = ARCHIVED
            session.commit()
            stale, gone = str(first.id), str(second.id)
        problems = crash.index_differences(site)
    finally:
        site.close()
    assert len(problems) == 2, problems
    assert f"documents of an older version: {stale} " in problems[1]
    assert f"offers not published: ['{gone}']" in problems[0]
