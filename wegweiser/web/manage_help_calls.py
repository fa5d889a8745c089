"""Calls for help in the manage area: the organisation's editors post, change, extend and
remove them; moderators review them. Routes of the manage blueprint, under its central
permission check (each has its PERMISSIONS entry)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from .. import db
from ..models import PENDING, PUBLISHED
from ..services import help_call_operations as calls
from ..services.accounts import may_edit_organisation
from ..services.directory import load_vocabularies, organisation_by_external_id
from ..services.help_calls import (
    help_call_by_external_id,
    help_call_record,
    help_kinds,
    kind_by_slug,
    latest_end_date,
    waiting_help_calls,
)
from ..services.notifications import send_help_call_returned
from ..services.operations import Actor, ChangeNotWaiting, EditConflict, InvalidComment
from ..services.records import changed_fields
from .forms import HelpCallForm, stale_note
from .manage import (
    PERMISSIONS,
    _readable_change,
    _to_dashboard,
    bp,
    comment_problem,
    is_staff,
    may_edit_this_organisation,
)


def _call_change(field: str, change: dict) -> dict:
    """A changed field of a call as people read it: the kind by its label, the languages as
    the languages wanted."""
    if field == "kind":
        change = {key: kind.label(g.lang) if (kind := kind_by_slug(str(value))) else value
                  for key, value in change.items()}
    readable = _readable_change(field, change)
    if field == "languages":
        readable["label"] = _("Languages wanted")
    return readable


def _call_or_404(call_id: str):
    call = help_call_by_external_id(db.session(), call_id)
    if call is None:
        abort(404)
    return call


def may_edit_help_call(user, args) -> bool:
    call = help_call_by_external_id(db.session(), args.get("call_id", ""))
    return call is None or may_edit_organisation(user.user, call.organisation_id)


def _actor() -> Actor:
    return Actor.of(current_user.user)


def _form_page(form: HelpCallForm, organisation, call=None):
    return render_template(
        "manage/edit_help_call.html", form=form, call=call, organisation=organisation.name,
        original_language=organisation.original_language if call is None
        else call.original_language, latest=latest_end_date().isoformat(),
        action=request.path), 400 if form.has_problems else 200


def _checked(session, organisation, form: HelpCallForm, base: dict):
    checked, problems = calls.validate(session, organisation, form.record(base))
    form.show_problems(problems)
    return None if form.has_problems else checked  # a stale form is never saved


@bp.route("/manage/organisations/<id:organisation_id>/help-calls/new", methods=["GET", "POST"])
def new_help_call(organisation_id: str):
    session = db.session()
    org = organisation_by_external_id(session, organisation_id)
    if org is None:
        abort(404)
    vocab, blank = load_vocabularies(session), calls.blank_record(org)
    if request.method == "POST":
        form = HelpCallForm.build(vocab, help_kinds())
        checked = _checked(session, org, form, blank)
        if checked is not None:
            call = calls.create(session, _actor(), org, checked)
            session.commit()
            return _to_dashboard(PUBLISHED if call.status == PUBLISHED else PENDING)
    else:
        form = HelpCallForm.build(vocab, help_kinds(), blank, {"version": 0})
    return _form_page(form, org)


@bp.route("/manage/help-calls/<id:call_id>/edit", methods=["GET", "POST"])
def edit_help_call(call_id: str):
    session = db.session()
    call = _call_or_404(call_id)
    vocab, saved = load_vocabularies(session), help_call_record(call)
    if request.method == "POST":
        form = HelpCallForm.build(vocab, help_kinds())
        checked = _checked(session, call.organisation, form, saved)
        if checked is not None:
            try:
                outcome = calls.submit(session, _actor(), call, checked, form.state()["version"])
            except EditConflict:
                session.rollback()
                flash(_("Someone else changed this call for help in the meantime. Here is the "
                        "current version; please make your change again."), "error")
                return redirect(url_for("manage.edit_help_call", call_id=call_id), code=303)
            session.commit()
            return _to_dashboard(outcome)
    else:
        form = HelpCallForm.build(vocab, help_kinds(), call.pending or saved,
                                  {"version": call.version})
    return _form_page(form, call.organisation, call)


@bp.route("/manage/help-calls/<id:call_id>/remove", methods=["GET", "POST"])
def remove_help_call(call_id: str):
    """"Filled – remove": a page that asks first; its button removes the call."""
    call = _call_or_404(call_id)
    title = (call.text_in("title", g.lang) or (call_id,))[0]
    if request.method == "POST":
        calls.remove(db.session(), _actor(), call)
        db.session().commit()
        flash(_("“%(title)s” is no longer shown.", title=title))
        return _to_dashboard()
    return render_template("manage/remove_help_call.html", title=title, call_id=call_id)


@bp.post("/manage/help-calls/<id:call_id>/extend")
def extend_help_call(call_id: str):
    new_end = calls.extend(db.session(), _actor(), _call_or_404(call_id))
    db.session().commit()
    flash(_("The call for help is now shown until %(date)s.", date=format_date(new_end)))
    return _to_dashboard()


@bp.get("/manage/help-calls/<id:call_id>/history")
def help_call_history(call_id: str):
    revisions = [{"id": r.id, "created_at": r.created_at, "actor": r.actor, "restorable": False,
                  "changes": [_call_change(field, change) for field, change in r.changes.items()]}
                 for r in calls.history(db.session(), _call_or_404(call_id))]
    return render_template("manage/history.html", revisions=revisions, restore_url=None)


@bp.route("/manage/review/help-calls/<id:call_id>", methods=["GET", "POST"])
def review_help_call(call_id: str):
    session = db.session()
    call = _call_or_404(call_id)
    if request.method == "POST" and stale_note():  # shown again as typed, nothing decided
        return _review_page(session, call_id, comment=request.form.get("comment", "")), 400
    if request.method == "POST":
        try:
            if request.form.get("decision") == "approve":
                calls.approve(session, _actor(), call)
                flash(_("The call for help is published."))
            else:
                calls.return_call(session, _actor(), call, request.form.get("comment", ""))
                flash(_("The call for help was returned to its organisation."))
        except InvalidComment as refused:
            session.rollback()
            return _review_page(session, call_id, comment_problem(refused),
                                request.form.get("comment", "")), 400
        except ChangeNotWaiting:
            session.rollback()
            flash(_("This change was already decided by a moderator."), "error")
        else:
            session.commit()
            if request.form.get("decision") != "approve":
                send_help_call_returned(session, call)
        return redirect(url_for("manage.review_queue"), code=303)
    return _review_page(session, call_id)


def _review_page(session, call_id: str, comment_error: str | None = None, comment: str = ""):
    """A call (or change) waiting for review and the decision; with why it was not returned
    and the comment as typed."""
    call = _call_or_404(call_id)
    if call not in waiting_help_calls(session):
        abort(404)
    saved = help_call_record(call)
    before, after = (saved, call.pending) if call.pending else (None, saved)
    changes = [_call_change(field, change)
               for field, change in changed_fields(before, after).items()
               if field not in ("id", "status", "organisation")]
    return render_template("manage/review_help_call.html", call=call, changes=changes,
                           new=call.pending is None, comment_error=comment_error,
                           comment=comment, stale=stale_note())


PERMISSIONS.update({
    "manage.new_help_call": may_edit_this_organisation,
    "manage.edit_help_call": may_edit_help_call,
    "manage.remove_help_call": may_edit_help_call,
    "manage.extend_help_call": may_edit_help_call,
    "manage.help_call_history": may_edit_help_call,
    "manage.review_help_call": is_staff,
})
