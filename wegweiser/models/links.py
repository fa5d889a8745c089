"""Giving loaded offers and events their vocabularies and areas straight from the link tables.

Vocabulary rows are few and the same for every offer, but loading them through each offer's
relationships reads and decodes them again (their labels and synonyms are JSON in every
language) for every link. Here the link tables are read, one small query per table, and each
offer or event gets the rows already at hand, as loaded relationships in their relationship's
order.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from .area import Area
from .offer import ClassifiedMixin
from .vocabulary import Category, Language, TargetGroup

# ClassifiedMixin's relationships in the order of its link tables: name, model, order
LINKS = (("categories", Category, "position"), ("target_groups", TargetGroup, "position"),
         ("languages", Language, "position"), ("areas", Area, "name"))


class VocabularyLinks:
    """``rows``: relationship name → id → row, the vocabulary rows and areas at hand (a row
    missing there is looked up in the session)."""

    def __init__(self, rows: dict[str, dict[int, object]]):
        self.rows = rows

    @classmethod
    def load(cls, session: Session) -> VocabularyLinks:
        """Every vocabulary row and area, read afresh."""
        rows = {name: {row.id: row for row in session.scalars(
                    select(model).execution_options(populate_existing=True))}
                for name, model, _order in LINKS}
        for area in rows["areas"].values():
            area.lineage()  # parents from the identity map, before anything is expunged
        return cls(rows)

    def attach(self, session: Session, owners: dict[int, ClassifiedMixin]) -> None:
        """Give each of ``owners`` (offers or events of one kind, by id) its categories,
        target groups, languages and areas."""
        if not owners:
            return
        ids = list(owners)
        tables = type(next(iter(owners.values())))._link_tables
        for (name, model, order), table in zip(LINKS, tables, strict=True):
            owner_column, other_column = table.columns
            linked: dict[int, list] = {owner_id: [] for owner_id in ids}
            rows = self.rows[name]
            for owner_id, other_id in session.execute(
                    select(owner_column, other_column).where(owner_column.in_(ids))):
                row = rows.get(other_id)
                if row is None:
                    row = rows[other_id] = session.get(model, other_id)
                linked[owner_id].append(row)
            for owner_id, values in linked.items():
                values.sort(key=lambda row: (getattr(row, order), row.id))
                set_committed_value(owners[owner_id], name, values)
