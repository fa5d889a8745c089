"""Joining without an account: "Add your initiative" (``/<lang>/join``), "This is us – manage
this entry" on an organisation's page, the link that the organisation's published address
confirms a claim with, and the moderators' page that decides a request."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .. import db
from ..i18n import ui_languages
from ..models import CLAIM, JOIN, SUGGESTION
from ..services import joining
from ..services.accounts import AccountError
from ..services.directory import load_vocabularies, organisation_with_offers
from ..services.notifications import send_accepted, send_claim_verification, send_declined
from . import manage
from .auth import limiter
from .forms import AddressFields, ProblemsForm, stale_note, vocabulary_choices
from .language import language_blueprint

bp = language_blueprint("joining", __name__)
TERMS = ("categories", "target_groups", "languages", "areas")


class JoinForm(AddressFields, ProblemsForm):
    """A new initiative, its first offer and a contact person (who is not published)."""

    name = StringField(_l("Name"), validators=[InputRequired()])
    description = TextAreaField(_l("What does your initiative do?"))
    website = StringField(_l("Website"))
    email = StringField(_l("Public e-mail address (optional)"))
    phone = StringField(_l("Public phone (optional)"))
    title = StringField(_l("Title"), validators=[InputRequired()])
    summary = TextAreaField(_l("Summary (one or two sentences)"))
    categories = SelectMultipleField(_l("Categories"))
    target_groups = SelectMultipleField(_l("For whom"))
    languages = SelectMultipleField(_l("Staff speak"))
    areas = SelectMultipleField(_l("Part of town"))
    citywide = BooleanField(_l("For people from the whole city"))
    text_language = SelectField(_l("Language of your texts"))
    contact_name = StringField(_l("Your name"))
    contact_email = StringField(_l("Your e-mail address"), validators=[InputRequired()])
    contact_phone = StringField(_l("Your phone (optional)"))

    @classmethod
    def build(cls, vocab) -> JoinForm:
        form = cls() if request.method == "POST" else cls(formdata=None,
                                                           data={"text_language": g.lang})
        vocabulary_choices(form, vocab)
        form.text_language.choices = [(code, code) for code in ui_languages()]
        return form

    def fields(self) -> dict:
        """What was typed, as plain data for the service."""
        values = {name: (self[name].data or "").replace("\r\n", "\n").strip()
                  for name in ("name", "description", "website", "email", "phone", "street",
                               "postal_code", "city", "title", "summary")}
        language = self.text_language.data
        values["text_language"] = language if language in ui_languages() else g.lang
        values.update({name: list(self[name].data or []) for name in TERMS})
        values["citywide"] = bool(self.citywide.data)
        return values

    def field_for(self, path: str):
        """A problem of ``title.de`` or ``categories`` is shown at its field."""
        return self._fields.get(path.partition(".")[0])


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def join():
    """"Add your initiative": no account needed; a moderator decides, nothing is public
    before."""
    session = db.session()
    form = JoinForm.build(load_vocabularies(session))
    if request.method == "POST":
        fields = form.fields()
        checked, problems = joining.check_join(session, joining.join_records(fields))
        form.show_problems(problems)
        if not fields["title"]:  # plainer than the importer's "needs a text in (ar)"
            form.title.errors = [_("is required")]
        try:
            joining.check_contact(form.contact_email.data)
        except AccountError:
            form.contact_email.errors = [_("Please give an e-mail address we can write to.")]
            form.has_problems = True
        if not form.has_problems:
            joining.file_join(session, checked, form.contact_email.data, g.lang,
                              form.contact_name.data or "", form.contact_phone.data or "")
            session.commit()
            return render_template("join.html", done=True)
        return render_template("join.html", form=form), 400
    return render_template("join.html", form=form)


@bp.route("/organisations/<id:external_id>/claim", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def claim(external_id: str):
    """"This is us – manage this entry": checked through the organisation's published
    address where it has one, then by a moderator."""
    session = db.session()
    organisation, _offers = organisation_with_offers(session, external_id)
    if organisation is None:
        abort(404)
    page = {"organisation": organisation.name, "external_id": external_id,
            "by_mail": bool(organisation.email)}
    if request.method == "POST":
        if stale_note():  # the session ended: shown again as typed, nothing sent
            return render_template("claim.html", **page, stale=stale_note(),
                                   form=request.form), 400
        try:
            filed = joining.file_claim(session, organisation, request.form.get("name", ""),
                                       request.form.get("email", ""), g.lang)
        except AccountError as problem:
            return render_template("claim.html", **page, error=problem.code,
                                   form=request.form), 400
        session.commit()
        if filed.status == joining.UNVERIFIED:
            send_claim_verification(filed)
        return render_template("claim.html", **page, done=True)
    return render_template("claim.html", **page, form={})


@bp.route("/claims/<token:token>", methods=["GET", "POST"])
def verify_claim(token: str):
    """The link mailed to the organisation's published address: shows who claims the entry;
    only its button (a POST with CSRF token) confirms."""
    session = db.session()
    try:
        claimed = joining.claim_for_token(session, token)
    except AccountError as problem:
        return render_template("claim_verify.html", error=problem.code), 400
    page = {"organisation": claimed.organisation.name, "person": claimed.contact_name,
            "email": claimed.contact_email}
    if request.method == "POST":
        joining.verify_claim(session, claimed)
        session.commit()
        return render_template("claim_verify.html", done=True, **page)
    return render_template("claim_verify.html", **page)


# -- the moderators' side (in the manage area, behind its permission check) ------------------

def queue_rows(session) -> list[dict]:
    """The requests waiting, for the review queue."""
    return [{"id": r.id, "kind": r.kind, "created_at": r.created_at,
             "verified": r.verified_at is not None,
             "name": r.record["organisation"]["name"] if r.kind != CLAIM else
             (r.organisation.name if r.organisation else "?")}
            for r in joining.waiting_requests(session)]


def _labelled(vocab, offer: dict) -> dict:
    labels = {"categories": {c.slug: c.label(g.lang) for c in vocab.categories},
              "target_groups": {t.slug: t.label(g.lang) for t in vocab.target_groups},
              "languages": {x.code: x.label(g.lang) for x in vocab.languages},
              "areas": {q.slug: q.name for d in vocab.districts for q in d.children}}
    return {name: [labels[name].get(v, v) for v in offer.get(name, [])] for name in labels}


def request_page(session, pending) -> dict:
    """A request as plain data for its review page."""
    page = {"id": pending.id, "kind": pending.kind, "language": pending.language,
            "contact": {"name": pending.contact_name, "email": pending.contact_email,
                        "phone": pending.contact_phone},
            "verified": pending.verified_at is not None, "created_at": pending.created_at}
    if pending.kind in (JOIN, SUGGESTION):
        vocab = load_vocabularies(session)
        source = pending.record.get("source")
        if source:
            names = {q.slug: q.name for d in vocab.districts for q in d.children}
            source = {**source, "areas": [names.get(a, a) for a in source.get("areas", [])]}
        page["source"] = source
        organisation = pending.record["organisation"]
        lang = organisation["original_language"]
        page["organisation"] = {**organisation,
                                "description": organisation["description"].get(lang)}
        page["offers"] = [{"title": o["title"].get(lang), "summary": o["summary"].get(lang),
                           "citywide": o["citywide"], **_labelled(vocab, o)}
                          for o in pending.record["offers"]]
    else:
        org = pending.organisation
        page["organisation"] = {"name": org.name, "external_id": org.external_id,
                                "email": org.email} if org else None
    return page


@manage.bp.route("/manage/requests/<int:request_id>", methods=["GET", "POST"])
def decide_request(request_id: int):
    session = db.session()
    if request.method == "POST" and not stale_note():
        return _decide(session, request_id)
    pending = joining.waiting_request(session, request_id)
    if pending is None:
        abort(404)
    if request.method == "POST":  # a stale token: the page again with the reason as typed
        return render_template("manage/request.html", request_=request_page(session, pending),
                               error=None, stale=stale_note(),
                               reason=request.form.get("reason", "")), 400
    return render_template("manage/request.html", request_=request_page(session, pending),
                           error=None)


def _decide(session, request_id: int):
    moderator = manage.actor()
    accepting = request.form.get("decision") == "accept"
    try:
        if accepting:
            decision = joining.accept(session, moderator, request_id)
        else:
            decision = joining.decline(session, moderator, request_id,
                                       request.form.get("reason", ""))
    except LookupError:
        abort(404)
    except (joining.RequestNotWaiting, joining.InvalidRequest) as refused:
        session.rollback()
        flash(_("This request was already decided.") if isinstance(
            refused, joining.RequestNotWaiting) else str(refused), "error")
        return redirect(url_for("manage.review_queue"), code=303)
    except AccountError:
        session.rollback()
        pending = joining.waiting_request(session, request_id)
        return render_template("manage/request.html", error="reason",
                               request_=request_page(session, pending),
                               reason=request.form.get("reason", "")), 400
    session.commit()
    if decision.email is None:  # a suggestion from open data: nobody to tell
        flash(_("Accepted: “%(name)s” is now listed.", name=decision.organisation)
              if accepting else _("Declined: “%(name)s” will not be suggested again.",
                                  name=decision.organisation))
    elif accepting:
        send_accepted(decision)
        flash(_("Accepted: “%(name)s” can now be edited by its contact, who was invited by "
                "mail.", name=decision.organisation))
    else:
        send_declined(decision)
        flash(_("Declined: the contact was told the reason by mail."))
    return redirect(url_for("manage.review_queue"), code=303)


manage.PERMISSIONS["manage.decide_request"] = manage.is_staff
