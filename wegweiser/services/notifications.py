"""The mails the site sends, rendered from ``templates/mail/`` in the recipient's language:
the language of the recipient's organisation (the language it writes its entries in) where
there is one, otherwise German and English. Links need a request context (the command line
makes one with its ``--base-url``)."""
from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import Session

from ..mail import mail_languages, send_template
from ..models import (
    Event,
    HelpCall,
    JoinRequest,
    Offer,
    Organisation,
    ProblemReport,
    Proposal,
    User,
)
from .accounts import invitation_token
from .freshness import HELP_CALL_ACTIONS, LINK_DAYS, action_token, help_call_token, reminders
from .help_calls import ending_soon
from .joining import CLAIM_LINK_DAYS, Decision, claim_token
from .reports import organisation_addresses

REMINDER_ACTIONS = ("confirm", "edit", "withdraw")


def organisation_language(organisation: Organisation | None) -> str | None:
    return organisation.original_language if organisation is not None else None


def _user_language(user: User) -> str | None:
    """The language of the user's organisation; unknown for staff and for editors of
    several organisations that write in different languages."""
    languages = {m.organisation.original_language for m in user.memberships}
    return languages.pop() if len(languages) == 1 else None


def _titles(target: Offer | Event | HelpCall, languages: tuple[str, ...]) -> dict[str, str]:
    found = {lang: target.text_in("title", lang) for lang in languages}
    return {lang: text[0] if text else target.external_id for lang, text in found.items()}


def _invitation_link(user: User, template: str, language: str | None = None,
                     **context) -> str:
    """Mail a link to set a password (invitation or reset) and return it; in ``language``
    if given, else in the language of the user's organisation."""
    languages = mail_languages(language or _user_language(user))
    if user.invitation_nonce:
        token = invitation_token(user)
        links = {lang: url_for("auth.invitation", lang=lang, token=token, _external=True)
                 for lang in languages}
    else:  # an account with a password (a new membership): signing in is enough
        links = {lang: url_for("auth.login", lang=lang, _external=True) for lang in languages}
    send_template(user.email, template, languages, links=links, sign_in=not user.invitation_nonce,
                  days=current_app.config["WEGWEISER_INVITATION_DAYS"], **context)
    return links[languages[0]]


def send_invitation(user: User, language: str | None = None,
                    organisation: str | None = None) -> str:
    """Invite a new (or invited again) user, for ``organisation`` (a name) if given, in
    ``language`` if given; returns the link."""
    return _invitation_link(user, "invitation", language, organisation=organisation)


def send_accepted(decision: Decision) -> str:
    """A moderator accepted a join request or a claim: the contact is invited to keep the
    organisation's entries, in the language they used; returns the link."""
    return send_invitation(decision.user, decision.language, decision.organisation)


def send_declined(decision: Decision) -> None:
    """A moderator declined a join request or a claim: the reason, in the contact's
    language."""
    send_template(decision.email, "request_declined", mail_languages(decision.language),
                  organisation=decision.organisation, reason=decision.reason)


def send_claim_verification(request: JoinRequest) -> None:
    """Ask the organisation's published address whether the claimant speaks for it."""
    organisation = request.organisation
    languages = mail_languages(organisation_language(organisation))
    token = claim_token(request)
    links = {lang: url_for("joining.verify_claim", lang=lang, token=token, _external=True)
             for lang in languages}
    send_template(organisation.email, "claim_verification", languages, links=links,
                  organisation=organisation.name, claimant=request.contact_name,
                  claimant_email=request.contact_email, days=CLAIM_LINK_DAYS)


def send_password_reset(user: User) -> str:
    """Mail the link to set a new password; returns it."""
    return _invitation_link(user, "password_reset")


def send_reminders(session: Session) -> int:
    """Mail every organisation its offers not confirmed for a long time, with links that work
    without signing in; returns the number of mails."""
    sent = 0
    for reminder in reminders(session):
        languages = mail_languages(organisation_language(reminder.organisation))
        offers = [{"title": _titles(offer, languages),
                   "links": {lang: {action: url_for("freshness.act", lang=lang,
                                                    token=action_token(offer, action),
                                                    _external=True)
                                    for action in REMINDER_ACTIONS}
                             for lang in languages}}
                  for offer in reminder.offers]
        for recipient in reminder.recipients:
            send_template(recipient, "reminder", languages, offers=offers,
                          organisation=reminder.organisation.name, days=LINK_DAYS)
            sent += 1
    return sent


def send_problem_report(session: Session, report: ProblemReport) -> None:
    """Tell the organisation what someone reported about its entry."""
    offer = report.offer
    languages = mail_languages(organisation_language(offer.organisation))
    links = {lang: url_for("public.offer", lang=lang, external_id=offer.external_id,
                           _external=True) for lang in languages}
    for address in organisation_addresses(session, offer):
        send_template(address, "problem_report", languages, title=_titles(offer, languages),
                      links=links, message=report.message)


def send_returned(session: Session, proposal: Proposal) -> None:
    """Tell the author of a change that a moderator returned it, with the comment."""
    if proposal.author is None:
        return
    entry = proposal.offer or proposal.event
    organisation = entry.organisation if entry is not None else proposal.organisation
    languages = mail_languages(organisation_language(organisation))
    if entry is not None:
        title = _titles(entry, languages)
        edit = "manage.edit_offer" if proposal.offer is not None else "manage.edit_event"
        links = {lang: url_for(edit, lang=lang, external_id=entry.external_id, _external=True)
                 for lang in languages}
    else:
        title = {lang: organisation.name for lang in languages}
        links = {lang: url_for("manage.organisation_profile", lang=lang,
                               organisation_id=organisation.external_id, _external=True)
                 for lang in languages}
    send_template(proposal.author.email, "returned", languages, title=title, links=links,
                  comment=proposal.comment)


def send_help_call_reminders(session: Session) -> int:
    """Mail every organisation its calls for help ending within a week, with links to extend
    or remove them that work without signing in; each end date is reminded once. Returns the
    number of mails; the caller commits."""
    by_org: dict[int, list] = {}
    for call in ending_soon(session):
        by_org.setdefault(call.organisation_id, []).append(call)
    sent = 0
    for calls in by_org.values():
        organisation = calls[0].organisation
        languages = mail_languages(organisation_language(organisation))
        items = [{"title": _titles(call, languages), "end_date": call.end_date,
                  "links": {lang: {action: url_for("take_part.act", lang=lang,
                                                   token=help_call_token(call, action),
                                                   _external=True)
                                   for action in HELP_CALL_ACTIONS}
                            for lang in languages}}
                 for call in calls]
        for recipient in organisation_addresses(session, calls[0]):
            send_template(recipient, "help_call_reminder", languages, calls=items,
                          organisation=organisation.name, days=LINK_DAYS)
            sent += 1
        for call in calls:
            call.reminded_for = call.end_date
    session.flush()
    return sent


def send_help_call_returned(session: Session, call: HelpCall) -> None:
    """Tell the organisation's editors that a moderator returned their call for help, with the
    comment and the link to work on it."""
    languages = mail_languages(organisation_language(call.organisation))
    links = {lang: url_for("manage.edit_help_call", lang=lang, call_id=call.external_id,
                           _external=True) for lang in languages}
    for address in organisation_addresses(session, call):
        send_template(address, "returned", languages, title=_titles(call, languages),
                      links=links, comment=call.review_comment or "")
