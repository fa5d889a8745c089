"""Matching vocabulary values written by people: slug or label in any language, any case, with
or without accents ("Connewitz", "connewitz", "Frauen", "women", "Schleussig")."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import QUARTER, Area, Category, Language, TargetGroup


def fold_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().casefold())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.replace("ß", "ss").split())


@dataclass
class Vocabulary:
    """One vocabulary: folded slug or label → object; labels shared by two objects are left out.
    Identifiers (slugs, codes) name one object each and win over a label that is spelt alike:
    Dresden's Stadtteil ``blasewitz`` stays findable beside the Stadtbezirk named Blasewitz."""

    name: str
    by_key: dict[str, object] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    identifiers: dict[str, object] = field(default_factory=dict)
    found: dict[str, object] = field(default_factory=dict, repr=False)  # value → find(value)

    def add(self, key: str | None, obj, identifier: bool = False) -> None:
        if not key:
            return
        self.found.clear()
        folded = fold_key(key)
        if identifier:
            self.identifiers.setdefault(folded, obj)
        existing = self.by_key.get(folded)
        if existing is not None and existing is not obj:
            self.ambiguous.add(folded)
        else:
            self.by_key[folded] = obj

    def find(self, value: str):
        """The object ``value`` names, or None (an import asks for the same few again and
        again: the answers are kept, at most MAX_FOUND)."""
        if value in self.found:
            return self.found[value]
        folded = fold_key(value)
        if folded in self.identifiers:
            obj = self.identifiers[folded]
        else:
            obj = None if folded in self.ambiguous else self.by_key.get(folded)
        if len(self.found) < MAX_FOUND:
            self.found[value] = obj
        return obj


MAX_FOUND = 10_000


@dataclass
class Lookups:
    categories: Vocabulary
    target_groups: Vocabulary
    languages: Vocabulary
    areas: Vocabulary

    @classmethod
    def load(cls, session: Session) -> Lookups:
        vocabularies = {}
        for name, model in (("categories", Category), ("target_groups", TargetGroup)):
            vocab = Vocabulary(name)
            for obj in session.scalars(select(model)):
                vocab.add(obj.slug, obj, identifier=True)
                for label in obj.labels.values():
                    vocab.add(label, obj)
            vocabularies[name] = vocab
        languages = Vocabulary("languages")
        for lang in session.scalars(select(Language)):
            languages.add(lang.code, lang, identifier=True)
            languages.add(lang.autonym, lang)
            for label in lang.labels.values():
                languages.add(label, lang)
        areas = Vocabulary("areas")
        for area in session.scalars(select(Area)):
            areas.add(area.slug, area, identifier=True)
            for name in area.names:
                areas.add(name, area)
            if area.kind == QUARTER and area.code:
                areas.add(area.code, area, identifier=True)
        return cls(areas=areas, languages=languages, **vocabularies)
