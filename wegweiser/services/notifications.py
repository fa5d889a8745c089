"""The mails the site sends, rendered from ``templates/mail/`` in the recipient's language:
the language of the recipient's organisation (the language it writes its entries in) where
there is one, otherwise German and English. Links need a request context (the command line
makes one with its ``--base-url``)."""
from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy.orm import Session

from ..mail import mail_languages, send_template
from ..models import Event, Offer, Organisation, ProblemReport, Proposal, User
from .accounts import invitation_token
from .freshness import LINK_DAYS, action_token, reminders
from .reports import organisation_addresses

REMINDER_ACTIONS = ("confirm", "edit", "withdraw")


def organisation_language(organisation: Organisation | None) -> str | None:
    return organisation.original_language if organisation is not None else None


def _user_language(user: User) -> str | None:
    """The language of the user's organisation; unknown for staff and for editors of
    several organisations that write in different languages."""
    languages = {m.organisation.original_language for m in user.memberships}
    return languages.pop() if len(languages) == 1 else None


def _titles(target: Offer | Event, languages: tuple[str, ...]) -> dict[str, str]:
    found = {lang: target.text_in("title", lang) for lang in languages}
    return {lang: text[0] if text else target.external_id for lang, text in found.items()}


def _invitation_link(user: User, template: str) -> str:
    """Mail a link to set a password (invitation or reset) and return it."""
    token = invitation_token(user)
    languages = mail_languages(_user_language(user))
    links = {lang: url_for("auth.invitation", lang=lang, token=token, _external=True)
             for lang in languages}
    send_template(user.email, template, languages, links=links,
                  days=current_app.config["WEGWEISER_INVITATION_DAYS"])
    return links[languages[0]]


def send_invitation(user: User) -> str:
    """Invite a new (or invited again) user; returns the link."""
    return _invitation_link(user, "invitation")


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
