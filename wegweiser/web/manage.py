"""The area of editors, moderators and administrators, under ``/<lang>/manage/``.

Every view here passes one central permission check first: a view without an entry in
PERMISSIONS is refused to everyone (a test walks the routes to keep it so).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from babel.dates import format_skeleton, get_datetime_format
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from .. import db
from ..cities import city_today, current_city
from ..formatting import weekday_names
from ..i18n import direction, in_language, ui_languages
from ..models import (
    ADMIN,
    ARCHIVED,
    AUDIT_KINDS,
    CLOSED,
    DRAFT,
    EDITOR,
    EVENT_TEXT_FIELDS,
    HELP_TEXT_FIELDS,
    IN_REVIEW,
    MODERATOR,
    PENDING,
    PUBLISHED,
    STATUSES,
    TEXT_FIELDS,
    Event,
    Offer,
    Organisation,
    Proposal,
)
from ..models.audit import PERMISSION_REFUSED
from ..opening import WEEKS_OF_MONTH
from ..pdf import pdf_available
from ..services import actors, audit, editing, operations, proposals
from ..services.accounts import (
    AccountError,
    all_users,
    create_user,
    may_edit_organisation,
    organisations_of,
    remove_user,
    reset_second_factor,
)
from ..services.dashboard import DashboardFilter, editor_offers
from ..services.directory import (
    all_organisations,
    load_vocabularies,
    offer_by_external_id,
    organisation_by_external_id,
    organisation_with_offers,
)
from ..services.events import event_by_external_id, next_start, repetition_kind
from ..services.freshness import stale_offers
from ..services.help_calls import calls_of_organisation, waiting_help_calls
from ..services.importer import CLOSURE_NOTE_LIMIT
from ..services.joining import waiting_requests
from ..services.notifications import send_invitation, send_returned
from ..services.records import changed_fields, entity_type, event_record, offer_record
from ..services.reports import open_reports, resolve
from ..services.second_factor import recovery_codes_left
from . import presenters, security
from .auth import enrolment, recovery_codes_page
from .downloads import pdf_response
from .forms import (
    REPETITION_CHOICES,
    EventForm,
    OfferForm,
    ProfileForm,
    TranslationForm,
    closure_notes_over,
    closures_to_translate,
    stale_note,
)
from .language import language_blueprint

bp = language_blueprint("manage", __name__)


def signed_in(_user, _args) -> bool:
    return True


PERMISSIONS: dict[str, Callable] = {
    "manage.dashboard": signed_in,
}


# What a moderator or administrator without a second factor may open: its set-up.
SET_UP_FIRST = {"manage.account", "manage.second_factor_setup"}


# The long forms: what was typed survives a session that ended (signed out after a while without
# use) or a form opened before signing in again (its CSRF token is of the earlier session). The
# app's CSRF check leaves them to check_permission (web/__init__.py), which checks the token
# itself and, for a form sent from this site, shows what was typed again instead of a 400.
# Their text is checked by the views (edge.TEXT_CHECKED_BY_VIEW); the moderators' decisions
# (a comment, a reason) and the invitation keep what was typed the same way.
LONG_FORMS = {"manage.edit_offer", "manage.new_offer", "manage.translate_offer",
              "manage.translate_event", "manage.organisation_profile", "manage.new_event",
              "manage.edit_event", "manage.new_help_call", "manage.edit_help_call"}
KEEPS_TYPED = LONG_FORMS | {"manage.review", "manage.review_help_call",
                            "manage.decide_request", "manage.users"}


def _signed_out_page():
    """A long form sent after the session ended: nothing is saved, what was typed waits on this
    page to be sent again once its author signed in (in another tab)."""
    resubmit = [(k, v) for k, v in request.form.items(multi=True)
                if k not in ("csrf_token", "action")]
    return render_template("manage/signed_out.html", resubmit=resubmit), 401


@bp.before_request
def check_permission():
    keeps_typed = request.method == "POST" and request.endpoint in KEEPS_TYPED
    if not current_user.is_authenticated:
        if keeps_typed and security.from_this_site():
            return _signed_out_page()
        return redirect(url_for("auth.login", lang=g.lang, next=request.full_path), code=303)
    if current_user.user.is_staff and not current_user.user.has_second_factor and \
            request.endpoint not in SET_UP_FIRST:
        return redirect(url_for("manage.second_factor_setup"), code=303)
    rule = PERMISSIONS.get(request.endpoint)
    if rule is None or not rule(current_user, request.view_args or {}):
        audit.record(db.session(), PERMISSION_REFUSED, current_user.id, None,
                     request.endpoint or "")
        db.session().commit()
        abort(403)
    if keeps_typed and security.token_is_stale():
        g.stale_form = True  # the forms show it and refuse to save (forms.ProblemsForm)
    return None


DASHBOARD_PAGE = 25  # offers per page of the dashboard


@bp.get("/manage/")
def dashboard():
    """The user's offers, searched, filtered and a page at a time, under their organisations."""
    chosen = DashboardFilter.from_args(request.args)
    session = db.session()
    organisations, found = editor_offers(
        session, current_user.user, chosen, ui_languages(),
        timedelta(days=current_app.config["WEGWEISER_STALE_AFTER_DAYS"]), date.today())
    pages = max(1, -(-len(found) // DASHBOARD_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = found[(page - 1) * DASHBOARD_PAGE:page * DASHBOARD_PAGE]
    changes = proposals.open_changes(session, [item.offer for item in shown])
    # An organisation's box: where its offers on this page are; on the first page of the
    # unfiltered list also those without any offer (their "New offer" must stay at hand).
    boxes = []
    for org in organisations:
        rows = [_dashboard_row(item, changes) for item in shown if item.organisation is org]
        if rows or chosen.organisation or (page == 1 and not chosen.active and
                                           not org.offers):
            proposal = proposals.latest_change(session, org)
            boxes.append({"id": org.external_id, "name": org.name, "offers": rows,
                          "events": _dashboard_events(org),
                          "profile_change": proposal.status if proposal else None,
                          "help_calls": presenters.help_call_rows(
                              calls_of_organisation(session, org), g.lang)})
    pending = len(proposals.waiting_for_review(session)) + len(waiting_requests(session)) \
        + len(waiting_help_calls(session)) if current_user.user.is_staff else None

    def page_url(number: int) -> str:
        return url_for("manage.dashboard", **{**request.args.to_dict(), "page": number})

    return render_template(
        "manage/dashboard.html", organisations=boxes, pending_reviews=pending,
        chosen=chosen, total=len(found), page=page, pages=pages,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None,
        choices=[{"id": o.external_id, "name": o.name}
                 for o in organisations_of(session, current_user.user)],
        statuses=STATUSES)


def _dashboard_row(item, changes: dict) -> dict:
    offer = item.offer
    title = offer.text_in("title", g.lang)
    return {"id": offer.external_id, "title": title[0] if title else offer.external_id,
            "status": offer.status, "change": changes.get(offer.id), "missing": item.missing,
            "verified_at": offer.verified_at, "stale": item.stale,
            "url": url_for("public.offer", external_id=offer.external_id)}


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


def _offer_page(form: OfferForm, original_language: str, **context):
    """The offer form (editing or new): 400 when it shows problems."""
    return render_template(
        "manage/edit_offer.html", form=form, original_language=original_language,
        # A new offer's texts may be written in any language (an edited one keeps its own).
        new_text_language=ui_languages() if context.get("offer_id") is None else None,
        preview_languages=ui_languages(),
        preview_lang=_preview_language(original_language), **context), \
        400 if form.has_problems else 200


def _preview_language(default: str) -> str:
    lang = request.form.get("preview_lang") or default
    return lang if lang in ui_languages() else default


def _preview_block(lang: str, template: str, **context) -> dict:
    """The public page's main part as its reader in ``lang`` would see it, for a preview."""
    with in_language(lang):
        html = render_template(template, preview=True, page_lang=lang, **context)
    return {"lang": lang, "dir": direction(lang), "html": Markup(html)}


def _offer_preview(session, organisation, offer, checked: dict, lang: str) -> dict:
    config = current_app.config
    with editing.offer_preview(session, organisation, offer, checked) as draft, \
            in_language(lang):
        detail = presenters.offer_detail(draft, lang, config["WEGWEISER_STALE_AFTER_DAYS"],
                                         config["BABEL_DEFAULT_TIMEZONE"])
        return _preview_block(lang, "_offer_article.html", offer=detail)


def actor() -> operations.Actor:
    """The signed-in user, as the services name who changes something."""
    return operations.Actor.of(current_user.user)


def _working_record(proposal, saved: dict | None) -> dict | None:
    """What a form starts from: a change waiting or returned, to be worked on; else the saved
    state (a closed change was made over a state that no longer exists)."""
    return proposal.record if proposal is not None and proposal.status != CLOSED else saved


SAVED_NOTICES = {PUBLISHED: _l("Saved and published."),
                 PENDING: _l("Saved. A moderator will review your changes.")}


def _to_dashboard(outcome: str | None = None):
    """Back to the dashboard after a change, with a notice of what became of it."""
    if outcome in SAVED_NOTICES:
        flash(str(SAVED_NOTICES[outcome]))
    return redirect(url_for("manage.dashboard"), code=303)


def _current_state(target) -> dict:
    """The state a form is opened on: the saved version and the change waiting for review
    (the form keeps it through previews and errors, so a change saved by someone else
    meanwhile is still noticed)."""
    return {"version": target.version, "pending": proposals.pending_stamp(db.session(), target)}


@bp.route("/manage/offers/<id:external_id>/edit", methods=["GET", "POST"])
def edit_offer(external_id: str):
    session = db.session()
    offer = _offer_or_404(external_id)
    proposal = proposals.latest_change(session, offer)
    vocab, lang, preview = load_vocabularies(session), offer.original_language, None
    if request.method == "POST":
        form = OfferForm.build(vocab)
        # The form holds the original language: the others come from the change it was
        # opened on (a translation waiting for review), not from the published version.
        base = _working_record(proposal, offer_record(offer))
        record = form.record(base)
        editing.place_by_street(session, record, base, current_city())
        checked, preview = _check_offer_form(session, offer.organisation, offer, form, record,
                                             lang)
        if checked is not None and preview is None:
            return _save(session, offer, form.state(), record, checked)
    else:
        form = OfferForm.build(vocab, _working_record(proposal, offer_record(offer)),
                               _current_state(offer))
    return _offer_page(form, lang, offer_id=external_id, proposal=proposal, preview=preview,
                       action=url_for("manage.edit_offer", external_id=external_id))


def _conflict(heading: str, target, mine: dict, edit_url: str):
    """Someone saved (or sent for review) in between: both versions side by side; what was
    typed can be sent again over the new state, or the new state opened."""
    session = db.session()
    resubmit = [(k, v) for k, v in request.form.items(multi=True)
                if k not in ("csrf_token", "version", "pending", "action")]
    theirs = editing.current_record(session, target)
    rows = [{"label": field_label(field), "theirs": readable(field, change["before"]),
             "mine": readable(field, change["after"])}
            for field, change in changed_fields(theirs, mine).items()
            if field not in ("status", "verified_at")]
    return render_template(
        "manage/conflict.html", heading=heading, rows=rows, edit_url=edit_url,
        resubmit=resubmit, state=_current_state(target)), 409


def _check_offer_form(session, organisation, offer, form, record: dict,
                      preview_language: str):
    """A posted offer form (``record``) checked by the importer's rules, its problems shown at
    the fields: the checked record (None: problems), and the preview if one was asked for."""
    checked, problems = editing.validate(session, organisation, record)
    form.show_problems(problems)
    if form.has_problems:  # the importer's, or the form's own (opening hours)
        return None, None
    if request.form.get("action") != "preview":
        return checked, None
    return checked, _offer_preview(session, organisation, offer, checked,
                                   _preview_language(preview_language))


def _saved_or_conflict(session, state: dict, save: Callable[[int, str | None], str],
                       show_conflict: Callable):
    """Save over the state the form was opened on; a newer state saved meanwhile shows both
    versions instead."""
    try:
        outcome = save(state["version"], state["pending"])
    except operations.EditConflict:
        session.rollback()
        return show_conflict()
    session.commit()
    return _to_dashboard(outcome)


CONFLICT_HEADINGS = {"offer": _l("Someone else changed this offer"),
                     "event": _l("Someone else changed this event")}


def _save(session, entry, state: dict, typed: dict, checked: dict):
    """Save (or file for review) an offer or event."""
    kind, external_id = entity_type(entry), entry.external_id

    def show_conflict():
        again = _offer_or_404 if kind == "offer" else _event_or_404
        return _conflict(str(CONFLICT_HEADINGS[kind]), again(external_id), typed,
                         url_for(f"manage.edit_{kind}", external_id=external_id))

    return _saved_or_conflict(
        session, state, lambda version, pending: operations.submit(
            session, actor(), entry, checked, version, pending), show_conflict)


def _organisation_or_404(external_id: str) -> Organisation:
    org = organisation_by_external_id(db.session(), external_id)
    if org is None:
        abort(404)
    return org


def may_edit_this_organisation(user, args) -> bool:
    org = organisation_by_external_id(db.session(), args.get("organisation_id", ""))
    return org is None or may_edit_organisation(user.user, org.id)


@bp.route("/manage/organisations/<id:organisation_id>/offers/new", methods=["GET", "POST"])
def new_offer(organisation_id: str):
    session = db.session()
    org = _organisation_or_404(organisation_id)
    vocab, preview = load_vocabularies(session), None
    blank = editing.blank_record(org, _new_text_language(org))
    if request.method == "POST":
        form = OfferForm.build(vocab)
        record = form.record(blank)
        editing.place_by_street(session, record, blank, current_city())
        checked, preview = _check_offer_form(session, org, None, form, record,
                                             blank["original_language"])
        if checked is not None and preview is None:
            offer = operations.create(session, actor(), org, checked)
            session.commit()
            return _to_dashboard(PUBLISHED if offer.status == PUBLISHED else PENDING)
    else:
        form = OfferForm.build(vocab, blank, {"version": 0, "pending": ""})
    return _offer_page(form, blank["original_language"], offer_id=None, proposal=None,
                       preview=preview,
                       action=url_for("manage.new_offer", organisation_id=organisation_id))


def _new_text_language(org) -> str:
    """The language a new offer or event is written in: as chosen in its form, else the one
    most of the organisation's offers are written in (an initiative that writes Arabic), else
    German."""
    chosen = request.values.get("original_language", "")
    if chosen in ui_languages():
        return chosen
    written = Counter(o.original_language for o in org.offers
                      if o.original_language in ui_languages())
    return min(written, key=lambda code: (-written[code], code)) if written else "de"


def _archived(entry) -> str:
    """Take an offer or event off the public site; its title, for the notice."""
    operations.archive(db.session(), actor(), entry)
    db.session().commit()
    return (entry.text_in("title", g.lang) or (entry.external_id,))[0]


def _reactivated(entry):
    outcome = operations.reactivate(db.session(), actor(), entry)
    db.session().commit()
    return _to_dashboard(outcome)


@bp.post("/manage/offers/<id:external_id>/archive")
def archive_offer(external_id: str):
    flash(_("“%(title)s” is no longer shown in the directory.",
            title=_archived(_offer_or_404(external_id))))
    return _to_dashboard()


@bp.post("/manage/offers/<id:external_id>/reactivate")
def reactivate_offer(external_id: str):
    return _reactivated(_offer_or_404(external_id))


PERMISSIONS["manage.new_offer"] = may_edit_this_organisation
PERMISSIONS["manage.archive_offer"] = may_edit_offer
PERMISSIONS["manage.reactivate_offer"] = may_edit_offer


@bp.post("/manage/offers/<id:external_id>/confirm")
def confirm_offer(external_id: str):
    offer = _offer_or_404(external_id)
    operations.confirm(db.session(), actor(), offer)
    db.session().commit()
    flash(_("Thank you: the offer is confirmed as still correct."))
    return _to_dashboard()


@bp.get("/manage/offers/<id:external_id>/history")
def offer_history(external_id: str):
    return _history_page(_offer_or_404(external_id), "manage.restore_revision",
                         external_id=external_id)


def _history_page(target, restore_endpoint: str, **ids):
    """Every change with its fields' before and after, each with an "undo" button."""
    revisions = [{"id": r.id, "created_at": r.created_at, "actor": actor_label(r.actor),
                  "restorable": any(change.get("before") for change in r.changes.values()),
                  "changes": [_readable_change(field, change)
                              for field, change in r.changes.items()]}
                 for r in editing.history(db.session(), target)]
    return render_template(
        "manage/history.html", revisions=revisions,
        restore_url=lambda revision_id: url_for(restore_endpoint, revision_id=revision_id,
                                                **ids))


@bp.get("/manage/review/")
def review_queue():
    from .joining import queue_rows

    return render_template("manage/review_queue.html", proposals=[
        {"id": p.id, "created_at": p.created_at, **_what_changes(p)}
        for p in proposals.waiting_for_review(db.session())],
        requests=queue_rows(db.session()), help_calls=waiting_help_calls(db.session()))


ENTRY_KINDS = {"offer": _l("Offer"), "event": _l("Event"),
               "organisation": _l("Profile of the organisation")}


def _what_changes(proposal) -> dict:
    """What a change waiting for review is about: its kind, title (in the language of the
    page where there is one, else the original) and organisation."""
    entry = proposal.offer or proposal.event or proposal.organisation
    kind = entity_type(entry)
    titles = proposal.record.get("title") or {}
    if kind == "organisation":
        title = proposal.record.get("name") or entry.name
    else:
        title = titles.get(g.lang) or titles.get(proposal.record.get("original_language")) \
            or entry.external_id
    organisation = entry if kind == "organisation" else entry.organisation
    return {"kind": kind, "kind_label": str(ENTRY_KINDS[kind]), "title": title,
            "organisation": organisation.name, "entry_id": entry.external_id}


ALREADY_DECIDED = _l("This change was already decided by a moderator.")
NOT_WAITING = {
    operations.CLOSED_ARCHIVED: _l("This change no longer waits for review: the offer was "
                                   "withdrawn (“no longer offered”) after the change was sent. "
                                   "Nothing was published."),
    "event-cancelled": _l("This change no longer waits for review: the event was cancelled "
                          "after the change was sent. Nothing was published."),
    operations.CLOSED_OVERWRITTEN: _l("This change no longer waits for review: the entry was "
                                      "changed after the change was sent. Nothing was "
                                      "published."),
}


def comment_problem(refused: operations.InvalidComment) -> str:
    """Why a change was not returned, next to the comment field."""
    if refused.too_long:
        return _("The comment is longer than %(limit)d characters. Please shorten it.",
                 limit=operations.MAX_COMMENT)
    return _("Please write a comment for the editor: what should be changed? The change was "
             "not returned.")


@bp.route("/manage/review/<int:proposal_id>", methods=["GET", "POST"])
def review(proposal_id: int):
    session = db.session()
    if request.method == "POST" and stale_note():  # shown again as typed, nothing decided
        return _review_page(session, proposal_id, comment=request.form.get("comment", "")), 400
    if request.method == "POST":
        approving = request.form.get("decision") == "approve"
        try:
            if approving:
                decided = operations.approve(session, actor(), proposal_id)
            else:
                decided = operations.return_change(session, actor(), proposal_id,
                                                   request.form.get("comment", ""))
        except LookupError:
            abort(404)
        except operations.InvalidComment as refused:
            session.rollback()
            return _review_page(session, proposal_id, comment_problem(refused),
                                request.form.get("comment", "")), 400
        except operations.ChangeNotWaiting as refused:
            session.rollback()
            reason = refused.reason or refused.status
            if reason == operations.CLOSED_ARCHIVED and session.get(
                    Proposal, proposal_id).event_id is not None:
                reason = "event-cancelled"
            flash(str(NOT_WAITING.get(reason, ALREADY_DECIDED)), "error")
            return redirect(url_for("manage.review_queue"), code=303)
        session.commit()
        if approving:
            flash(_("The change is published."))
        else:
            send_returned(session, decided)
            flash(_("The change was returned to its author."))
        return redirect(url_for("manage.review_queue"), code=303)
    return _review_page(session, proposal_id)


def _review_page(session, proposal_id: int, comment_error: str | None = None,
                 comment: str = ""):
    """A change waiting for review, field by field, and the decision; with why it was not
    returned and the comment as typed."""
    proposal = proposals.waiting_by_id(session, proposal_id)
    if proposal is None:
        abort(404)
    changes = [_readable_change(field, change)
               for field, change in proposals.proposal_changes(proposal).items()]
    return render_template("manage/review.html", proposal=proposal, changes=changes,
                           about=_what_changes(proposal), comment_error=comment_error,
                           comment=comment, stale=stale_note())


@bp.route("/manage/offers/<id:external_id>/translate/<target>", methods=["GET", "POST"])
def translate_offer(external_id: str, target: str):
    """The original beside one other language, field by field; missing and outdated marked."""
    return _translate(_offer_or_404(external_id), target)


@bp.route("/manage/events/<id:external_id>/translate/<target>", methods=["GET", "POST"])
def translate_event(external_id: str, target: str):
    """An event's texts in one more language, as for offers (without a preview: the public
    event pages are not part of the manage area)."""
    return _translate(_event_or_404(external_id), target)


def _translate(entry, target: str):
    session = db.session()
    if target not in ui_languages() or target == entry.original_language:
        abort(404)
    is_offer, fields_of = isinstance(entry, Offer), editing.text_fields(entry)
    proposal = proposals.latest_change(session, entry)
    base = _working_record(proposal, offer_record(entry) if is_offer else event_record(entry))
    preview = None
    record = base
    if request.method == "POST":
        form = TranslationForm()
        record = form.texts_record(base, target, fields_of)
        if is_offer:
            record = closure_notes_over(record, target, request.form)
            checked, preview = _check_offer_form(session, entry.organisation, entry, form,
                                                 record, target)
        else:
            checked, problems = editing.validate(session, entry.organisation, record, Event)
            form.show_problems(problems)
        if checked is not None and preview is None and not form.has_problems:
            return _save(session, entry, form.state(), record, checked)
    else:
        form = TranslationForm(formdata=None, data={
            **{name: base.get(name, {}).get(target, "") for name in fields_of},
            **_current_state(entry)})
    fields = [{"name": name, "state": state,
               "original": base.get(name, {}).get(entry.original_language, "")}
              for name, state in editing.translation_state(entry, target).items()]
    today = city_today()
    closures = [{**closure, "days": presenters.closure_days(closure["first"], closure["last"],
                                                            today)}
                for closure in closures_to_translate(record, target, today)] if is_offer else []
    return render_template(
        "manage/translate.html", offer_id=entry.external_id if is_offer else None,
        target=target, original_language=entry.original_language, fields=fields, form=form,
        closures=closures, closure_note_limit=CLOSURE_NOTE_LIMIT,
        preview=preview, preview_languages=ui_languages() if is_offer else None,
        preview_lang=_preview_language(target),
        target_dir=direction(target), original_dir=direction(entry.original_language)
    ), 400 if form.has_problems else 200


PERMISSIONS["manage.translate_offer"] = may_edit_offer


def is_admin(user, _args) -> bool:
    return user.user.role == ADMIN


@bp.route("/manage/users", methods=["GET", "POST"])
def users():
    """Administrators invite moderators and editors; the invitation goes out by mail."""
    session = db.session()
    message, error, status = None, None, 200
    if request.method == "POST" and stale_note():  # shown again as typed, nobody invited
        status = 400
    elif request.method == "POST":
        try:
            user = create_user(session, request.form.get("email", ""),
                               request.form.get("role", ""),
                               request.form.get("organisation") or None, by=current_user.id)
        except AccountError as problem:
            session.rollback()
            error, status = problem.code, 400
        else:
            session.commit()
            send_invitation(user)
            message = user.email
    return render_template(
        "manage/users.html", message=message, error=error, form=request.form,
        stale=stale_note(),
        users=all_users(session), organisations=all_organisations(session),
    ), status


PERMISSIONS["manage.users"] = is_admin


def _change_account(change: Callable, user_id: int, done: str):
    """Remove an account or reset its second factor, then back to the list with a notice."""
    session = db.session()
    try:
        user = change(session, user_id, current_user.id)
    except AccountError as problem:
        session.rollback()
        if problem.code == "unknown":
            abort(404)
        flash(_("You cannot remove your own account."), "error")
    else:
        session.commit()
        flash(done % {"email": user.email})
    return redirect(url_for("manage.users"), code=303)


@bp.post("/manage/users/<int:user_id>/remove")
def remove_account(user_id: int):
    return _change_account(remove_user, user_id, _("%(email)s was removed."))


@bp.post("/manage/users/<int:user_id>/reset-second-factor")
def reset_account_second_factor(user_id: int):
    return _change_account(reset_second_factor, user_id,
                           _("The second factor of %(email)s was removed. A new one is set "
                             "up at the next sign-in."))


AUDIT_LABELS = {
    "sign_in": _l("Signed in"), "sign_in_failed": _l("Wrong password"),
    "second_factor_failed": _l("Wrong code"), "recovery_code_used": _l("Recovery code used"),
    "second_factor_enabled": _l("Second factor set up"),
    "second_factor_reset": _l("Second factor reset"),
    "permission_refused": _l("Access refused"), "user_created": _l("Account created"),
    "role_changed": _l("Role changed"), "user_removed": _l("Account removed"),
}
# The details written by the sign-in (stable English keys), as the page shows them.
AUDIT_DETAILS = {
    "password": _l("with the password"),
    "password + app": _l("with the password and the app's code"),
    "password + recovery code": _l("with the password and a recovery code"),
    "password + app (set up)": _l("with the password and the app's code (just set up)"),
    "unknown address": _l("address of no account (not kept)"),
}
AUDIT_PER_PAGE = 50
# The details written by changes of accounts: "<e-mail> (<role>)" and "<role> → <role>".
_ROLE_DETAIL = re.compile(r"^(?P<email>.*) \((?P<role>\w+)\)$")
_ROLE_CHANGE = re.compile(r"^(?P<before>\w+) → (?P<after>\w+)$")


def audit_detail(detail: str) -> str:
    """An audit entry's detail in the page's language: the sign-in's way, an account's role."""
    if detail in AUDIT_DETAILS:
        return str(AUDIT_DETAILS[detail])
    if (change := _ROLE_CHANGE.match(detail)) and change["after"] in ROLE_LABELS:
        return f"{role_label(change['before'])} → {role_label(change['after'])}"
    if (account := _ROLE_DETAIL.match(detail)) and account["role"] in ROLE_LABELS:
        return f"{account['email']} ({role_label(account['role'])})"
    return detail


@bp.get("/manage/audit")
def audit_log():
    """Sign-ins, failures, refusals and changes of accounts, newest first (one year)."""
    kind = request.args.get("kind") if request.args.get("kind") in AUDIT_KINDS else None
    user_id = request.args.get("user", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    entries, total = audit.entries(db.session(), kind, user_id, page, AUDIT_PER_PAGE)

    def page_url(number: int) -> str:
        return url_for("manage.audit_log", kind=kind, user=user_id, page=number)

    entries = [{**vars(entry), "detail": audit_detail(entry.detail)} for entry in entries]
    return render_template(
        "manage/audit.html", entries=entries, total=total, kind=kind, user_id=user_id,
        kinds=[(k, str(AUDIT_LABELS[k])) for k in AUDIT_KINDS], labels=AUDIT_LABELS,
        users=[(u.id, u.email) for u in all_users(db.session())],
        previous=page_url(page - 1) if page > 1 else None,
        next=page_url(page + 1) if page * AUDIT_PER_PAGE < total else None)


PERMISSIONS.update({
    "manage.remove_account": is_admin,
    "manage.reset_account_second_factor": is_admin,
    "manage.audit_log": is_admin,
})


# -- one's own account: the second factor -------------------------------------------------

@bp.get("/manage/account")
def account():
    user = current_user.user
    return render_template("manage/account.html", enabled=user.has_second_factor,
                           required=user.is_staff,
                           codes_left=recovery_codes_left(db.session(), user))


@bp.route("/manage/account/second-factor", methods=["GET", "POST"])
def second_factor_setup():
    """Set up a second factor while signed in: editors who want one, and moderators or
    administrators who have none yet (for instance since their role changed)."""
    if current_user.user.has_second_factor:
        return redirect(url_for("manage.account"), code=303)

    def done(codes):
        db.session().commit()
        return recovery_codes_page(codes, url_for("manage.dashboard"))

    return enrolment(current_user.user, done)


PERMISSIONS["manage.account"] = signed_in
PERMISSIONS["manage.second_factor_setup"] = signed_in


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
    from .booklet import BookletError, render_booklet

    vocab = load_vocabularies(db.session())
    area = request.args.get("area")
    if area:
        lang = request.args.get("booklet_lang") or g.lang
        try:
            html = render_booklet(area, lang, request.args.get("target_group") or None,
                                  request.args.get("category") or None)
        except BookletError:
            abort(400)
        if request.args.get("format") == "pdf":
            return pdf_response(html, f"wegweiser-{area}-{lang}.pdf")
        return html
    return render_template(
        "manage/booklet.html", districts=vocab.districts, languages=ui_languages(),
        pdf=pdf_available(),
        categories=[(c.slug, c.label(g.lang)) for c in vocab.categories],
        target_groups=[(t.slug, t.label(g.lang)) for t in vocab.target_groups])


PERMISSIONS["manage.booklet"] = is_staff


@bp.post("/manage/offers/<id:external_id>/translate/<target>/reviewed")
def mark_translation_reviewed(external_id: str, target: str):
    offer = _offer_or_404(external_id)
    editing.mark_reviewed(db.session(), current_user.user, offer, target)
    db.session().commit()
    return redirect(url_for("manage.translate_offer", external_id=external_id, target=target),
                    code=303)


@bp.post("/manage/offers/<id:external_id>/restore/<int:revision_id>")
def restore_revision(external_id: str, revision_id: int):
    """Bring back an earlier state as a new change (moderated like any edit)."""
    return _restore(_offer_or_404(external_id), revision_id)


def _restore(target, revision_id: int):
    session = db.session()
    try:
        outcome = operations.restore(session, actor(), target, revision_id)
    except LookupError:
        abort(404)
    except operations.InvalidRestore:
        abort(400)
    session.commit()
    return _to_dashboard(outcome)


PERMISSIONS["manage.mark_translation_reviewed"] = is_staff
PERMISSIONS["manage.restore_revision"] = may_edit_offer


# -- the organisation's own profile ---------------------------------------------------------

@bp.route("/manage/organisations/<id:organisation_id>/profile", methods=["GET", "POST"])
def organisation_profile(organisation_id: str):
    """Name, description and contact, moderated and locked like offers, with a preview."""
    session = db.session()
    org = _organisation_or_404(organisation_id)
    proposal, preview = proposals.latest_change(session, org), None
    if request.method == "POST":
        form = ProfileForm()
        record = form.record(editing.organisation_form_record(org))
        checked, problems = editing.check_organisation(session, org, record)
        form.show_problems(problems)
        checked = None if form.has_problems else checked  # a stale form is never saved
        if checked is not None and request.form.get("action") == "preview":
            preview = _organisation_preview(session, org, checked,
                                            _preview_language(org.original_language))
        elif checked is not None:
            return _save_organisation(session, org, form.state(), record, checked)
    else:
        form = ProfileForm.of(editing.organisation_form_record(
            org, base=_working_record(proposal, None)), _current_state(org))
    return render_template(
        "manage/profile.html", organisation_id=organisation_id, form=form,
        original_language=org.original_language, proposal=proposal, preview=preview,
        preview_languages=ui_languages(),
        preview_lang=_preview_language(org.original_language)), \
        400 if form.has_problems else 200


def _organisation_preview(session, org, checked: dict, lang: str) -> dict:
    with editing.organisation_preview(session, org, checked) as draft, in_language(lang):
        _org, offers = organisation_with_offers(session, draft.external_id)
        detail = presenters.organisation_detail(draft, offers, lang)
        return _preview_block(lang, "_organisation_article.html", organisation=detail)


def _save_organisation(session, org, state: dict, typed: dict, checked: dict):
    organisation_id = org.external_id

    def show_conflict():
        return _conflict(_("Someone else changed this profile"),
                         _organisation_or_404(organisation_id), typed,
                         url_for("manage.organisation_profile",
                                 organisation_id=organisation_id))

    return _saved_or_conflict(
        session, state, lambda version, pending: operations.submit(
            session, actor(), org, checked, version, pending), show_conflict)


@bp.get("/manage/organisations/<id:organisation_id>/history")
def organisation_history(organisation_id: str):
    return _history_page(_organisation_or_404(organisation_id),
                         "manage.restore_organisation_revision", organisation_id=organisation_id)


@bp.post("/manage/organisations/<id:organisation_id>/restore/<int:revision_id>")
def restore_organisation_revision(organisation_id: str, revision_id: int):
    """Bring back an earlier profile as a new change (moderated like any edit)."""
    return _restore(_organisation_or_404(organisation_id), revision_id)


PERMISSIONS.update({
    "manage.organisation_profile": may_edit_this_organisation,
    "manage.organisation_history": may_edit_this_organisation,
    "manage.restore_organisation_revision": may_edit_this_organisation,
})


# -- events ---------------------------------------------------------------------------------

def _event_or_404(external_id: str) -> Event:
    event = event_by_external_id(db.session(), external_id)
    if event is None:
        abort(404)
    return event


def may_edit_event(user, args) -> bool:
    event = event_by_external_id(db.session(), args.get("external_id", ""))
    return event is None or may_edit_organisation(user.user, event.organisation_id)


def _when(moment: datetime | None) -> str | None:
    """A local date and time (as entered, no zone conversion) in the page's language."""
    if moment is None:
        return None
    locale = get_locale()
    return str(get_datetime_format("medium", locale=locale)).format(
        format_skeleton("Hm", moment, locale=locale),
        format_skeleton("yMMMEd", moment, locale=locale))


REPETITION_LABELS = {choice.value: choice.label for choice in REPETITION_CHOICES}
# An entry's status as the dashboard names it (the history showed "in_review").
STATUS_LABELS = {DRAFT: _l("draft"), IN_REVIEW: _l("in review"), PUBLISHED: _l("published"),
                 ARCHIVED: _l("archived")}


def _dashboard_events(org: Organisation) -> list[dict]:
    """The organisation's events for its editors, the next ones first."""
    changes = proposals.open_changes(db.session(), org.events)
    now, rows = datetime.now(), []
    for event in org.events:
        title = event.text_in("title", g.lang)
        upcoming = next_start(event, now)
        past = upcoming is None or upcoming + event.duration < now
        repetition = repetition_kind(event.rrule)
        have = {t.locale for t in event.texts if t.field == "title"}
        rows.append({
            "id": event.external_id, "title": title[0] if title else event.external_id,
            "missing": [lang for lang in ui_languages() if lang not in have],
            "status": event.status, "change": changes.get(event.id),
            "when": _when(upcoming or event.starts_at),
            "past": past,
            "repeats": None if repetition == "none" else
            str(REPETITION_LABELS.get(repetition, _("Repeats"))),
            "sort": (past, upcoming or event.starts_at),
        })
    return sorted(rows, key=lambda row: row.pop("sort"))


def _event_offers(org: Organisation) -> list[tuple[str, str]]:
    """The offers an event of ``org`` may belong to: (id, title)."""
    return [(o.external_id, (o.text_in("title", g.lang) or (o.external_id,))[0])
            for o in sorted(org.offers, key=lambda o: o.external_id) if o.status != ARCHIVED]


def _event_form(session, org: Organisation, base: dict):
    """The posted event form over ``base``: the form, and the checked record (None: the
    form shows problems)."""
    form = EventForm.build(load_vocabularies(session), _event_offers(org))
    record = form.record(base)
    checked, problems = editing.validate(session, org, record, Event)
    form.show_problems(problems)
    return form, record, None if form.has_problems else checked


def _event_page(form: EventForm, original_language: str, **context):
    return render_template("manage/edit_event.html", form=form,
                           original_language=original_language,
                           new_text_language=ui_languages()
                           if context.get("event_id") is None else None, **context), \
        400 if form.has_problems else 200


@bp.route("/manage/organisations/<id:organisation_id>/events/new", methods=["GET", "POST"])
def new_event(organisation_id: str):
    session = db.session()
    org = _organisation_or_404(organisation_id)
    blank = editing.blank_event_record(org, current_city().timezone, _new_text_language(org))
    if request.method == "POST":
        form, _record, checked = _event_form(session, org, blank)
        if checked is not None:
            event = operations.create(session, actor(), org, checked, Event)
            session.commit()
            return _to_dashboard(PUBLISHED if event.status == PUBLISHED else PENDING)
    else:
        form = EventForm.build(load_vocabularies(session), _event_offers(org), blank,
                               {"version": 0, "pending": ""})
    return _event_page(form, blank["original_language"], event_id=None, proposal=None,
                       organisation=org.name,
                       action=url_for("manage.new_event", organisation_id=organisation_id))


@bp.route("/manage/events/<id:external_id>/edit", methods=["GET", "POST"])
def edit_event(external_id: str):
    session = db.session()
    event = _event_or_404(external_id)
    proposal = proposals.latest_change(session, event)
    if request.method == "POST":
        form, record, checked = _event_form(session, event.organisation,
                                            _working_record(proposal, event_record(event)))
        if checked is not None:
            return _save(session, event, form.state(), record, checked)
    else:
        form = EventForm.build(load_vocabularies(session), _event_offers(event.organisation),
                               _working_record(proposal, event_record(event)),
                               _current_state(event))
    return _event_page(form, event.original_language, event_id=external_id, proposal=proposal,
                       organisation=event.organisation.name,
                       action=url_for("manage.edit_event", external_id=external_id))


@bp.post("/manage/events/<id:external_id>/archive")
def archive_event(external_id: str):
    """"Cancelled, does not take place": off the public pages at once."""
    flash(_("“%(title)s” is marked as cancelled and no longer shown in the directory.",
            title=_archived(_event_or_404(external_id))))
    return _to_dashboard()


@bp.post("/manage/events/<id:external_id>/reactivate")
def reactivate_event(external_id: str):
    return _reactivated(_event_or_404(external_id))


@bp.get("/manage/events/<id:external_id>/history")
def event_history(external_id: str):
    return _history_page(_event_or_404(external_id), "manage.restore_event_revision",
                         external_id=external_id)


@bp.post("/manage/events/<id:external_id>/restore/<int:revision_id>")
def restore_event_revision(external_id: str, revision_id: int):
    """Bring back an earlier state of an event as a new change (moderated like any edit)."""
    return _restore(_event_or_404(external_id), revision_id)


PERMISSIONS.update({
    "manage.new_event": may_edit_this_organisation,
    "manage.edit_event": may_edit_event,
    "manage.archive_event": may_edit_event,
    "manage.reactivate_event": may_edit_event,
    "manage.event_history": may_edit_event,
    "manage.restore_event_revision": may_edit_event,
    "manage.translate_event": may_edit_event,
})


# -- labels of the data model's fields, for diffs and the history ---------------------------

FIELD_LABELS = {
    "title": _l("Title"), "summary": _l("Summary"), "description": _l("Description"),
    "categories": _l("Categories"), "target_groups": _l("For whom"),
    "languages": _l("Staff speak"), "areas": _l("Part of town"),
    "citywide": _l("For people from the whole city"), "address": _l("Address"),
    "contact": _l("Contact"), "opening_hours": _l("Opening hours"), "closures": _l("Closures"),
    "open_on_public_holidays": _l("Open on public holidays too"), "cost": _l("Cost"),
    "accessible": _l("Accessible for wheelchair users"),
    "appointment_needed": _l("Appointment needed"), "status": _l("Status"),
    "verified_at": _l("Last confirmed"), "reviewed": _l("Translation reviewed"),
    "original_language": _l("Original language"), "name": _l("Name"),
    "website": _l("Website"), "email": _l("E-mail address"), "phone": _l("Phone"),
    "street": _l("Street and number"), "postal_code": _l("Postal code"), "city": _l("City"),
    "kind": _l("Kind"), "when": _l("When"), "end_date": _l("Until"),
    "starts_at": _l("Begins at"), "ends_at": _l("Ends at"), "timezone": _l("Time zone"),
    "rrule": _l("Repeats"), "online": _l("Online (no address)"),
    "online_url": _l("Link to take part online"), "registration_needed": _l("Registration needed"),
    "registration_contact": _l("Register with (e-mail address or phone)"),
    "registration_url": _l("Registration form (web address)"),
    "offer": _l("Belongs to the offer"),
    "id": _l("Identifier (in the web address)"), "organisation": _l("Organisation"),
}
# The role of an account, as the accounts page and the audit log name it.
ROLE_LABELS = {ADMIN: _l("Administrator"), MODERATOR: _l("Moderator"), EDITOR: _l("Editor")}
# Record fields whose values are slugs or codes of a vocabulary (shown by their names).
VOCABULARY_FIELDS = ("categories", "target_groups", "languages", "areas")


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


bp.add_app_template_filter(role_label, "role_label")


def actor_label(stored: str | None) -> str:
    """Who made a change (as the history stores it), in the page's language."""
    parts = actors.parse(stored)
    if parts.kind == actors.IMPORT:
        who = _("Import (demo data)") if parts.name == actors.DEMO_SOURCE else \
            _("Import (%(source)s)", source=parts.name)
    elif parts.kind == actors.REMINDER:
        who = _("Confirmed from the reminder e-mail")
    else:
        who = parts.name
    if parts.proposed_by is not None:
        return _("%(moderator)s (proposed by %(author)s)", moderator=who,
                 author=parts.proposed_by)
    if parts.join_request is not None:
        return _("%(moderator)s (join request %(number)s)", moderator=who,
                 number=parts.join_request)
    return who


def _vocabulary_names() -> dict[str, dict[str, str]]:
    """Per vocabulary field of a record, its values' names in the page's language (loaded
    once a request)."""
    if "vocabulary_names" not in g:
        vocab, lang = load_vocabularies(db.session()), g.lang
        g.vocabulary_names = {
            "categories": {c.slug: c.label(lang) for c in vocab.event_categories},
            "target_groups": {t.slug: t.label(lang) for t in vocab.target_groups},
            "languages": {item.code: presenters.language_name(item.code)
                          for item in vocab.languages},
            "areas": {a.slug: a.name for d in vocab.districts for a in (d, *d.children)},
        }
    return g.vocabulary_names


def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _offer_title(external_id: str) -> str:
    """The offer an event belongs to by its title in the page's language (else its original;
    its id where the offer is gone)."""
    found = offer_by_external_id(db.session(), external_id)
    title = found.text_in("title", g.lang) if found else None
    return title[0] if title else external_id


def _readable_moment(value: str, with_time: bool) -> str:
    """A stored date (``2027-01-05``) or local date and time (``2027-01-05T18:00``) in the
    page's language; a value that is neither stays as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return _when(moment) if with_time else format_skeleton("yMMMEd", moment,
                                                           locale=get_locale())


def _readable_change(field: str, change: dict) -> dict:
    return {"label": field_label(field), "before": readable(field, change.get("before")),
            "after": readable(field, change.get("after"))}


# Record fields holding a date, or a local date and time (as the import format writes them).
DATE_FIELDS = ("verified_at", "end_date")
DATE_TIME_FIELDS = ("starts_at", "ends_at")
# Record fields holding a text per language ({"de": …, "ar": …}).
TRANSLATED_FIELDS = frozenset(TEXT_FIELDS + EVENT_TEXT_FIELDS + HELP_TEXT_FIELDS)


def readable(field: str, value):
    """A field's value as people write it: yes or no, dates and the cost in the page's
    language, an address on one line, opening hours with the names of the days, categories,
    languages and parts of town by their names, texts under their languages' names; other
    values as they are."""
    if field in TRANSLATED_FIELDS and isinstance(value, dict):
        # Each text in its own direction (first strong isolate): German on an Arabic page, or
        # Arabic on a German one, keeps its full stop at its end.
        return {presenters.language_name(code): f"\u2068{text}\u2069"
                for code, text in value.items()}
    if field == "offer" and isinstance(value, str):
        return _offer_title(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field == "cost" and isinstance(value, str):
        return presenters.cost_label(value)
    if field in DATE_FIELDS + DATE_TIME_FIELDS and isinstance(value, str):
        return _readable_moment(value, with_time=field in DATE_TIME_FIELDS)
    if field in VOCABULARY_FIELDS and isinstance(value, list):
        names = _vocabulary_names()[field]
        return [names.get(item, item) if isinstance(item, str) else item for item in value]
    if field == "original_language" and isinstance(value, str):
        return presenters.language_name(value)
    if field == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if field == "address" and isinstance(value, dict):
        place = " ".join(str(value[k]) for k in ("postal_code", "city") if value.get(k))
        return ", ".join(part for part in (value.get("street"), place) if part) or None
    if field == "rrule" and isinstance(value, str):
        label = REPETITION_LABELS.get(repetition_kind(value))
        return f"{label} ({value})" if label else value
    if field == "contact" and isinstance(value, dict):
        return " · ".join(str(v) for v in value.values() if v) or None
    if field == "opening_hours" and isinstance(value, list):
        days = weekday_names(get_locale(), "abbreviated")
        return "; ".join(
            f"{days[slot['weekday']]} {slot.get('opens', '')}–{slot.get('closes', '')}"
            + (f" ({presenters.week_of_month_text(slot['week_of_month'], slot['weekday'])})"
               if slot.get("week_of_month") in WEEKS_OF_MONTH else "")
            + (f" ({slot['note']})" if slot.get("note") else "")
            for slot in value if isinstance(slot, dict) and slot.get("weekday") in range(1, 8))
    if field == "closures" and isinstance(value, list):
        return "; ".join(presenters.closure_record_text(closure) for closure in value
                         if isinstance(closure, dict))
    return value
