"""Uploaded spreadsheets kept between their preview and the moderator's "Import now".

The file waits in a folder (``WEGWEISER_IMPORT_DIR``, default ``instance/imports``) under a
random token, with the id of the user who uploaded it; only that user can import it, the
import deletes it, and files older than a day are removed at the next upload. With several
machines the folder must be shared (or a confirm on another machine finds no file and says
so, writing nothing).
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Upload:
    token: str
    kind: str  # csv or xlsx
    filename: str
    data: bytes


def _paths(folder: Path, token: str) -> tuple[Path, Path]:
    return folder / f"{token}.sheet", folder / f"{token}.json"


def keep(folder: Path, user_id: int, kind: str, filename: str, data: bytes) -> Upload:
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    token = secrets.token_urlsafe(24)
    sheet, about = _paths(folder, token)
    sheet.write_bytes(data)
    about.write_text(json.dumps({"user": user_id, "kind": kind, "filename": filename}),
                     encoding="utf-8")
    return Upload(token, kind, filename, data)


def load(folder: Path, token: str, user_id: int) -> Upload | None:
    """The file kept under ``token`` for this user; None when it is gone (imported, expired,
    another user's, or a token that was never given)."""
    if not TOKEN.match(token or ""):
        return None
    sheet, about = _paths(folder, token)
    try:
        info = json.loads(about.read_text(encoding="utf-8"))
        data = sheet.read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user") != user_id:
        return None
    return Upload(token, info["kind"], info["filename"], data)


def discard(folder: Path, token: str) -> None:
    if TOKEN.match(token or ""):
        for path in _paths(folder, token):
            path.unlink(missing_ok=True)


def _remove_old(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for path in folder.glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
