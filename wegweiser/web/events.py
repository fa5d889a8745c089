"""The public events: the events page, an event's page, and iCalendar files (all under
``/<lang>/``)."""
from __future__ import annotations

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from .. import db
from ..cities import current_city
from ..search import search_service
from ..services.calendar import calendar_file
from ..services.directory import load_vocabularies, organisation_by_external_id
from ..services.event_listing import (
    CANCELLED,
    NEXT_DATES,
    UPCOMING,
    EventFilters,
    city_now,
    public_event,
    published_events,
    upcoming,
    upcoming_events,
)
from ..services.occurrences import occurrences, schedule_of
from . import event_presenters
from .language import language_blueprint
from .params import EventArgs, event_categories, parse_event_args
from .presenters import text_block

bp = language_blueprint("events", __name__)
PER_PAGE = 40  # occurrences on one page of the events page
MAX_FOUND = 200  # events a text search on the events page considers


def _timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def found_event_ids(text: str, session, limit: int = MAX_FOUND) -> list[int] | None:
    """The upcoming events whose words match ``text`` (None when there is no text)."""
    return search_service().search_events(text, session, limit) if text else None


@bp.get("/events")
def listing():
    session = db.session()
    vocab = load_vocabularies(session)
    args = parse_event_args(request.args, vocab, PER_PAGE, strict=False)
    filters = args.filters(found_event_ids(args.text, session))
    listed = upcoming(published_events(session), filters, city_now(_timezone()))
    pages = max(1, -(-len(listed) // args.per_page))
    page = min(args.page, pages)
    shown = listed[(page - 1) * args.per_page:page * args.per_page]
    return render_template(
        "events.html",
        args=args,
        total=len(listed),
        days=event_presenters.day_groups(shown, g.lang, _timezone()),
        form=_form_options(vocab, args),
        previous_url=_page_url(args, page - 1) if page > 1 else None,
        next_url=_page_url(args, page + 1) if page < pages else None,
        feed_url=url_for("events.feed", lang=g.lang),
    )


def _page_url(args: EventArgs, page: int) -> str:
    return url_for("events.listing", lang=g.lang,
                   **args.link_args(page=page if page > 1 else None))


def _form_options(vocab, args: EventArgs) -> dict:
    """The choices of the filter form, each with whether it is chosen."""
    def options(items, facet, label):
        chosen = set(getattr(args, facet))
        return [{"value": key, "label": label(item), "selected": key in chosen}
                for key, item in items]
    return {
        "area": [{"label": d.name, "options": options(
            [(a.slug, a) for a in (d, *d.children)], "area",
            lambda a: a.name if a.kind == "district" else f"– {a.name}")}
            for d in vocab.districts],
        "category": options([(c.slug, c) for c in event_categories(vocab)], "category",
                            lambda c: c.label(g.lang)),
        "target_group": options([(t.slug, t) for t in vocab.target_groups], "target_group",
                                lambda t: t.label(g.lang)),
        "language": options([(lang.code, lang) for lang in vocab.languages], "language",
                            lambda lang: lang.label(g.lang)),
    }


@bp.get("/events/<id:external_id>")
def event(external_id: str):
    session = db.session()
    now = city_now(_timezone())
    found, state = public_event(session, external_id, now)
    if found is None:
        abort(404)
    if state != UPCOMING:
        return render_template(
            "event_gone.html",
            cancelled=state == CANCELLED,
            title=text_block(found, "title", g.lang),
            organisation={"name": found.organisation.name,
                          "url": url_for("public.organisation", lang=g.lang,
                                         external_id=found.organisation.external_id)},
        ), 410
    dates = occurrences(schedule_of(found), now, limit=NEXT_DATES)
    return render_template("event.html", event=event_presenters.event_detail(
        found, dates, g.lang, _timezone()))


def _calendar_response(events, name: str, filename: str):
    host = request.host.split(":")[0]
    data = calendar_file([event_presenters.calendar_entry(e, g.lang, host) for e in events],
                         name, g.lang)
    response = current_app.response_class(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/events/<id:external_id>/calendar.ics")
def calendar(external_id: str):
    """"Add to calendar": one event (with its recurrence) as an iCalendar file."""
    found, state = public_event(db.session(), external_id, city_now(_timezone()))
    if state != UPCOMING:
        abort(404)
    return _calendar_response([found], event_presenters.plain_title(found, g.lang),
                              f"{external_id}.ics")


@bp.get("/events.ics")
def feed():
    """Every upcoming published event: a calendar to subscribe to."""
    events = [e for e, _dates in upcoming_events(published_events(db.session()),
                                                  EventFilters(), city_now(_timezone()))]
    return _calendar_response(events, _("%(site)s: events", site=current_city().site_name),
                              f"events-{g.lang}.ics")


@bp.get("/organisations/<id:external_id>/events.ics")
def organisation_feed(external_id: str):
    session = db.session()
    org = organisation_by_external_id(session, external_id)
    if org is None:
        abort(404)
    events = [e for e, _dates in upcoming_events(published_events(session, org.id),
                                                  EventFilters(), city_now(_timezone()))]
    return _calendar_response(events, _("Events of %(organisation)s", organisation=org.name),
                              f"events-{external_id}.ics")
