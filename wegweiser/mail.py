"""Sending e-mail: by SMTP when configured, otherwise into the outbox folder (and the log), so
invitations and password resets work on the embedded defaults too.

Mail texts are Jinja templates in ``templates/mail/<name>.txt`` with gettext: the first line is
the subject, the rest the body. A mail is written in its recipient's language where it is
known, otherwise in German and English, one after the other."""
from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app, render_template

from .i18n import in_language, ui_languages

log = logging.getLogger(__name__)


def outbox_dir() -> Path:
    return Path(current_app.config.get("WEGWEISER_OUTBOX") or
                Path(current_app.instance_path) / "outbox")


BOTH = ("de", "en")  # when the recipient's language is not known
SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


def mail_languages(language: str | None) -> tuple[str, ...]:
    """The languages of a mail to someone whose language is ``language`` (None: unknown)."""
    return (language,) if language in ui_languages() else BOTH


def render_mail(name: str, languages: tuple[str, ...], **context) -> tuple[str, str]:
    """Subject and body of ``templates/mail/<name>.txt`` in each of ``languages`` (the
    template sees its language as ``mail_lang``)."""
    subjects, bodies = [], []
    for lang in languages:
        with in_language(lang):
            text = render_template(f"mail/{name}.txt", mail_lang=lang, **context)
        subject, _, body = text.strip().partition("\n")
        subjects.append(subject.strip())
        bodies.append(body.strip())
    return " / ".join(subjects), SEPARATOR.join(bodies) + "\n"


def send_template(to: str, name: str, languages: tuple[str, ...], **context) -> None:
    send_mail(to, *render_mail(name, languages, **context))


def send_mail(to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = current_app.config["WEGWEISER_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    server = current_app.config.get("WEGWEISER_SMTP_HOST")
    if server:
        with smtplib.SMTP(server, current_app.config.get("WEGWEISER_SMTP_PORT", 587)) as smtp:
            smtp.starttls()
            user = current_app.config.get("WEGWEISER_SMTP_USER")
            if user:
                smtp.login(user, current_app.config["WEGWEISER_SMTP_PASSWORD"])
            smtp.send_message(message)
        return
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = folder / f"{stamp}-{to.replace('@', '_at_')}.eml"
    path.write_bytes(bytes(message))
    log.warning("no SMTP server configured: mail to %s written to %s\n%s", to, path, body)
