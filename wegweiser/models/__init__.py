"""The data model. Search imports models, never the reverse."""
from .area import CITY, DISTRICT, QUARTER, Area
from .audit import AUDIT_KINDS, AuditEvent, RecoveryCode
from .base import Base, utcnow
from .changelog import ChangeLogEntry
from .event import EVENT_TEXT_FIELDS, Event, EventText
from .help_call import HELP_TEXT_FIELDS, HelpCall, HelpCallText
from .join_request import (
    ACCEPTED,
    CLAIM,
    DECLINED,
    JOIN,
    SUGGESTION,
    UNVERIFIED,
    WAITING,
    JoinRequest,
)
from .needs import UnmetSearchCount
from .offer import (
    ARCHIVED,
    COSTS,
    DRAFT,
    IN_REVIEW,
    PUBLISHED,
    STATUSES,
    TEXT_FIELDS,
    Offer,
    OfferClosure,
    OfferClosureText,
    OfferText,
    OpeningHours,
)
from .organisation import Organisation, OrganisationText
from .proposal import APPROVED, CLOSED, PENDING, RETURNED, Proposal
from .report import OPEN, RESOLVED, ProblemReport
from .revision import Revision
from .user import ADMIN, EDITOR, MODERATOR, ROLES, Membership, User
from .vocabulary import Category, Language, TargetGroup

__all__ = [
    "ACCEPTED", "CLAIM", "DECLINED", "JOIN", "SUGGESTION", "UNVERIFIED", "WAITING",
    "JoinRequest",
    "AUDIT_KINDS", "AuditEvent", "RecoveryCode",
    "OPEN", "RESOLVED", "ProblemReport",
    "APPROVED", "CLOSED", "PENDING", "RETURNED", "Proposal",
    "ADMIN", "ARCHIVED", "CITY", "COSTS", "DISTRICT", "DRAFT", "EDITOR", "IN_REVIEW", "MODERATOR",
    "PUBLISHED", "QUARTER", "ROLES", "STATUSES", "TEXT_FIELDS", "Area", "Base", "Category",
    "ChangeLogEntry", "EVENT_TEXT_FIELDS", "Event", "EventText", "Language", "Membership",
    "Offer", "OfferClosure", "OfferClosureText", "OfferText", "OpeningHours",
    "Organisation", "OrganisationText", "Revision", "TargetGroup", "UnmetSearchCount", "User",
    "utcnow", "HELP_TEXT_FIELDS", "HelpCall", "HelpCallText",
]
