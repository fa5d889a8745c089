"""The area of editors, moderators and administrators, under ``/<lang>/manage/``.

Every view here passes one central permission check first: a view without an entry in
PERMISSIONS is refused to everyone (a test walks the routes to keep it so).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db
from ..models import TEXT_FIELDS
from ..services.accounts import organisations_of
from .language import language_blueprint

bp = language_blueprint("manage", __name__)
UI_TEXT_LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")


def signed_in(_user, _args) -> bool:
    return True


PERMISSIONS: dict[str, Callable] = {
    "manage.dashboard": signed_in,
}


@bp.before_request
def check_permission():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", lang=g.lang, next=request.full_path), code=303)
    rule = PERMISSIONS.get(request.endpoint)
    if rule is None or not rule(current_user, request.view_args or {}):
        abort(403)
    return None


@bp.get("/manage/")
def dashboard():
    stale_after = timedelta(days=current_app.config["WEGWEISER_STALE_AFTER_DAYS"])
    organisations = []
    for org in organisations_of(db.session(), current_user.user):
        offers = []
        for offer in sorted(org.offers, key=lambda o: o.external_id):
            title = offer.text_in("title", g.lang)
            have = {t.locale for t in offer.texts if t.field in TEXT_FIELDS[:2]}
            offers.append({
                "id": offer.external_id,
                "title": title[0] if title else offer.external_id,
                "status": offer.status,
                "missing": [lang for lang in UI_TEXT_LANGUAGES if lang not in have],
                "verified_at": offer.verified_at,
                "stale": offer.verified_at is None or
                date.today() - offer.verified_at > stale_after,
                "url": url_for("public.offer", external_id=offer.external_id),
            })
        organisations.append({"name": org.name, "offers": offers})
    return render_template("manage/dashboard.html", organisations=organisations)
