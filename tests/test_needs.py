"""The needs report: unmet searches counted in aggregate only (k-anonymous words, weeks, no
personal data, two years' retention), coverage and its gaps, SVG pictures, CSV downloads."""
from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from babel.dates import format_interval
from sqlalchemy import inspect, select

from wegweiser import cli, db
from wegweiser.models import UnmetSearchCount
from wegweiser.services import needs

from .helpers import signed_in

pytestmark = pytest.mark.demo_directory  # every test here works on a fresh copy of the demo
SVG = "{http://www.w3.org/2000/svg}"

# A scripted series of searches on the demo data: three use the same unknown word (one of them
# with a known one), two a rarer word, three the same filters nothing matches; one is met, one
# is a second page.
FILTERS = "/de/search?category=asylum-legal-advice&language=es&area=gruenau-mitte"
SEARCHES = [
    "/de/search?q=Quallenzucht+Leipzig",
    "/ar/search?q=quallenzucht",
    "/uk/search?q=QUALLENZUCHT",
    "/de/search?q=Xylofonbau",
    "/en/search?q=xylofonbau",
    FILTERS, FILTERS, FILTERS,
    "/de/search?q=Deutschkurs",
    "/de/search?q=Quallenzucht&page=2",
]


def run_searches(client) -> None:
    for path in SEARCHES:
        assert client.get(path).status_code == 200


def counts(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session().execute(select(
            UnmetSearchCount.week, UnmetSearchCount.page_language, UnmetSearchCount.outcome,
            UnmetSearchCount.dimension, UnmetSearchCount.value, UnmetSearchCount.count))]


def words_table(page: str) -> dict[str, int]:
    body = page.split('class="data-table words"', 1)
    if len(body) < 2:
        return {}
    table = body[1].split("</table>", 1)[0]
    return {word: int(n) for word, n in re.findall(
        r'<th scope="row"><bdi>([^<]+)</bdi></th><td class="number">(\d+)</td>', table)}


def test_moderators_see_the_counts_of_a_scripted_series_and_rare_words_stay_hidden(app,
                                                                                    client):
    run_searches(client)
    rows = counts(app)
    week = needs.iso_week(date.today())
    searches = {(lang, outcome): n for _w, lang, outcome, dim, _v, n in rows
                if dim == needs.SEARCHES}
    # "Leipzig" is in offers: that search found only offers with some of its words.
    assert searches == {("de", "partial"): 1, ("de", "none"): 4, ("ar", "none"): 1,
                        ("uk", "none"): 1, ("en", "none"): 1}, \
        "the met search and the second page are not counted"
    assert {row[0] for row in rows} == {week}
    kept = {(r[3], r[4]): r[5] for r in rows if r[3] not in ("search", "word")}
    assert kept == {("area", "gruenau-mitte"): 3, ("category", "asylum-legal-advice"): 3,
                    ("language", "es"): 3,
                    ("filters", "area=gruenau-mitte;category=asylum-legal-advice;language=es"): 3}

    moderator = signed_in(app, "mod@example.org", "moderator")
    page = moderator.get("/de/manage/needs").get_data(as_text=True)
    assert words_table(page) == {"quallenzucht": 3}, "xylofonbau (2 searches) stays hidden"
    assert "xylofonbau" not in page and "Xylofonbau" not in page
    assert re.search(r"\b2 (weitere Wörter|more words)", page), "leipzig and xylofonbau"
    assert re.search(r"\b8 (Suchen|searches) ", page)
    assert "3 erfolglose Suchen nach: Grünau-Mitte · Asyl- &amp; Rechtsberatung · Spanisch" in page

    public = client.get("/de/network").get_data(as_text=True)
    # A word no offer, vocabulary or word list of the directory has reaches the moderators
    # only: three searches may be one person's (test below).
    assert words_table(public) == {}
    assert "xylofonbau" not in public and "quallenzucht" not in public


def test_only_moderators_and_administrators_open_the_report(app, client):
    assert client.get("/de/manage/needs").status_code == 303
    editor = signed_in(app, "ed@example.org", "editor", "a-sprachwerk-ost")
    assert editor.get("/de/manage/needs").status_code == 403
    assert editor.get("/de/manage/needs/unmet-words.csv").status_code == 403
    admin = signed_in(app, "admin@example.org", "admin")
    assert admin.get("/de/manage/needs").status_code == 200
    assert client.get("/de/network").status_code == 200


def test_the_counters_keep_no_address_cookie_query_or_time(app, client):
    columns = {c["name"] for c in inspect(db_engine(app)).get_columns("unmet_search_counts")}
    assert columns == {"id", "week", "page_language", "outcome", "dimension", "value", "count"}
    client.set_cookie("tracking", "cookie-value-4711")
    typed = "Hilfe für Frau Kowalczyk 0176 5550123 am 3.12."
    response = client.get("/de/search", query_string={"q": typed},
                          environ_base={"REMOTE_ADDR": "203.0.113.77"},
                          headers={"X-Forwarded-For": "198.51.100.23"})
    assert response.status_code == 200
    rows = counts(app)
    stored = " ".join(str(value) for row in rows for value in row)
    assert rows, "the search found nothing and was counted"
    for secret in ("203.0.113.77", "198.51.100.23", "cookie-value-4711", typed, "0176",
                   "5550123", "3.12"):
        assert secret not in stored
    assert {r[4] for r in rows if r[3] == "word"} == {"hilfe", "frau", "kowalczyk"}
    assert all(re.fullmatch(r"\d{4}-W\d{2}", r[0]) for r in rows)


def db_engine(app):
    with app.app_context():
        return db.engine()


def test_counts_are_upserted_and_dropped_after_two_years(app):
    today = date.today()
    old_day, recent_day = today - timedelta(days=needs.RETENTION_DAYS + 14), \
        today - timedelta(days=needs.RETENTION_DAYS - 30)
    old, recent, now = (needs.iso_week(d) for d in (old_day, recent_day, today))
    search = needs.UnmetSearch("de", needs.NO_RESULTS, ("wohnung",), {"area": ("west",)})

    def weeks() -> dict[str, int]:
        return dict(db.session().execute(
            select(UnmetSearchCount.week, UnmetSearchCount.count)
            .where(UnmetSearchCount.dimension == "word")).all())

    with app.app_context():
        session = db.session()
        needs.record(session, search, today=old_day)
        for _ in range(3):
            needs.record(session, search, today=recent_day)
        session.commit()
        assert weeks() == {old: 1, recent: 3}, "three searches of one week: one row"
        needs.record(session, search, today=today)
        session.commit()
        assert weeks() == {recent: 3, now: 1}, "writing drops what is older than two years"
        session.add(UnmetSearchCount(week=old, page_language="de", outcome="none",
                                     dimension="word", value="alt", count=5))
        session.commit()
    result = app.test_cli_runner().invoke(cli.main, ["needs", "prune"])
    assert result.exit_code == 0 and "1" in result.output
    with app.app_context():
        assert weeks() == {recent: 3, now: 1}


def test_the_pictures_are_well_formed_accessible_svg(app, client):
    run_searches(client)
    moderator = signed_in(app, "mod@example.org", "moderator")
    for page in (moderator.get("/de/manage/needs").get_data(as_text=True),
                 client.get("/ar/network?category=asylum-legal-advice").get_data(as_text=True)):
        pictures = re.findall(r"<svg xmlns=.*?</svg>", page, flags=re.S)
        assert len(pictures) == 3, "the map and two bar charts"
        for text in pictures:
            svg = ET.fromstring(text)
            assert svg.get("role") == "img"
            title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
            assert title.text and desc.text
            assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        tiles = ET.fromstring(pictures[0]).findall(f".//{SVG}g[@class]")
        tiles = [t for t in tiles if t.get("class").startswith("tile")]
        assert len(tiles) == 10, "one tile per Stadtbezirk"
        for tile in tiles:  # the number is written on every tile: colour is not the only sign
            name, number = (t.text for t in tile.findall(f"{SVG}text"))
            assert number.isdigit() and tile.find(f"{SVG}title").text.startswith(name)


def test_csv_downloads_hold_the_tables_behind_the_pictures(app, client):
    run_searches(client)
    response = client.get("/de/network/unmet-words.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Wort", "Erfolglose Suchen"]]  # quallenzucht: moderators only
    languages = dict(list(csv.reader(io.StringIO(
        client.get("/en/network/unmet-languages.csv").get_data(as_text=True).lstrip(
            "\ufeff"))))[1:])
    assert languages == {"German": "5"}, "the public page leaves out counts below 3"
    areas = list(csv.reader(io.StringIO(client.get(
        "/de/network/coverage-areas.csv?language=es").get_data(as_text=True).lstrip("\ufeff"))))
    grunau = [row for row in areas if row[1] == "Grünau-Mitte"]
    assert grunau and grunau[0][2] == "0"
    assert client.get("/de/network/stale-organisations.csv").status_code == 404
    assert client.get("/de/manage/needs/stale-organisations.csv").status_code == 303
    moderator = signed_in(app, "mod@example.org", "moderator")
    staff_view = dict(list(csv.reader(io.StringIO(moderator.get(
        "/en/manage/needs/unmet-languages.csv").get_data(as_text=True).lstrip("\ufeff"))))[1:])
    assert staff_view == {"German": "5", "Arabic": "1", "Ukrainian": "1", "English": "1"}
    stale = moderator.get("/de/manage/needs/stale-organisations.csv")
    assert stale.status_code == 200 and "Organisation" in stale.get_data(as_text=True)


def test_coverage_gaps_are_said_in_words(client):
    page = client.get("/de/network?language=es").get_data(as_text=True)
    assert "Kein Angebot vor Ort auf Spanisch in" in page or \
        "No local offer in Spanisch in" in page
    assert "Grünau-Mitte" in page.split("gap-note", 1)[1].split("</p>", 1)[0]


def test_bad_parameters_change_nothing_and_never_fail(app, client):
    for path in ("/de/network?weeks=abc&category=%3Cscript%3E&free=yes&language=xx",
                 "/de/network?weeks=99999999999999999999", "/fa/network?target_group=",
                 "/de/network/unmet-words.csv?lang=en&table=x"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in response.get_data(as_text=True)
    assert client.get("/de/network/nonsense.csv").status_code == 404
    assert counts(app) == []


def test_unmet_search_keeps_only_what_it_needs():
    assert needs.unmet_search("Deutschkurs", {}, "de", 5, True) is None, "met"
    assert needs.unmet_search("", {}, "de", 0, True) is None, "asked for nothing"
    assert needs.unmet_search("und der", {}, "de", 0, True) is None, "only small words"
    search = needs.unmet_search("Rechtsberatung Dari", {"area": ("west",)}, "fa", 2, False,
                                [("language", "prs"), ("free", "free")])
    assert search.outcome == needs.PARTIAL and search.page_language == "fa"
    assert search.filters == {"area": ("west",), "language": ("prs",)}
    assert set(search.counters()) == {("search", ""), ("word", "rechtsberatung"),
                                      ("word", "dari"), ("area", "west"), ("language", "prs"),
                                      ("filters", "area=west;language=prs")}
    assert needs.parse_combination("area=west;language=prs") == {"area": ("west",),
                                                                 "language": ("prs",)}


def test_the_privacy_page_says_what_is_kept(client):
    page = client.get("/en/privacy").get_data(as_text=True)
    assert "IP address" in page and "calendar week" in page and "two years" in page
    assert 'href="/en/privacy"' in client.get("/en/").get_data(as_text=True)


def test_the_one_pass_tally_agrees_with_counting_each_choice(app):
    from wegweiser.services.coverage import EVERYONE, Selection, load_coverage

    with app.app_context():
        coverage = load_coverage(db.session())
    for dimension in ("category", "target_group", "language"):
        values = sorted(coverage.values_offered(dimension))
        local, citywide = coverage.tally(dimension, values)
        for value in values:
            rows = coverage.by_area(Selection(**{dimension: value}))
            assert {r["slug"]: r["count"] for r in rows} == local[value], (dimension, value)
            assert coverage.citywide(Selection(**{dimension: value})) == citywide[value]
    families = coverage.matching(Selection(target_group="families"))
    assert any(EVERYONE in o.target_group and "families" not in o.target_group
               for o in families), "offers for everyone count for families too"


def test_a_count_that_cannot_be_written_never_fails_the_search(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(needs, "record", locked)
    response = client.get("/de/search?q=Quallenzucht")
    assert response.status_code == 200 and "Quallenzucht" in response.get_data(as_text=True)


def test_moderators_see_the_weeks(app, client):
    run_searches(client)
    moderator = signed_in(app, "mod@example.org", "moderator")
    page = moderator.get("/de/manage/needs").get_data(as_text=True)
    week = needs.iso_week(date.today())
    monday = needs.week_start(week)
    sunday = monday + timedelta(days=6)
    # The week as the days it covers, in the page's language, not "2026-W49".
    dates = format_interval(monday, sunday, "yMMMd", locale="de")
    assert re.search(rf'<th scope="row"><time datetime="{week}">{re.escape(dates)}</time></th>'
                     r'<td class="number">7</td><td class="number">1</td>', page)
    shown = re.sub(r"<[^>]+>", " ", page.split('id="unmet-heading"')[1])
    assert f"{sunday.day}. " in dates and not re.search(r"\d{4}-W\d", shown)


def test_the_public_report_shows_only_the_directorys_own_words(app, client):
    """One person searching three times reached the threshold alone (nothing records who
    searched), so the public page showed a name and the parts of an e-mail address. Addresses
    are not counted at all; a word the directory does not know (no offer, vocabulary or
    word-list entry has it) reaches the moderators only."""
    for _ in range(3):
        client.get("/de/search?q=Zahnschmerzen+Ahmadzai+Mustermann+max@example.org+"
                   "www.example.net/profil")
    public = words_table(client.get("/de/network").get_data(as_text=True))
    assert public == {"zahnschmerzen": 3}  # a need: in the word list, no offer has it
    moderator = signed_in(app, "mod@example.org", "moderator")
    staff = words_table(moderator.get("/de/manage/needs").get_data(as_text=True))
    assert staff == {"zahnschmerzen": 3, "ahmadzai": 3, "mustermann": 3}
    with app.app_context():
        values = set(db.session().scalars(select(UnmetSearchCount.value)))
    assert not values & {"max", "example", "org", "net", "profil", "www"}
