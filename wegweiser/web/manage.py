"""The area of editors, moderators and administrators, under ``/<lang>/manage/``.

Every view here passes one central permission check first: a view without an entry in
PERMISSIONS is refused to everyone (a test walks the routes to keep it so).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from babel.dates import get_day_names
from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from .. import db
from ..models import (
    ADMIN,
    PENDING,
    TEXT_FIELDS,
    Organisation,
    Proposal,
    Revision,
)
from ..services import editing
from ..services.accounts import (
    AccountError,
    all_users,
    create_user,
    invitation_token,
    may_edit_organisation,
    organisations_of,
)
from ..services.directory import (
    all_organisations,
    load_vocabularies,
    offer_by_external_id,
    organisation_by_external_id,
)
from ..services.freshness import stale_offers
from ..services.records import offer_record
from ..services.reports import open_reports, resolve
from .auth import send_invitation
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
        organisations.append({"id": org.external_id, "name": org.name, "offers": offers})
    pending = len(editing.pending_proposals(db.session())) \
        if current_user.user.is_staff else None
    return render_template("manage/dashboard.html", organisations=organisations,
                           pending_reviews=pending)


# -- editing offers -------------------------------------------------------------------------

def _offer_or_404(external_id: str):
    offer = offer_by_external_id(db.session(), external_id)
    if offer is None:
        abort(404)
    return offer


def may_edit_offer(user, args) -> bool:
    offer = offer_by_external_id(db.session(), args.get("external_id", ""))
    return offer is None or may_edit_organisation(user.user, offer.organisation_id)


def is_staff(user, _args) -> bool:
    return user.user.is_staff


PERMISSIONS.update({
    "manage.edit_offer": may_edit_offer,
    "manage.confirm_offer": may_edit_offer,
    "manage.offer_history": may_edit_offer,
    "manage.review_queue": is_staff,
    "manage.review": is_staff,
})


def _form_data(vocab, record: dict) -> dict:
    """What the edit form shows: the record, choices, labels; typed values survive errors."""
    lang = record["original_language"]
    hours = list(record.get("opening_hours", [])) + [{}] * editing.HOUR_ROWS_EXTRA
    return {
        "texts": {name: record.get(name, {}).get(lang, "") for name in TEXT_FIELDS},
        "record": record,
        "hours": hours,
        "weekdays": list(enumerate(get_day_names("wide", locale=get_locale()).values(), 1)),
        "choices": {
            "categories": [(c.slug, c.label(g.lang)) for c in vocab.categories],
            "target_groups": [(t.slug, t.label(g.lang)) for t in vocab.target_groups],
            "languages": [(x.code, f"{x.label(g.lang)} · {x.autonym}") for x in vocab.languages],
        },
        "districts": [{"name": d.name, "quarters": [(q.slug, q.name) for q in d.children]}
                      for d in vocab.districts],
    }


@bp.route("/manage/offers/<external_id>/edit", methods=["GET", "POST"])
def edit_offer(external_id: str):
    session = db.session()
    offer = _offer_or_404(external_id)
    vocab = load_vocabularies(session)
    proposal = editing.pending_proposal(session, offer)
    record = proposal.record if proposal is not None else offer_record(offer)
    problems, status = [], 200
    if request.method == "POST":
        record = editing.record_from_form(request.form, offer_record(offer))
        checked, problems = editing.validate(session, offer.organisation, record)
        if checked is not None:
            return _save(session, offer, record, checked)
        status = 400
    return render_template(
        "manage/edit_offer.html", offer_id=external_id, version=offer.version,
        original_language=offer.original_language, form=_form_data(vocab, record),
        problems=_problems_by_field(problems), proposal=proposal,
        action=url_for("manage.edit_offer", external_id=external_id)), status


def _save(session, offer, typed: dict, checked: dict):
    """Save (or file for review); a newer version saved meanwhile shows both versions."""
    external_id, lang = offer.external_id, offer.original_language
    try:
        outcome = editing.save(session, current_user.user, offer, checked,
                               int(request.form.get("version", "0") or 0))
    except editing.EditConflict:
        session.rollback()
        theirs = offer_record(_offer_or_404(external_id))
        return render_template("manage/conflict.html", offer_id=external_id, mine=typed,
                               theirs=theirs, lang=lang), 409
    session.commit()
    return redirect(url_for("manage.dashboard", saved=outcome), code=303)


def _problems_by_field(problems) -> dict:
    return {p.field.split("[")[0].split(".")[0]: p.reason for p in problems}


def _organisation_or_404(external_id: str) -> Organisation:
    org = organisation_by_external_id(db.session(), external_id)
    if org is None:
        abort(404)
    return org


def may_edit_this_organisation(user, args) -> bool:
    org = organisation_by_external_id(db.session(), args.get("organisation_id", ""))
    return org is None or may_edit_organisation(user.user, org.id)


@bp.route("/manage/organisations/<organisation_id>/offers/new", methods=["GET", "POST"])
def new_offer(organisation_id: str):
    session = db.session()
    org = _organisation_or_404(organisation_id)
    vocab = load_vocabularies(session)
    record, problems, status = editing.blank_record(org), [], 200
    if request.method == "POST":
        record = editing.record_from_form(request.form, record)
        checked, problems = editing.validate(session, org, record)
        if checked is not None:
            offer = editing.create(session, current_user.user, org, checked)
            session.commit()
            return redirect(url_for("manage.dashboard",
                                    saved="published" if offer.status == "published"
                                    else "pending"), code=303)
        status = 400
    return render_template(
        "manage/edit_offer.html", offer_id=None, version=0, original_language="de",
        form=_form_data(vocab, record), problems=_problems_by_field(problems), proposal=None,
        action=url_for("manage.new_offer", organisation_id=organisation_id)), status


@bp.post("/manage/offers/<external_id>/archive")
def archive_offer(external_id: str):
    offer = _offer_or_404(external_id)
    editing.archive(db.session(), current_user.user, offer)
    db.session().commit()
    return redirect(url_for("manage.dashboard"), code=303)


PERMISSIONS["manage.new_offer"] = may_edit_this_organisation
PERMISSIONS["manage.archive_offer"] = may_edit_offer


@bp.post("/manage/offers/<external_id>/confirm")
def confirm_offer(external_id: str):
    offer = _offer_or_404(external_id)
    editing.confirm_still_correct(db.session(), current_user.user, offer)
    db.session().commit()
    return redirect(url_for("manage.dashboard", confirmed=external_id), code=303)


@bp.get("/manage/offers/<external_id>/history")
def offer_history(external_id: str):
    offer = _offer_or_404(external_id)
    return render_template("manage/history.html", offer_id=external_id,
                           revisions=editing.history(db.session(), offer))


@bp.get("/manage/review/")
def review_queue():
    proposals = editing.pending_proposals(db.session())
    return render_template("manage/review_queue.html", proposals=proposals)


@bp.route("/manage/review/<int:proposal_id>", methods=["GET", "POST"])
def review(proposal_id: int):
    session = db.session()
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.status != PENDING:
        abort(404)
    if request.method == "POST":
        if request.form.get("decision") == "approve":
            editing.approve(session, current_user.user, proposal)
        else:
            editing.return_proposal(session, current_user.user, proposal,
                                    request.form.get("comment", ""))
        session.commit()
        return redirect(url_for("manage.review_queue"), code=303)
    return render_template("manage/review.html", proposal=proposal,
                           changes=editing.proposal_changes(proposal))


@bp.route("/manage/offers/<external_id>/translate/<target>", methods=["GET", "POST"])
def translate_offer(external_id: str, target: str):
    """The original beside one other language, field by field; missing and outdated marked."""
    session = db.session()
    offer = _offer_or_404(external_id)
    if target not in UI_TEXT_LANGUAGES or target == offer.original_language:
        abort(404)
    proposal = editing.pending_proposal(session, offer)
    base = proposal.record if proposal is not None else offer_record(offer)
    problems, status = [], 200
    if request.method == "POST":
        record = editing.record_with_texts(base, request.form, target)
        checked, problems = editing.validate(session, offer.organisation, record)
        if checked is not None:
            return _save(session, offer, record, checked)
        base, status = record, 400
    fields = [{"name": name,
               "original": base.get(name, {}).get(offer.original_language, ""),
               "value": base.get(name, {}).get(target, ""),
               "state": state}
              for name, state in editing.translation_state(offer, target).items()]
    return render_template("manage/translate.html", offer_id=external_id, target=target,
                           original_language=offer.original_language, fields=fields,
                           version=offer.version, problems={p.field.split(".")[0]: p.reason
                                                            for p in problems},
                           target_dir="rtl" if target in ("ar", "fa") else "ltr"), status


PERMISSIONS["manage.translate_offer"] = may_edit_offer


def is_admin(user, _args) -> bool:
    return user.user.role == ADMIN


@bp.route("/manage/users", methods=["GET", "POST"])
def users():
    """Administrators invite moderators and editors; the invitation goes out by mail."""
    session = db.session()
    message, error, status = None, None, 200
    if request.method == "POST":
        try:
            user = create_user(session, request.form.get("email", ""),
                               request.form.get("role", ""),
                               request.form.get("organisation") or None)
        except AccountError as problem:
            session.rollback()
            error, status = problem.code, 400
        else:
            session.commit()
            send_invitation(user, invitation_token(user))
            message = user.email
    return render_template(
        "manage/users.html", message=message, error=error, form=request.form,
        users=all_users(session), organisations=all_organisations(session),
    ), status


PERMISSIONS["manage.users"] = is_admin


@bp.get("/manage/stale")
def stale():
    """Offers not confirmed for longer than the configured period, oldest first."""
    offers = [{"id": o.external_id, "organisation": o.organisation.name,
               "title": (o.text_in("title", g.lang) or (o.external_id,))[0],
               "verified_at": o.verified_at} for o in stale_offers(db.session())]
    return render_template("manage/stale.html", offers=offers)


PERMISSIONS["manage.stale"] = is_staff


@bp.route("/manage/reports", methods=["GET", "POST"])
def reports():
    """Problem reports from the public, for moderators."""
    session = db.session()
    if request.method == "POST":
        resolve(session, int(request.form.get("report", "0") or 0))
        session.commit()
        return redirect(url_for("manage.reports"), code=303)
    return render_template("manage/reports.html", reports=open_reports(session))


PERMISSIONS["manage.reports"] = is_staff


@bp.get("/manage/booklet")
def booklet():
    """Moderators choose an area and a language and get the printable booklet."""
    from ..i18n import ui_languages
    from .booklet import BookletError, render_booklet

    vocab = load_vocabularies(db.session())
    area = request.args.get("area")
    if area:
        try:
            return render_booklet(area, request.args.get("booklet_lang") or g.lang,
                                  request.args.get("target_group") or None,
                                  request.args.get("category") or None)
        except BookletError:
            abort(400)
    return render_template(
        "manage/booklet.html", districts=vocab.districts, languages=ui_languages(),
        categories=[(c.slug, c.label(g.lang)) for c in vocab.categories],
        target_groups=[(t.slug, t.label(g.lang)) for t in vocab.target_groups])


PERMISSIONS["manage.booklet"] = is_staff


@bp.post("/manage/offers/<external_id>/translate/<target>/reviewed")
def mark_translation_reviewed(external_id: str, target: str):
    offer = _offer_or_404(external_id)
    editing.mark_reviewed(db.session(), current_user.user, offer, target)
    db.session().commit()
    return redirect(url_for("manage.translate_offer", external_id=external_id, target=target),
                    code=303)


@bp.post("/manage/offers/<external_id>/restore/<int:revision_id>")
def restore_revision(external_id: str, revision_id: int):
    """Bring back an earlier state as a new change (moderated like any edit)."""
    session = db.session()
    offer = _offer_or_404(external_id)
    revision = session.get(Revision, revision_id)
    if revision is None or revision.entity_type != "offer" or revision.entity_id != offer.id:
        abort(404)
    record = editing.restored_record(offer, revision)
    checked, problems = editing.validate(session, offer.organisation, record)
    if checked is None:
        abort(400)
    outcome = editing.save(session, current_user.user, offer, checked, offer.version)
    session.commit()
    return redirect(url_for("manage.dashboard", saved=outcome), code=303)


PERMISSIONS["manage.mark_translation_reviewed"] = is_staff
PERMISSIONS["manage.restore_revision"] = may_edit_offer


@bp.route("/manage/organisations/<organisation_id>/profile", methods=["GET", "POST"])
def organisation_profile(organisation_id: str):
    session = db.session()
    org = _organisation_or_404(organisation_id)
    record, problems, status = editing.organisation_form_record(org), [], 200
    if request.method == "POST":
        record = editing.organisation_form_record(org, request.form)
        checked, problems = editing.save_organisation(session, current_user.user, org, record)
        if checked is not None:
            session.commit()
            return redirect(url_for("manage.dashboard", saved="published"), code=303)
        session.rollback()
        status = 400
    return render_template("manage/profile.html", organisation_id=organisation_id,
                           record=record, description=record["description"].get(
                               org.original_language, ""),
                           problems=_problems_by_field(problems)), status


PERMISSIONS["manage.organisation_profile"] = may_edit_this_organisation
