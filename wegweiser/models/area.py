from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

CITY, DISTRICT, QUARTER = "city", "district", "quarter"


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

    def lineage(self) -> list[Area]:
        """This area and its ancestors up to (not including) the city."""
        chain, node = [], self
        while node is not None and node.kind != CITY:
            chain.append(node)
            node = node.parent
        return chain

    def __repr__(self) -> str:
        return f"<Area {self.slug}>"
