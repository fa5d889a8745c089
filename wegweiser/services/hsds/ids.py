"""Stable HSDS ids: uuid5 of a kind and our external id (or slug) in one fixed namespace, so
the same offer always exports with the same id and two kinds never share one."""
from __future__ import annotations

import uuid

# Fixed for good: changing it would give every exported record a new id.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://wegweiser.invalid/hsds/3.0")


def hsds_id(kind: str, *keys: str) -> str:
    """``hsds_id("service", "verein-x-sprachcafe")`` → the same UUID string every time."""
    return str(uuid.uuid5(NAMESPACE, "/".join((kind, *keys))))
