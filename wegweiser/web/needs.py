"""The needs report: for moderators at ``/<lang>/manage/needs``, as a public summary at
``/<lang>/network``, each picture with its table and a CSV download; and the counting of
unmet searches that feeds it (called by the search page)."""
from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta

from babel.dates import format_interval
from babel.lists import format_list
from flask import Response, abort, current_app, g, render_template, request
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from .. import db
from ..cities import current_city
from ..i18n import direction, language_label, locale_name, ui_languages
from ..search import SearchQuery, SearchResult, search_service
from ..services import needs
from ..services.coverage import (
    Selection,
    gaps,
    grid_positions,
    load_coverage,
    missing_translations,
    quarters_without,
    stale_by_organisation,
)
from ..services.directory import load_vocabularies
from . import charts, manage
from .language import language_blueprint

bp = language_blueprint("network", __name__)
log = logging.getLogger(__name__)
PUBLIC_TABLES = ("coverage-areas", "coverage-categories", "unmet-languages",
                 "unmet-categories", "unmet-words")
STAFF_TABLES = (*PUBLIC_TABLES, "stale-organisations", "translations-missing")


# -- counting -------------------------------------------------------------------------------

def count_if_unmet(query: SearchQuery, result: SearchResult) -> None:
    """Count the search if it went unmet (first page only: paging is the same search). A
    failure to count never fails the search."""
    if query.page != 1:
        return
    unmet = needs.unmet_search(
        query.text, {name: query.selected(name) for name in needs.FILTER_DIMENSIONS},
        g.lang, result.total, result.all_words_matched,
        [(found.facet, found.value) for found in result.recognised])
    if unmet is None:
        return
    session = db.session()
    try:
        needs.record(session, unmet)
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("an unmet search could not be counted", exc_info=True)


# -- the report -----------------------------------------------------------------------------

def _period(args) -> int:
    try:
        weeks = int(args.get("weeks", needs.DEFAULT_PERIOD))
    except ValueError:
        return needs.DEFAULT_PERIOD
    return weeks if weeks in needs.PERIODS else needs.DEFAULT_PERIOD


def _selection(args, vocab) -> Selection:
    """The map's choice; values that are not in the vocabularies are left out."""
    chosen = {}
    for name in ("category", "target_group", "language"):
        value = args.get(name) or None
        chosen[name] = value if value in vocab.slugs(name) else None
    return Selection(**chosen, free=args.get("free") in ("1", "on", "true"))


class Labels:
    """Names of vocabulary values and languages in the page language."""

    def __init__(self, vocab, lang: str):
        self.lang = lang
        self.by = {name: vocab.by_slug(name) for name in ("category", "target_group",
                                                          "language", "area")}

    def __call__(self, dimension: str, value: str) -> str:
        item = self.by[dimension].get(value)
        if item is None:
            return value
        return item.name if dimension == "area" else item.label(self.lang)

    def page_language(self, code: str) -> str:
        """A language's name as the rest of the site writes it (the languages data: Dari,
        Kurmanji, Sorani), in the page's language."""
        return language_label(code, self.lang)

    def areas(self, names: list[str]) -> str:
        return format_list(names, locale=locale_name(self.lang))


def _selection_words(selection: Selection, label: Labels) -> str:
    parts = [label(name, getattr(selection, name)) for name in ("category", "target_group",
                                                                 "language")
             if getattr(selection, name)]
    if selection.free:
        parts.append(_("free of charge"))
    return " · ".join(parts) or _("all published offers")


def _gap_sentence(gap, label: Labels) -> str:
    areas = label.areas(gap.areas)
    value = label(gap.dimension, gap.value)
    if gap.dimension == "category" and gap.free:
        text = _("No free local offer of “%(category)s” in %(areas)s.", category=value,
                 areas=areas)
    elif gap.dimension == "category":
        text = _("No local offer of “%(category)s” in %(areas)s.", category=value, areas=areas)
    elif gap.dimension == "target_group":
        text = _("No local offer for “%(group)s” in %(areas)s.", group=value, areas=areas)
    else:
        text = _("No local offer in %(language)s in %(areas)s.", language=value, areas=areas)
    if gap.citywide:
        text += " " + ngettext("%(num)d citywide offer can be reached from there.",
                               "%(num)d citywide offers can be reached from there.",
                               gap.citywide)
    return text


def _range_label(low: int, high: int) -> str:
    if high == 0:
        return _("no offer")
    if low == high:
        return ngettext("%(num)d offer", "%(num)d offers", low)
    return _("%(low)d to %(high)d offers", low=low, high=high)


def _week_dates(week: str) -> str:
    """An ISO week ("2026-W49") as the days it covers in the page's language ("30. Nov. –
    6. Dez. 2026"); the CSV keeps the ISO form."""
    monday = needs.week_start(week)
    return format_interval(monday, monday + timedelta(days=6), "yMMMd", locale=get_locale())


def report(lang: str, args, public: bool) -> dict:
    """Everything both pages show, as plain data and finished SVG pictures."""
    session = db.session()
    vocab = load_vocabularies(session)
    label = Labels(vocab, lang)
    rtl = direction(lang) == "rtl"
    weeks = _period(args)
    selection = _selection(args, vocab)
    coverage = load_coverage(session)
    areas = coverage.by_area(selection)
    citywide = coverage.citywide(selection)
    chosen = _selection_words(selection, label)
    tiles = {row["slug"]: {"name": row["name"], "count": row["count"],
                           "label": ngettext("%(num)d local offer", "%(num)d local offers",
                                             row["count"])} for row in areas}
    map_desc = "; ".join(f"{row['name']}: {row['count']}" for row in areas) + ". " + ngettext(
        "%(num)d citywide offer besides, reachable from every district.",
        "%(num)d citywide offers besides, reachable from every district.", citywide)
    categories = [c.slug for c in vocab.categories]
    offered = coverage.values_offered("language")
    unmet = needs.summary(session, weeks, public=public, known=(
        lambda word: search_service().knows_word(word, session)) if public else None)
    by_language = [(label.page_language(code), count)
                   for code, count in unmet.by_page_language.items()]
    by_category = [(label("category", slug), count)
                   for slug, count in unmet.by_filter["category"].items()]
    context = {
        "public": public,
        "csv_endpoint": "network.network_csv" if public else "manage.needs_csv",
        "query_args": {name: args.get(name) for name in ("weeks", "category", "target_group",
                                                           "language", "free")
                       if args.get(name)},
        "weeks": weeks, "periods": needs.PERIODS, "k": needs.K_ANONYMITY,
        "selection": selection, "chosen": chosen,
        "options": {
            "category": [(c.slug, c.label(lang)) for c in vocab.categories],
            "target_group": [(t.slug, t.label(lang)) for t in vocab.target_groups],
            "language": [(x.code, x.label(lang)) for x in vocab.languages],
        },
        "areas": areas, "citywide": citywide,
        "map": charts.tile_map(
            "coverage-map", grid_positions(current_app.config["WEGWEISER_CITY"],
                                           coverage.districts),
            tiles, _("Local offers by Stadtbezirk: %(choice)s", choice=chosen), map_desc,
            _range_label, rtl),
        "quarters_without": quarters_without(coverage, selection)
        if not selection.empty else [],
        "matrix": {"columns": [(slug, label("category", slug)) for slug in categories],
                   "rows": coverage.matrix("category", categories)},
        "gaps": [_gap_sentence(gap, label) for gap in gaps(
            coverage, categories, [t.slug for t in vocab.target_groups],
            [x.code for x in vocab.languages if x.code in offered])],
        "unmet": unmet,
        "unmet_from": format_date(needs.week_start(unmet.first_week), "long"),
        "unmet_to": format_date(needs.week_start(unmet.last_week) + timedelta(days=6),
                                "long"),
        "unmet_weeks": [{**row, "dates": _week_dates(row["week"])} for row in unmet.weeks],
        "by_language": by_language,
        "by_category": by_category,
        "language_chart": charts.bar_chart(
            "unmet-by-language", by_language,
            _("Unmet searches by page language"),
            "; ".join(f"{name}: {count}" for name, count in by_language) or _("None."), rtl),
        "category_chart": charts.bar_chart(
            "unmet-by-category", by_category,
            _("Unmet searches by category asked for"),
            "; ".join(f"{name}: {count}" for name, count in by_category) or _("None."), rtl),
        "combinations": [
            (" · ".join(label(name, value) for name, values in combo.items()
                        for value in values), count)
            for combo, count in unmet.combinations[:20]],
    }
    if not public:
        context["stale"] = stale_by_organisation(session)
        context["translations"] = [
            {**row, "name": label.page_language(row["language"])}
            for row in missing_translations(session, ui_languages())]
    return context


def _csv(context: dict, table: str) -> Response:
    rows: list[list] = []
    if table == "coverage-areas":
        quarter = _("Stadtteil") if current_city().quarter_term == "Stadtteil" else _("Ortsteil")
        rows.append([_("Stadtbezirk"), quarter, _("Local offers"), _("Choice")])
        for district in context["areas"]:
            rows.append([district["name"], "", district["count"], context["chosen"]])
            rows += [[district["name"], q["name"], q["count"], context["chosen"]]
                     for q in district["quarters"]]
        rows.append([_("citywide"), "", context["citywide"], context["chosen"]])
    elif table == "coverage-categories":
        columns = context["matrix"]["columns"]
        rows.append([_("Stadtbezirk"), *(name for _slug, name in columns)])
        rows += [[row["name"], *(row["counts"][slug] for slug, _name in columns)]
                 for row in context["matrix"]["rows"]]
    elif table == "unmet-languages":
        rows = [[_("Page language"), _("Unmet searches")], *context["by_language"]]
    elif table == "unmet-categories":
        rows = [[_("Category"), _("Unmet searches")], *context["by_category"]]
    elif table == "unmet-words":
        rows = [[_("Word"), _("Unmet searches")], *context["unmet"].words]
    elif table == "stale-organisations":
        rows = [[_("Organisation"), _("Published offers"), _("Not confirmed for a long time")],
                *([r["name"], r["published"], r["stale"]] for r in context["stale"])]
    else:  # translations-missing
        rows = [[_("Language"), _("Published offers"), _("Without a title in this language")],
                *([r["name"], r["published"], r["missing"]] for r in context["translations"])]
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="wegweiser-{table}-{g.lang}.csv"'})


def _cell(value):
    """Spreadsheets run cells that start with = + - @ as formulas: such text gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@manage.bp.get("/manage/needs")
def needs_report():
    return render_template("manage/needs.html", **report(g.lang, request.args, public=False))


@manage.bp.get("/manage/needs/<table>.csv")
def needs_csv(table: str):
    if table not in STAFF_TABLES:
        abort(404)
    return _csv(report(g.lang, request.args, public=False), table)


manage.PERMISSIONS["manage.needs_report"] = manage.is_staff
manage.PERMISSIONS["manage.needs_csv"] = manage.is_staff


@bp.get("/network")
def network():
    return render_template("network.html", **report(g.lang, request.args, public=True))


@bp.get("/network/<table>.csv")
def network_csv(table: str):
    if table not in PUBLIC_TABLES:
        abort(404)
    return _csv(report(g.lang, request.args, public=True), table)
