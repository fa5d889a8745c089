"""A social worker's list of offers for one client, kept only in the browser (signed cookie).

Nothing about the client is stored on the server: the list holds offer ids and a short note.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .importer import ID_PATTERN

MAX_OFFERS = 30
MAX_NOTE = 500
SHARE_SEPARATOR = "~"
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}$")


@dataclass
class Shortlist:
    ids: list[str] = field(default_factory=list)
    note: str = ""
    client_language: str = ""  # the language the sheet and the shared texts are in

    @classmethod
    def from_cookie(cls, data) -> Shortlist:
        """Whatever the cookie holds, only valid ids and a bounded note come out."""
        if not isinstance(data, dict):
            return cls()
        ids = [i for i in data.get("ids", []) if isinstance(i, str) and ID_PATTERN.match(i)]
        note = data.get("note", "")
        client = data.get("client", "")
        return cls(list(dict.fromkeys(ids))[:MAX_OFFERS],
                   note[:MAX_NOTE] if isinstance(note, str) else "",
                   client if isinstance(client, str) and LANGUAGE_PATTERN.match(client) else "")

    def to_cookie(self) -> dict:
        return {"ids": self.ids, "note": self.note, "client": self.client_language}

    @property
    def full(self) -> bool:
        return len(self.ids) >= MAX_OFFERS

    def add(self, offer_id: str, position: int | None = None) -> bool:
        """Add an offer at the end, or at ``position`` (undoing a removal)."""
        if offer_id in self.ids or self.full or not ID_PATTERN.match(offer_id):
            return False
        if position is None:
            self.ids.append(offer_id)
        else:
            self.ids.insert(min(max(position, 0), len(self.ids)), offer_id)
        return True

    def remove(self, offer_id: str) -> int | None:
        """Remove an offer; its former position, or None if it was not on the list."""
        if offer_id not in self.ids:
            return None
        position = self.ids.index(offer_id)
        self.ids.remove(offer_id)
        return position

    def move(self, offer_id: str, step: int) -> None:
        if offer_id not in self.ids:
            return
        index = self.ids.index(offer_id)
        target = min(max(index + step, 0), len(self.ids) - 1)
        self.ids.insert(target, self.ids.pop(index))

    def clear(self) -> None:
        self.ids, self.note = [], ""

    def set_note(self, note: str) -> None:
        self.note = note.strip()[:MAX_NOTE]

    def share_token(self) -> str:
        return SHARE_SEPARATOR.join(self.ids)

    @classmethod
    def from_share_token(cls, token: str) -> Shortlist:
        return cls.from_cookie({"ids": token.split(SHARE_SEPARATOR)})
