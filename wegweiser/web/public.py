"""The public pages, all under ``/<lang>/``."""
from __future__ import annotations

from flask import abort, current_app, g, render_template, request, url_for

from .. import db
from ..cities import current_city
from ..search import SearchQuery, search_service
from ..services.accounts import AccountError
from ..services.directory import (
    SUMMARY_FIELDS,
    archived_offer,
    load_vocabularies,
    offers_by_ids,
    organisation_with_offers,
    published_offer,
    reading_vocabularies,
)
from ..services.event_listing import city_now, found_events, next_events
from ..services.help_calls import open_help_calls
from ..services.nearby import area_centre
from ..services.needs import K_ANONYMITY
from ..services.notifications import send_problem_report
from ..services.reports import file_report
from . import discovery, event_presenters, needs, presenters
from .auth import limiter
from .forms import stale_note
from .language import language_blueprint
from .params import (
    ParamError,
    parse_near,
    parse_search_args,
    query_args,
    unknown_filter_values,
)

bp = language_blueprint("public", __name__)


@bp.get("/")
def index():
    session = db.session()
    vocab = reading_vocabularies(session)
    result = search_service().search(SearchQuery(per_page=1, locale=g.lang), session)
    tiles = [{"slug": c.slug, "icon": c.icon or c.slug, "label": c.label(g.lang),
              "count": result.facets["category"].get(c.slug, 0)} for c in vocab.categories]
    return render_template("index.html", tiles=tiles, total=result.total,
                           districts=[{"slug": d.slug, "name": d.name} for d in vocab.districts])


@bp.get("/search")
def search():
    session = db.session()
    vocab = reading_vocabularies(session)
    city = current_city()
    try:
        near = parse_near(request.args, vocab, lambda area: area_centre(session, area, city))
        unknown_place = False
    except ParamError:  # the results in their usual order, and a way to choose the place
        near, unknown_place = None, True
    query = parse_search_args(request.args, vocab, g.lang,
                              current_app.config["WEGWEISER_PER_PAGE"], strict=False, near=near)
    result = search_service().search(query, session)
    needs.count_if_unmet(query, result)
    offers = offers_by_ids(session, result.offer_ids, SUMMARY_FIELDS, vocab)
    return render_template(
        "search.html",
        query=query,
        result=result,
        rows=[presenters.offer_row(o, g.lang, result.terms, result.distances.get(o.id))
              for o in offers],
        near=presenters.near_choice(query, vocab, g.lang),
        unknown_place=unknown_place,
        unknown_filters=unknown_filter_values(request.args, vocab),
        facets=presenters.facet_groups(result, query, vocab, g.lang),
        chips=presenters.active_filters(query, vocab, g.lang),
        filter_suggestions=presenters.filter_suggestions(result, query, vocab, g.lang),
        pagination=presenters.pagination(result, query, g.lang),
        suggestion=presenters.suggestion_link(result, query, g.lang),
        own_language=presenters.own_language_link(query, vocab, g.lang,
                                                  result.facets["language"]),
        events=_found_event_rows(session, query.text, vocab) if query.page == 1 else None,
    ), 400 if unknown_place else 200


@bp.get("/near", endpoint="near")
def choose_place():
    """Choosing where results are ordered from: the reader's position (with JavaScript, on
    their click) or their part of town (a plain form); the search itself is kept."""
    vocab = load_vocabularies(db.session())
    query = parse_search_args(request.args, vocab, g.lang,
                              current_app.config["WEGWEISER_PER_PAGE"], strict=False)
    kept = query_args(query, page=None, near=None)
    return render_template(
        "near.html",
        search_url=url_for("public.search", **kept),
        hidden=[(name, value) for name, values in kept.items()
                for value in (values if isinstance(values, list) else [values])],
        districts=[{"name": d.name, "quarters": [{"slug": q.slug, "name": q.name}
                                                 for q in d.children]}
                   for d in vocab.districts],
        chosen=request.args.get("near", ""),
    )


def _found_event_rows(session, text: str, vocab, wanted: int = 3) -> dict | None:
    """Up to three upcoming events that match the words of a search (made just before, so
    the index is current), and the link to all."""
    if not text.strip():
        return None
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    ids = search_service().search_events(text, session, limit=wanted + 5, caught_up=True)
    listed = found_events(session, ids, city_now(timezone), vocab)[:wanted]
    if not listed:
        return None
    return {"rows": [event_presenters.event_row(item, g.lang, timezone) for item in listed],
            "url": url_for("events.listing", lang=g.lang, q=text)}


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html", k=K_ANONYMITY)


@bp.get("/offers/<id:external_id>")
def offer(external_id: str):
    session = db.session()
    found = published_offer(session, external_id)
    if found is None:
        return offer_gone(session, external_id)
    detail = presenters.offer_detail(found, g.lang,
                                     current_app.config["WEGWEISER_STALE_AFTER_DAYS"],
                                     current_app.config["BABEL_DEFAULT_TIMEZONE"])
    detail["events"] = _next_event_rows(session, offer_id=found.id)
    return render_template("offer.html", offer=detail,
                           json_ld=discovery.offer_json_ld(found, g.lang))


def offer_gone(session, external_id: str):
    """410 for an offer that is no longer offered, with where to turn instead: the
    organisation's other offers and similar published offers (same category, same area)."""
    gone = archived_offer(session, external_id)
    if gone is None:
        abort(404)
    _organisation, others = organisation_with_offers(session, gone.organisation.external_id)
    excluded = {gone.id, *(o.id for o in others)}
    similar = _similar_offers(session, gone, excluded)
    return render_template(
        "offer_gone.html",
        title=presenters.text_block(gone, "title", g.lang),
        organisation={"name": gone.organisation.name,
                      "url": url_for("public.organisation", lang=g.lang,
                                     external_id=gone.organisation.external_id)},
        others=[presenters.offer_row(o, g.lang) for o in others],
        similar=[presenters.offer_row(o, g.lang) for o in similar],
    ), 410


def _similar_offers(session, gone, excluded: set[int], wanted: int = 3) -> list:
    """Published offers of the same categories, nearest first: in the same Ortsteile, then
    in their Stadtbezirke, then anywhere (citywide offers count as everywhere)."""
    categories = tuple(c.slug for c in gone.categories)
    quarters = tuple(a.slug for a in gone.areas)
    districts = tuple(sorted({(a.parent or a).slug for a in gone.areas}))
    found: list = []
    for areas in dict.fromkeys((quarters, districts, ())):
        query = SearchQuery(category=categories, area=areas, per_page=wanted + len(excluded),
                            locale=g.lang)
        for offer in offers_by_ids(session, search_service().search(query, session).offer_ids):
            if offer.id not in excluded and offer not in found:
                found.append(offer)
        if len(found) >= wanted:
            break
    return found[:wanted]


@bp.route("/offers/<id:external_id>/report", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def report_problem(external_id: str):
    """"Report a problem with this entry": no account needed; moderators and the
    organisation are told."""
    session = db.session()
    found = published_offer(session, external_id)
    if found is None:
        abort(404)
    title = presenters.text_block(found, "title", g.lang)
    if request.method == "POST":
        if stale_note():  # the session ended: shown again as typed, nothing sent
            return render_template("report.html", offer_id=external_id, title=title,
                                   stale=stale_note(), form=request.form), 400
        try:
            report = file_report(session, found, request.form.get("message", ""),
                                 request.form.get("contact", ""))
        except AccountError:
            return render_template("report.html", offer_id=external_id,
                                   title=title, error=True,
                                   form=request.form), 400
        session.commit()
        send_problem_report(session, report)
        return render_template("report.html", offer_id=external_id, done=True,
                               title=title)
    return render_template("report.html", offer_id=external_id, title=title,
                           form={})


@bp.get("/organisations/<id:external_id>")
def organisation(external_id: str):
    session = db.session()
    org, offers = organisation_with_offers(session, external_id)
    if org is None:
        abort(404)
    detail = presenters.organisation_detail(org, offers, g.lang)
    detail["events"] = _next_event_rows(session, organisation_id=org.id)
    detail["events_feed"] = url_for("events.organisation_feed", lang=g.lang,
                                    external_id=org.external_id)
    return render_template("organisation.html", external_id=external_id, organisation=detail,
                           help_calls=[presenters.help_call_card(c, g.lang) for c in
                                       open_help_calls(db.session(), organisation=org)],
                           json_ld=discovery.organisation_json_ld(org, g.lang))


def _next_event_rows(session, **owner) -> list[dict]:
    """The next three events of an offer or organisation (``offer_id`` or
    ``organisation_id``), each with its next date."""
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return [event_presenters.event_row(listed, g.lang, timezone)
            for listed in next_events(session, city_now(timezone), 3, **owner)]


