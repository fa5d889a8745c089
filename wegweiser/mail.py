"""Sending e-mail: by SMTP when configured, otherwise into the outbox folder (and the log), so
invitations and password resets work on the embedded defaults too."""
from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def outbox_dir() -> Path:
    return Path(current_app.config.get("WEGWEISER_OUTBOX") or
                Path(current_app.instance_path) / "outbox")


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
