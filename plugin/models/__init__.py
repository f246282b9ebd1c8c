"""Every model, imported here so Alembic's autogenerate sees them all."""

from plugin.models.assessments import *  # noqa: F403
from plugin.models.base import Base
from plugin.models.circles import *  # noqa: F403 (each capability's models list themselves in __all__)
from plugin.models.coffee import *  # noqa: F403
from plugin.models.credentials import *  # noqa: F403
from plugin.models.erasure import *  # noqa: F403
from plugin.models.events import *  # noqa: F403
from plugin.models.groups import *  # noqa: F403
from plugin.models.network import *  # noqa: F403
from plugin.models.notifications import *  # noqa: F403
from plugin.models.modules import OrgModule
from plugin.models.people import Course, Launch, Membership, Person
from plugin.models.programmes import Job, Participant, Programme, Proposal, Tandem
from plugin.models.store import StoreEntry
from plugin.models.tandems import Agreement, CalendarFeed, ChainHead, CohortPlan, Evidence, MentoringSession, Placement, Plan, PlanItemDate, PrivateNote, Reflection, ScoreOutbox, SignoffRecord, SignoffTrackFact
from plugin.models.tenancy import Deployment, Organisation, Registration, ToolKey

__all__ = [
    "Agreement",
    "CalendarFeed",
    "ChainHead",
    "CohortPlan",
    "Evidence",
    "MentoringSession",
    "Placement",
    "Plan",
    "PlanItemDate",
    "PrivateNote",
    "Reflection",
    "ScoreOutbox",
    "SignoffRecord",
    "SignoffTrackFact",
    "Base",
    "Course",
    "Deployment",
    "Job",
    "Launch",
    "Membership",
    "OrgModule",
    "Organisation",
    "Participant",
    "Person",
    "Programme",
    "Proposal",
    "Registration",
    "StoreEntry",
    "Tandem",
    "ToolKey",
]
