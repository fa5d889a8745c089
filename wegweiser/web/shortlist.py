"""The shortlist: collect offers for one client, print a bilingual referral sheet, share it."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import db, opening
from ..i18n import autonym, direction, in_language, ui_languages
from ..models import PUBLISHED
from ..pdf import pdf_available
from ..services.directory import (
    listed_offers,
    published_offer,
    published_offers_by_external_ids,
)
from ..services.shortlist import MAX_NOTE, Shortlist
from . import presenters
from .downloads import pdf_response
from .forms import stale_note
from .language import language_blueprint

bp = language_blueprint("shortlist", __name__)
COOKIE_KEY = "shortlist"
SHEET_PARTNER = "de"  # the sheet shows German beside the client's language


def current_list() -> Shortlist:
    return Shortlist.from_cookie(session.get(COOKIE_KEY))


def _save(shortlist: Shortlist) -> None:
    session[COOKIE_KEY] = shortlist.to_cookie()
    session.permanent = True


def _back(default: str):
    """Return to the page the form was on (only a path on this site)."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        target = default
    return redirect(target, code=303)


@bp.post("/list/add")
def add():
    offer_id = request.form.get("offer", "")
    if published_offer(db.session(), offer_id) is None:
        abort(404)
    return _change(lambda shortlist: shortlist.add(offer_id))


@bp.post("/list/remove")
def remove():
    """Remove an offer; the list page then offers to undo it (no confirmation to click)."""
    shortlist = current_list()
    offer_id = request.form.get("offer", "")
    position = shortlist.remove(offer_id)
    _save(shortlist)
    if position is None or request.form.get("next"):
        # From a result or offer page ("On my list – remove"): back there, where the same
        # button adds it again.
        return _back(url_for("shortlist.show"))
    return redirect(url_for("shortlist.show", removed=offer_id, at=position), code=303)


@bp.post("/list/restore")
def restore():
    """Undo a removal: the offer goes back where it was."""
    offer_id = request.form.get("offer", "")
    if published_offer(db.session(), offer_id) is None:
        abort(404)
    position = request.form.get("at", "")
    at = int(position) if position.isdigit() else None
    return _change(lambda shortlist: shortlist.add(offer_id, at))


@bp.post("/list/move")
def move():
    step = -1 if request.form.get("to") == "up" else 1
    return _change(lambda shortlist: shortlist.move(request.form.get("offer", ""), step))


@bp.post("/list/note")
def note():
    text = request.form.get("note", "")
    if stale_note():  # the session ended: shown again as typed, not saved
        return _list_page(typed_note=text, stale=stale_note()), 400
    if len(text.strip()) > MAX_NOTE:
        # Refused whole, and shown again as typed: never cut at the limit without a word.
        return _list_page(typed_note=text), 400
    return _change(lambda shortlist: shortlist.set_note(text))


@bp.post("/list/clear")
def clear():
    return _change(Shortlist.clear)


def _change(change):
    """Load the list from the cookie, change it, store it, and go back to the page."""
    shortlist = current_list()
    change(shortlist)
    _save(shortlist)
    return _back(url_for("shortlist.show"))


@bp.post("/list/adopt")
def adopt():
    """Take a shared list as one's own list."""
    _save(Shortlist.from_share_token(request.form.get("ids", "")))
    return redirect(url_for("shortlist.show"), code=303)


def _offers(shortlist: Shortlist):
    return published_offers_by_external_ids(db.session(), shortlist.ids)


def _withdrawn(shortlist: Shortlist, lang: str) -> list[dict]:
    """The offers of the list that are no longer offered, by title: the list and the sheet
    leave them out, and the social worker who promised them must see which."""
    return [presenters.text_block(o, "title", lang)
            for o in listed_offers(db.session(), shortlist.ids) if o.status != PUBLISHED]


def _client_language() -> str:
    """The client's language: chosen with ``?client=`` and then remembered in the list, so
    that the sheet, the shared link and the texts all keep it."""
    shortlist = current_list()
    chosen = request.args.get("client", "")
    if chosen in ui_languages() and chosen != shortlist.client_language:
        shortlist.client_language = chosen
        _save(shortlist)
    if shortlist.client_language in ui_languages():
        return shortlist.client_language
    return g.lang


def _share_url(shortlist: Shortlist, lang: str) -> str:
    return url_for("shortlist.shared", lang=lang, ids=shortlist.share_token(), _external=True)


def _removed(shortlist: Shortlist, lang: str) -> dict | None:
    """The offer just removed (``?removed=…&at=…``), for the undo button."""
    offer_id = request.args.get("removed", "")
    position = request.args.get("at", "")
    if not offer_id or offer_id in shortlist.ids or not position.isdigit():
        return None
    offer = published_offer(db.session(), offer_id)
    if offer is None:
        return None
    return {"id": offer_id, "at": position,
            "title": presenters.text_block(offer, "title", lang)}


@bp.get("/list")
def show():
    return _list_page()


def _list_page(typed_note: str | None = None, stale: str | None = None):
    """The list page; with ``typed_note``, a note not kept (too long, or sent with a ``stale``
    token), shown as typed."""
    shortlist = current_list()
    offers = _offers(shortlist)
    removed = _removed(shortlist, g.lang)
    client = _client_language()
    share_url = _share_url(shortlist, client) if offers else None
    text = presenters.list_as_text(offers, client) if offers else ""
    return render_template(
        "shortlist.html",
        rows=[presenters.offer_row(o, g.lang) for o in offers],
        note=shortlist.note if typed_note is None else typed_note,
        note_too_long=typed_note is not None and not stale,
        stale=stale,
        note_limit=MAX_NOTE,
        client=client,
        client_name=autonym(client),
        # The language's own name in its own language and direction, inside this sentence.
        client_name_html=Markup('<bdi lang="{}" dir="{}">{}</bdi>').format(
            client, direction(client), autonym(client)),
        client_languages=[(code, autonym(code)) for code in ui_languages()],
        share_url=share_url,
        share_qr=presenters.qr_svg(share_url) if share_url else None,
        mailto=f"mailto:?body={quote(text)}" if text else None,
        sms=f"sms:?&body={quote(text)}" if text else None,
        missing=len(shortlist.ids) - len(offers),
        withdrawn=_withdrawn(shortlist, g.lang),
        removed=removed,
    )


@bp.get("/list/shared")
def shared():
    shortlist = Shortlist.from_share_token(request.args.get("ids", ""))
    offers = listed_offers(db.session(), shortlist.ids)
    return render_template("shortlist_shared.html", ids=shortlist.share_token(),
                           rows=[presenters.offer_row(o, g.lang) for o in offers])


@bp.get("/list/text")
def as_text():
    offers = _offers(current_list())
    return Response(presenters.list_as_text(offers, _client_language()),
                    mimetype="text/plain")


@bp.get("/list/sheet")
def sheet():
    return _sheet_page()


@bp.get("/list/sheet.pdf")
def sheet_pdf():
    """The same sheet as a PDF file made on the server (where the PDF extra is installed)."""
    return pdf_response(_sheet_page(), f"wegweiser-{_client_language()}.pdf")


def _sheet_page() -> str:
    shortlist = current_list()
    client = _client_language()
    columns = [client] if client == SHEET_PARTNER else [client, SHEET_PARTNER]
    entries = []
    for offer in _offers(shortlist):
        url = url_for("public.offer", lang=client, external_id=offer.external_id,
                      _external=True)
        entries.append({"qr": presenters.qr_svg(url), "url": url, "columns": [
            presenters.sheet_column(offer, lang) for lang in columns]})
    today = opening.local_now(current_app.config["BABEL_DEFAULT_TIMEZONE"]).date()
    printed, footer = [], []
    for lang in columns:
        with in_language(lang):
            site = url_for("public.index", lang=lang, _external=True)
            printed.append({"lang": lang, "dir": direction(lang),
                            "text": _("Printed on %(date)s", date=format_date(today, "long"))})
            # The address isolated left to right: in an Arabic sentence its last "/" would
            # be drawn before "http".
            line = escape(_("Please check the current details at %(url)s", url=site))
            footer.append({"lang": lang, "dir": direction(lang), "text": line.replace(
                escape(site), Markup('<bdi dir="ltr">{}</bdi>').format(site))})
    return render_template("sheet.html", entries=entries, note=shortlist.note,
                           withdrawn=_withdrawn(shortlist, g.lang),
                           printed=printed, footer=footer, client=client,
                           pdf_url=url_for("shortlist.sheet_pdf", client=client)
                           if pdf_available() else None)


@bp.get("/offers/<id:external_id>/show")
def show_card(external_id: str):
    """A large card with address and phone, to show a driver or at a counter."""
    offer = published_offer(db.session(), external_id)
    if offer is None:
        abort(404)
    columns = [g.lang] if g.lang == SHEET_PARTNER else [g.lang, SHEET_PARTNER]
    return render_template("show_card.html", offer_id=external_id, columns=[
        presenters.sheet_column(offer, lang) for lang in columns])
