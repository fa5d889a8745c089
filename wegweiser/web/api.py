"""The JSON API under ``/api/v1/`` (described by ``/api/v1/openapi.json``)."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, url_for

from .. import db
from ..cities import city_today, current_city
from ..i18n import in_language, ui_languages
from ..search import FACET_FIELDS, search_service
from ..search.filters import VOCABULARY_FILTERS
from ..services.directory import (
    SUMMARY_FIELDS,
    load_vocabularies,
    offers_by_ids,
    published_offer,
    reading_vocabularies,
)
from ..services.event_listing import (
    NEXT_DATES,
    UPCOMING,
    city_now,
    public_event,
    published_events,
    upcoming_events,
)
from ..services.help_calls import help_kinds, kind_by_slug, open_help_calls
from ..services.nearby import area_centre
from ..services.occurrences import occurrences, schedule_of
from ..services.records import is_over, offer_record
from .event_presenters import event_summary
from .events import found_event_ids
from .params import ParamError, event_categories, parse_event_args, parse_near, parse_search_args
from .presenters import filter_label, help_call_card

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"
DEFAULT_PER_PAGE = 20
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"


def error_response(status: int, code: str, message: str, parameter: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if parameter:
        body["error"]["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    return response


@functools.cache
def single_value_parameters() -> dict[str, frozenset[str]]:
    """Per path of the OpenAPI document (``/offers/{id}``), its query parameters that take one
    value (all but the lists: the vocabulary filters)."""
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    return {path: frozenset(p["name"] for op in item.values() for p in op.get("parameters", [])
                            if p["in"] == "query" and p["schema"].get("type") != "array")
            for path, item in document["paths"].items()}


def refuse_repeated_parameters():
    """A parameter that takes one value, given twice (``page=1&page=2``, ``q=a&q=b``), is
    refused: which one was meant is not known, and answering one would drop the other."""
    if request.url_rule is None:
        return
    path = re.sub(r"<[^>]+>", "{id}", request.url_rule.rule.removeprefix(bp.url_prefix))
    for name in single_value_parameters().get(path, ()):
        if len(request.args.getlist(name)) > 1:
            raise ParamError(name, "must be given once")


bp.before_request(refuse_repeated_parameters)


@bp.errorhandler(ParamError)
def bad_parameter(error: ParamError):
    return error_response(400, "invalid_parameter", f"{error.parameter} {error.message}",
                          error.parameter)


def _locale() -> str:
    lang = request.args.get("lang", ui_languages()[0])
    if lang not in ui_languages():
        raise ParamError("lang", f"must be one of {', '.join(ui_languages())}")
    return lang


def _text(offer, field: str, lang: str) -> str | None:
    found = offer.text_in(field, lang)
    return found[0] if found else None


def _offer_summary(offer, lang: str) -> dict:
    title = offer.text_in("title", lang)
    return {
        "id": offer.external_id,
        "title": title[0] if title else offer.external_id,
        "summary": _text(offer, "summary", lang),
        "text_language": title[1] if title else offer.original_language,
        "organisation": {"id": offer.organisation.external_id, "name": offer.organisation.name},
        "areas": sorted(a.slug for a in offer.areas),
        "citywide": offer.citywide,
        "categories": [c.slug for c in offer.categories],
        "target_groups": [t.slug for t in offer.target_groups],
        "languages": [lang_.code for lang_ in offer.languages],
        "cost": offer.cost,
        "url": url_for("public.offer", lang=lang, external_id=offer.external_id,
                       _external=True),
    }


@bp.get("/offers")
def offers():
    lang = _locale()
    session = db.session()
    vocab = reading_vocabularies(session)
    city = current_city()
    near = parse_near(request.args, vocab, lambda area: area_centre(session, area, city))
    query = parse_search_args(request.args, vocab, lang, DEFAULT_PER_PAGE, strict=True,
                              near=near)
    result = search_service().search(query, session)
    results = []
    for found in offers_by_ids(session, result.offer_ids, SUMMARY_FIELDS, vocab):
        results.append(_offer_summary(found, lang))
        if near is not None:
            km = result.distances.get(found.id)
            results[-1]["distance_km"] = None if km is None else round(km, 2)
    body = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "results": results,
        "facets": {name: result.facets[name] for name in FACET_FIELDS},
        "with_all_words": result.with_all_words,
        "recognised_filters": _recognised_filters(result, vocab, lang),
        "limited": result.limited,
    }
    if near is not None:
        body["near"] = {"lat": near.lat, "lon": near.lon, "area": near.key or None}
    return jsonify(body)


def _recognised_filters(result, vocab, lang: str) -> list[dict]:
    """Filters that the query's words name, so a client can offer them as the pages do."""
    with in_language(lang):
        return [{"filter": found.facet, "value": found.value,
                 "label": filter_label(found.facet, found.value, vocab, lang),
                 "words": list(found.words), "count": found.count, "applied": found.applied}
                for found in result.recognised]


@bp.get("/offers/<id:external_id>")
def offer(external_id: str):
    lang = _locale()
    found = published_offer(db.session(), external_id)
    if found is None:
        return error_response(404, "not_found", f"no published offer with id {external_id!r}")
    record = offer_record(found)
    # Closures that still matter (the past ones are the editors' history, in the export).
    today = city_today()
    record["closures"] = [closure for closure in record["closures"]
                          if not is_over(closure, today)]
    record["organisation"] = {"id": found.organisation.external_id,
                              "name": found.organisation.name}
    record["url"] = url_for("public.offer", lang=lang, external_id=found.external_id,
                            _external=True)
    return jsonify(record)


@bp.get("/help-calls")
def help_calls():
    """The open calls for help ("Take part"), soonest ending first; ``area`` and ``kind``
    filter as on the page."""
    lang = _locale()
    session = db.session()
    area = None
    if request.args.get("area", "citywide") != "citywide":  # citywide: the whole city
        area = load_vocabularies(session).area(request.args["area"])
        if area is None:
            raise ParamError("area", "must be the slug of an area, or "
                                     "citywide")
    kind = request.args.get("kind")  # given empty ("kind=") is no kind of the document: a 400
    if kind is not None and kind_by_slug(kind) is None:
        raise ParamError("kind", f"must be one of {', '.join(k.slug for k in help_kinds())}")
    found = open_help_calls(session, kind=kind, area=area)
    return jsonify({"total": len(found), "results": [_help_call(c, lang) for c in found]})


def _help_call(call, lang: str) -> dict:
    card = help_call_card(call, lang)
    org = card["organisation"]
    return {
        "id": call.external_id, "kind": call.kind, "kind_label": card["kind"],
        **{name: card[name]["text"] if card[name] else None
           for name in ("title", "description", "when")},
        "text_language": card["title"]["lang"],
        "areas": sorted(a.slug for a in call.areas),
        "languages": [language.code for language in call.languages],
        "end_date": call.end_date.isoformat(),
        "organisation": {"id": call.organisation.external_id, "name": org["name"],
                         "email": org["email"], "phone": org["phone"],
                         "website": org["website"],
                         "url": url_for("public.organisation", lang=lang,
                                        external_id=call.organisation.external_id,
                                        _external=True)},
        "url": url_for("take_part.call", lang=lang, external_id=call.external_id,
                       _external=True),
    }


@bp.get("/events")
def events():
    """Upcoming published events, soonest first, with their next dates (ISO 8601, offset)."""
    lang = _locale()
    session = db.session()
    args = parse_event_args(request.args, load_vocabularies(session), DEFAULT_PER_PAGE,
                            strict=True)
    ids = found_event_ids(args.text, session)
    found = upcoming_events(published_events(session), args.filters(ids),
                            city_now(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    start = (args.page - 1) * args.per_page
    return jsonify({
        "total": len(found),
        "page": args.page,
        "per_page": args.per_page,
        "results": [event_summary(event, dates, lang)
                    for event, dates in found[start:start + args.per_page]],
    })


@bp.get("/events/<id:external_id>")
def event(external_id: str):
    """One upcoming event with all its translations and its next dates."""
    lang = _locale()
    now = city_now(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    found, state = public_event(db.session(), external_id, now)
    if state != UPCOMING:
        return error_response(404, "not_found",
                              f"no upcoming published event with id {external_id!r}")
    record = event_summary(found, occurrences(schedule_of(found), now, limit=NEXT_DATES), lang)
    record["translations"] = {field: found.translations_of(field)
                              for field in ("title", "description")}
    record["original_language"] = found.original_language
    return jsonify(record)


@bp.get("/openapi.json")
def openapi():
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    document["servers"] = [{"url": request.host_url.rstrip("/") + "/api/v1"}]
    _list_known_values(document, load_vocabularies(db.session()))
    return current_app.response_class(json.dumps(document, ensure_ascii=False),
                                      mimetype="application/json")


def _list_known_values(document: dict, vocab) -> None:
    """The values each filter and ``lang`` accept, from this directory's vocabularies (any
    other value is answered with a 400); no other text parameter may hold control characters
    (web/edge.py)."""
    known = {f.name: sorted(vocab.slugs(f.name)) for f in VOCABULARY_FILTERS}
    known["lang"] = list(ui_languages())
    known["kind"] = [k.slug for k in help_kinds()]
    # Events may also have the categories of events only (the network's own meetings).
    for_events = {**known, "category": sorted(c.slug for c in event_categories(vocab))}
    for path, item in document["paths"].items():
        accepted = for_events if path.startswith("/events") else known
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter["schema"]
                values = schema["items"] if schema.get("type") == "array" else schema
                if parameter["name"] == "near":  # a position, or an area's slug
                    values["anyOf"][1]["enum"] = [a for a in known["area"] if a != "citywide"]
                elif parameter["name"] in accepted:
                    values["enum"] = accepted[parameter["name"]]
                elif values.get("type") == "string" and not {"enum", "pattern", "format"} & \
                        values.keys():
                    values["pattern"] = NO_CONTROL_CHARACTERS
