"""The links of reminder mails: confirm "still correct", or "no longer offered", without an
account. The link shows a page; only its button (a POST with CSRF token) changes data."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from .. import db
from ..services.accounts import AccountError
from ..services.freshness import apply_action, read_token
from .language import language_blueprint

bp = language_blueprint("freshness", __name__)


@bp.route("/freshness/<token:token>", methods=["GET", "POST"])
def act(token: str):
    session = db.session()
    try:
        offer, action = read_token(session, token)
    except AccountError as error:
        return render_template("freshness.html", error=error.code), 400
    if action == "edit":
        return redirect(url_for("manage.edit_offer", lang=g.lang,
                                external_id=offer.external_id), code=303)
    title = offer.text_in("title", g.lang)
    if request.method == "POST":
        apply_action(session, offer, action)
        session.commit()
        return render_template("freshness.html", done=action, title=title[0] if title else "")
    return render_template("freshness.html", action=action, title=title[0] if title else "",
                           error=None)
