"""Mapping files: how another directory's taxonomy terms become our categories and target
groups (``wegweiser/data/hsds/*.toml``; see ``ohana-smc.toml`` for a commented example).

Terms of our own taxonomies (``wegweiser-categories``, ``wegweiser-target-groups``, as we
export them) need no mapping: their codes are our slugs.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..lookups import fold_key

MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "hsds"
DEFAULT = MAPPINGS / "default.toml"


class MappingError(ValueError):
    """A mapping file that cannot be read or names values we do not have."""


@dataclass(frozen=True)
class Mapping:
    name: str
    text_language: str = "en"
    categories: dict[str, list[str]] = field(default_factory=dict)  # folded term → slugs
    target_groups: dict[str, list[str]] = field(default_factory=dict)
    fallback_category: str | None = None

    def lookup(self, kind: str, *keys: str) -> list[str]:
        table = self.categories if kind == "categories" else self.target_groups
        for key in keys:
            if key and fold_key(key) in table:
                return table[fold_key(key)]
        return []


def _table(raw, name: str, path: Path) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise MappingError(f"{path.name}: [{name}] must be a table")
    table = {}
    for key, value in raw.items():
        slugs = [value] if isinstance(value, str) else value
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            raise MappingError(f"{path.name}: {name}.{key} must be a slug or a list of slugs")
        table[fold_key(key)] = slugs
    return table


def load_mapping(path: Path | None = None) -> Mapping:
    path = Path(path or DEFAULT)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path.name}: cannot be read: {exc}") from exc
    return Mapping(name=path.name, text_language=raw.get("text_language", "en"),
                   categories=_table(raw.get("categories", {}), "categories", path),
                   target_groups=_table(raw.get("target_groups", {}), "target_groups", path),
                   fallback_category=raw.get("fallback_category"))


def check_mapping(mapping: Mapping, lookups) -> list[str]:
    """Slugs in the mapping that our vocabularies do not have."""
    wrong = []
    for kind, vocab in (("categories", lookups.categories),
                        ("target_groups", lookups.target_groups)):
        table = mapping.categories if kind == "categories" else mapping.target_groups
        for key, slugs in table.items():
            wrong += [f"{mapping.name}: {kind}.{key}: unknown {s!r}" for s in slugs
                      if vocab.find(s) is None]
    if mapping.fallback_category and lookups.categories.find(mapping.fallback_category) is None:
        wrong.append(f"{mapping.name}: fallback_category: unknown {mapping.fallback_category!r}")
    if lookups.languages.find(mapping.text_language) is None:
        wrong.append(f"{mapping.name}: text_language: unknown {mapping.text_language!r}")
    return wrong
