""""Take part" (``/<lang>/take-part``): what organisations are looking for — volunteers,
donations, interpreters … — grouped by kind and filtered by part of town and kind; its Atom
feed; and the links of the reminder mails (extend, remove) that work without signing in."""
from __future__ import annotations

from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from .. import db
from ..cities import current_city
from ..models import QUARTER
from ..services import help_call_operations as calls
from ..services.accounts import AccountError
from ..services.directory import load_vocabularies
from ..services.freshness import read_help_call_token
from ..services.help_calls import (
    help_call_by_external_id,
    help_kinds,
    is_open,
    kind_by_slug,
    open_help_calls,
)
from ..services.operations import REMINDER_LINK
from . import presenters
from .feed import FEED_SIZE, FeedEntry, atom_feed, site_feed_info
from .language import language_blueprint

bp = language_blueprint("take_part", __name__)


@bp.get("/take-part")
def page():
    session = db.session()
    vocab = load_vocabularies(session)
    area = vocab.area(request.args.get("area", ""))  # a Stadtbezirk or Ortsteil, else None
    kind = kind_by_slug(request.args.get("kind", ""))
    found = open_help_calls(session, kind=kind.slug if kind else None, area=area)
    groups = [{"slug": k.slug, "label": k.label(g.lang),
               "calls": [presenters.help_call_card(c, g.lang) for c in found if c.kind == k.slug]}
              for k in help_kinds()]
    return render_template(
        "take_part.html", groups=[group for group in groups if group["calls"]],
        total=len(found), area=area.slug if area else "", kind=kind.slug if kind else "",
        kinds=[(k.slug, k.label(g.lang)) for k in help_kinds()],
        districts=[{"slug": d.slug, "name": d.name,
                    "quarters": [(q.slug, q.name) for q in d.children if q.kind == QUARTER]}
                   for d in vocab.districts])


@bp.get("/take-part/<external_id>")
def call(external_id: str):
    """One open call for help on a page of its own, to share or to come back to; a call that
    has ended or was taken back says so instead of a page without it."""
    found = help_call_by_external_id(db.session(), external_id)
    if found is None:
        return render_template("take_part_call.html", call=None), 404
    if not is_open(found):
        return render_template("take_part_call.html", call=None), 410
    return render_template("take_part_call.html",
                           call=presenters.help_call_card(found, g.lang))


@bp.get("/take-part.atom")
def feed():
    """The open calls for help in the page language, newest first."""
    info = site_feed_info(
        g.lang, _("%(site)s: who is looking for help", site=current_city().site_name),
        "take_part.feed", "take_part.page", name="help-calls")
    newest = sorted(open_help_calls(db.session()), key=lambda c: c.updated_at,
                    reverse=True)[:FEED_SIZE]
    return Response(atom_feed(info, [_feed_entry(c, g.lang) for c in newest]),
                    mimetype="application/atom+xml")


def _feed_entry(call, lang: str) -> FeedEntry:
    card = presenters.help_call_card(call, lang)
    until = _("Until %(date)s", date=format_date(call.end_date, "long"))
    description = card["description"]["text"] if card["description"] else ""
    return FeedEntry(
        key=f"help-call:{call.external_id}", title=card["title"]["text"],
        summary=f"{until}. {description}".strip(),
        url=url_for("take_part.call", lang=lang, external_id=call.external_id, _external=True),
        organisation=call.organisation.name, categories=[(call.kind, card["kind"])],
        published=min(call.created_at, call.updated_at), updated=call.updated_at)


@bp.route("/take-part/link/<token:token>", methods=["GET", "POST"])
def act(token: str):
    """A reminder mail's link: a page with one button; only the button changes data."""
    session = db.session()
    try:
        call, action = read_help_call_token(session, token)
    except AccountError as error:
        return render_template("take_part_link.html", error=error.code), 400
    if action == "edit":
        return redirect(url_for("manage.edit_help_call", lang=g.lang,
                                call_id=call.external_id), code=303)
    title = (call.text_in("title", g.lang) or (call.external_id,))[0]
    if request.method == "POST":
        if action == "extend":
            calls.extend(session, REMINDER_LINK, call)
        else:
            calls.remove(session, REMINDER_LINK, call)
        session.commit()
        return render_template("take_part_link.html", done=action, title=title,
                               end_date=call.end_date)
    return render_template("take_part_link.html", action=action, title=title,
                           end_date=call.end_date)
