"""The data model. Search imports models, never the reverse."""
from .area import CITY, DISTRICT, QUARTER, Area
from .base import Base
from .changelog import ChangeLogEntry
from .offer import (
    ARCHIVED,
    COSTS,
    DRAFT,
    IN_REVIEW,
    PUBLISHED,
    STATUSES,
    TEXT_FIELDS,
    Offer,
    OfferText,
    OpeningHours,
)
from .organisation import Organisation, OrganisationText
from .revision import Revision
from .vocabulary import Category, Language, TargetGroup

__all__ = [
    "ARCHIVED", "CITY", "COSTS", "DISTRICT", "DRAFT", "IN_REVIEW", "PUBLISHED", "QUARTER",
    "STATUSES", "TEXT_FIELDS", "Area", "Base", "Category", "ChangeLogEntry", "Language", "Offer",
    "OfferText", "OpeningHours", "Organisation", "OrganisationText", "Revision", "TargetGroup",
]
