"""Who made a change, as the history stores it and as parts to show.

The history (``revisions.actor``) keeps a short machine form: ``user:<e-mail>`` for an account,
``import:<source>`` for an import (``import:demo``: the demo data), ``reminder link`` for an
offer confirmed from a reminder e-mail, and for a moderator's approval the moderator with the
author or the join request in brackets: ``user:<e-mail> (proposed by <e-mail>)``,
``user:<e-mail> (join request <n>)``. The words in it are keys, not text for people: the pages
read the parts with ``parse`` and say them in the reader's language (rows written before
this module have the same form).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

USER, IMPORT, REMINDER, OTHER = "user", "import", "reminder", "other"
DEMO_SOURCE = "demo"
REMINDER_LINK = "reminder link"

_BRACKET = re.compile(r"^(?P<who>.*?) \((?:proposed by (?P<author>.*)|join request "
                      r"(?P<request>\d+))\)$")


@dataclass(frozen=True)
class ActorParts:
    kind: str  # USER, IMPORT, REMINDER or OTHER (a form written by another version)
    name: str  # the e-mail address, the import's source or the stored text
    proposed_by: str | None = None  # the author's e-mail address, for an approved change
    join_request: int | None = None  # the join request a moderator accepted


def approval(moderator: str, author: str) -> str:
    """The stored form of a change a moderator approved (``moderator``: the stored form)."""
    return f"{moderator} (proposed by {author})"


def join_request(moderator: str, request_id: int) -> str:
    """The stored form of a join request a moderator accepted."""
    return f"{moderator} (join request {request_id})"


def parse(stored: str | None) -> ActorParts:
    """The parts of a stored actor (any row, old or new)."""
    text = (stored or "").strip()
    bracket = _BRACKET.match(text)
    proposed_by = join = None
    if bracket:
        text, proposed_by = bracket["who"], bracket["author"]
        join = int(bracket["request"]) if bracket["request"] else None
    for prefix, kind in (("user:", USER), ("import:", IMPORT)):
        if text.startswith(prefix):
            return ActorParts(kind, text[len(prefix):], proposed_by, join)
    if text == REMINDER_LINK:
        return ActorParts(REMINDER, text, proposed_by, join)
    return ActorParts(OTHER, text, proposed_by, join)
