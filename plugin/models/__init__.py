"""Every model, imported here so Alembic's autogenerate sees them all."""

from plugin.models.base import Base
from plugin.models.modules import OrgModule
from plugin.models.people import Course, Launch, Membership, Person
from plugin.models.store import StoreEntry
from plugin.models.tenancy import Deployment, Organisation, Registration, ToolKey

__all__ = [
    "Base",
    "Course",
    "Deployment",
    "Launch",
    "Membership",
    "OrgModule",
    "Organisation",
    "Person",
    "Registration",
    "StoreEntry",
    "ToolKey",
]
