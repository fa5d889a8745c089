from __future__ import annotations

import re

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

CITY, DISTRICT, QUARTER = "city", "district", "quarter"
NAME_WITH_ALIAS = re.compile(r"^(?P<main>[^()]+?)\s*\((?P<alias>[^()]+)\)$")


class Area(Base):
    """A node of the city's area tree: city → Stadtbezirk (district) → Ortsteil (quarter)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.name")

    @property
    def names(self) -> tuple[str, ...]:
        """Its name and the shorter names people write for it: Dresden's "Äußere Neustadt
        (Antonstadt)" is also "Äußere Neustadt" and "Antonstadt"."""
        alias = NAME_WITH_ALIAS.match(self.name)
        return (self.name, alias["main"], alias["alias"]) if alias else (self.name,)

    def lineage(self) -> list[Area]:
        """This area and its ancestors up to (not including) the city."""
        chain, node = [], self
        while node is not None and node.kind != CITY:
            chain.append(node)
            node = node.parent
        return chain

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"
