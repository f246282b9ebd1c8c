"""Read side of the role home pages; every query is scoped to the actor's organisation."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed
from plugin.domain.launches import LaunchFacts
from plugin.domain.roles import Role
from plugin.models import Course, Deployment, Job, Membership, Organisation, Person, Programme, Registration, Tandem
from plugin.services import health, jobs, programmes, proposals
from plugin.services.launches import Actor


@dataclass(frozen=True)
class CourseSummary:
    """A course with how many people of each role have launched Tandem in it."""

    id: int
    title: str | None
    label: str | None
    trainers: int = 0
    participants: int = 0


@dataclass(frozen=True)
class PlatformSummary:
    """A registration of the organisation, with its deployments."""

    issuer: str
    client_id: str
    platform_name: str | None
    deployments: int


class Stage(enum.StrEnum):
    """Where a course's programme stands, in the order a trainer walks it (JOURNEYS.md §2)."""

    NOT_SET_UP = "not_set_up"
    NO_PARTICIPANTS = "no_participants"
    JOINED = "joined"
    MATCHING = "matching"
    REVIEW = "review"
    PUBLISHING = "publishing"
    PUBLISHED = "published"


class NextStep(enum.StrEnum):
    """The one thing the trainer does next."""

    SET_UP = "set_up"
    INVITE = "invite"
    PROFILES = "profiles"
    MATCH = "match"
    FOLLOW_MATCHING = "follow_matching"
    REVIEW = "review"
    FOLLOW_PUBLISHING = "follow_publishing"
    WAIT_FOR_ANSWERS = "wait_for_answers"
    AT_RISK = "at_risk"
    TANDEMS = "tandems"


@dataclass(frozen=True)
class TandemCounts:
    """A programme's published tandems: ``published`` counts every one not declined; of those, ``waiting`` are
    not yet accepted by both, ``accepted`` are (their tandem started), ``active`` also signed their agreement and
    ``at_risk`` of those raise a health flag."""

    published: int = 0
    waiting: int = 0
    accepted: int = 0
    active: int = 0
    at_risk: int = 0
    declined: int = 0


@dataclass(frozen=True)
class ProgrammeState:
    """Where a course's programme stands and what the trainer does next."""

    stage: Stage
    next_step: NextStep
    matching_mode: str | None = None
    participants: int = 0
    ready_digital: int = 0
    ready_expert: int = 0
    matching_job: int | None = None
    roster_job: int | None = None
    publish_job: int | None = None
    #: the last roster pull that finished (done or failed), for the participants page to say how it went
    last_roster: jobs.JobView | None = None
    proposal_id: int | None = None
    proposal_pairs: int = 0
    tandems: TandemCounts = TandemCounts()

    @property
    def ready(self) -> int:
        return self.ready_digital + self.ready_expert

    @property
    def not_ready(self) -> int:
        return self.participants - self.ready

    @property
    def can_match(self) -> bool:
        """Matching (or pairing by hand) can pair someone: a ready person on each side."""
        return self.ready_digital > 0 and self.ready_expert > 0

    @property
    def missing_sides(self) -> tuple[Side, ...]:
        """The sides without a single ready person (what keeps matching from starting)."""
        return tuple(side for side, count in ((Side.DIGITAL_MENTOR, self.ready_digital), (Side.SENIOR_EXPERT, self.ready_expert)) if count == 0)


@dataclass(frozen=True)
class Home:
    """What a role home page shows."""

    role: Role
    person_name: str | None
    organisation_name: str
    course: CourseSummary | None = None
    courses: list[CourseSummary] = field(default_factory=list)
    platforms: list[PlatformSummary] = field(default_factory=list)
    people: int = 0
    programme: ProgrammeState | None = None
    #: a participant's own tandems in the course by state: ``waiting`` (published or asked for, not yet accepted
    #: by both) and ``active``
    my_tandems: dict[str, int] = field(default_factory=dict)


def _my_tandems(session: Session, actor: Actor) -> dict[str, int]:
    """How many of the participant's tandems in the course wait for an answer and how many have started (one query)."""
    if actor.course_id is None:
        return {}
    rows = session.execute(
        sa.select(Tandem.status, sa.func.count(Tandem.id))
        .join(Programme, Programme.id == Tandem.programme_id)
        .where(
            Programme.course_id == actor.course_id,
            Programme.organisation_id == actor.organisation_id,
            sa.or_(Tandem.digital_person_id == actor.person_id, Tandem.expert_person_id == actor.person_id),
            Tandem.status.in_(("proposed", "requested", "active")),
        )
        .group_by(Tandem.status)
    ).all()
    counts = dict(rows)
    return {"waiting": counts.get("proposed", 0) + counts.get("requested", 0), "active": counts.get("active", 0)}


def _course_summaries(session: Session, organisation_id: int, course_id: int | None = None) -> list[CourseSummary]:
    """Courses of the organisation (or just ``course_id``) with their trainer and participant counts."""
    courses = sa.select(Course.id, Course.title, Course.label).where(Course.organisation_id == organisation_id)
    if course_id is not None:
        courses = courses.where(Course.id == course_id)
    courses = courses.subquery()
    rows = session.execute(
        sa.select(
            courses.c.id,
            courses.c.title,
            courses.c.label,
            sa.func.count(Membership.id).filter(Membership.role == Role.TRAINER.value).label("trainers"),
            sa.func.count(Membership.id).filter(Membership.role == Role.PARTICIPANT.value).label("participants"),
        )
        .outerjoin(Membership, Membership.course_id == courses.c.id)
        .group_by(courses.c.id, courses.c.title, courses.c.label)
        .order_by(courses.c.title, courses.c.id)
    )
    return [CourseSummary(id=r.id, title=r.title, label=r.label, trainers=r.trainers, participants=r.participants) for r in rows]


def _tandem_counts(session: Session, actor: Actor, programme: Programme, today: date) -> TandemCounts:
    """Counts of the programme's tandems by state, with the health flags of the active ones (constant queries)."""
    by_status = dict(
        session.execute(sa.select(Tandem.status, sa.func.count(Tandem.id)).where(Tandem.programme_id == programme.id).group_by(Tandem.status)).all()
    )
    if not by_status:
        return TandemCounts()
    rows = [r for r in health.tandem_list(session, actor, today) if r.status == "active"] if by_status.get("active") else []
    waiting = by_status.get("proposed", 0) + by_status.get("requested", 0)
    accepted = by_status.get("active", 0)
    return TandemCounts(
        published=waiting + accepted + by_status.get("ended", 0),
        waiting=waiting,
        accepted=accepted,
        active=sum(1 for r in rows if r.agreement_signed),
        at_risk=sum(1 for r in rows if r.flags),
        declined=by_status.get("declined", 0),
    )


def programme_state(session: Session, actor: Actor, today: date) -> ProgrammeState:
    """Where the programme of the trainer's course stands: its stage, the counts behind it and the next step.

    The number of queries does not depend on the number of participants or tandems.

    Raises:
        NotAllowed: the actor does not run the programme of a course.
    """
    programmes.require_trainer(actor)
    programme = programmes.find(session, actor)
    if programme is None:
        return ProgrammeState(Stage.NOT_SET_UP, NextStep.SET_UP)
    people = programmes.members(session, actor, programme)
    ready = {side: sum(1 for p in people if p.ready and p.side == side.value) for side in Side}
    running = dict(
        session.execute(
            sa.select(Job.kind, sa.func.max(Job.id)).where(Job.programme_id == programme.id, Job.status.in_((jobs.QUEUED, jobs.RUNNING))).group_by(Job.kind)
        ).all()
    )
    draft = proposals.current(session, actor, programme)
    tandems = _tandem_counts(session, actor, programme, today)
    roster = session.scalar(
        sa.select(Job).where(Job.programme_id == programme.id, Job.kind == "roster", Job.status.in_((jobs.DONE, jobs.FAILED))).order_by(Job.id.desc()).limit(1)
    )
    state = {
        "matching_mode": programme.matching_mode,
        "participants": len(people),
        "ready_digital": ready[Side.DIGITAL_MENTOR],
        "ready_expert": ready[Side.SENIOR_EXPERT],
        "matching_job": running.get("match"),
        "roster_job": running.get("roster"),
        "publish_job": running.get("publish"),
        "proposal_id": draft.id if draft is not None else None,
        "proposal_pairs": len(draft.pairs or ()) if draft is not None else 0,
        "tandems": tandems,
        "last_roster": None if roster is None else jobs.JobView(roster.id, roster.kind, roster.status, roster.done, roster.total, dict(roster.message or {})),
    }
    if state["matching_job"] is not None:
        return ProgrammeState(Stage.MATCHING, NextStep.FOLLOW_MATCHING, **state)
    if state["publish_job"] is not None:
        return ProgrammeState(Stage.PUBLISHING, NextStep.FOLLOW_PUBLISHING, **state)
    if draft is not None:
        return ProgrammeState(Stage.REVIEW, NextStep.REVIEW, **state)
    if tandems.published:
        if tandems.at_risk:
            step = NextStep.AT_RISK
        elif tandems.accepted:
            step = NextStep.TANDEMS
        else:
            step = NextStep.WAIT_FOR_ANSWERS
        return ProgrammeState(Stage.PUBLISHED, step, **state)
    if not people:
        return ProgrammeState(Stage.NO_PARTICIPANTS, NextStep.INVITE, **state)
    can_match = ready[Side.DIGITAL_MENTOR] > 0 and ready[Side.SENIOR_EXPERT] > 0
    if can_match:
        return ProgrammeState(Stage.JOINED, NextStep.MATCH, **state)
    everyone_ready = all(p.ready for p in people)
    return ProgrammeState(Stage.JOINED, NextStep.INVITE if everyone_ready else NextStep.PROFILES, **state)


def home_for(session: Session, actor: Actor, today: date) -> Home:
    """The home page of ``actor``: trainers and participants see their course, admins their organisation.

    Raises:
        NotAllowed: the person does not belong to the actor's organisation (a forged or stale session).
    """
    row = session.execute(
        sa.select(Person.name, Organisation.name, Course.id, Course.title, Course.label)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .outerjoin(Course, sa.and_(Course.id == actor.course_id, Course.organisation_id == actor.organisation_id))
        .where(Person.id == actor.person_id, Person.organisation_id == actor.organisation_id)
    ).one_or_none()
    if row is None:
        raise NotAllowed("unknown person for this organisation")
    person_name, org_name, course_id, title, label = row
    course = CourseSummary(id=course_id, title=title, label=label) if course_id is not None else None
    if actor.role is Role.TRAINER and course is not None:
        course = _course_summaries(session, actor.organisation_id, course.id)[0]
        state = programme_state(session, actor, today)
        return Home(role=actor.role, person_name=person_name, organisation_name=org_name, course=course, programme=state)
    if actor.role is Role.PARTICIPANT:
        return Home(role=actor.role, person_name=person_name, organisation_name=org_name, course=course, my_tandems=_my_tandems(session, actor))
    if actor.role is not Role.ORG_ADMIN:
        return Home(role=actor.role, person_name=person_name, organisation_name=org_name, course=course)
    platforms = [
        PlatformSummary(r.issuer, r.client_id, r.platform_name, r.deployments)
        for r in session.execute(
            sa.select(
                Registration.issuer,
                Registration.client_id,
                Registration.platform_name,
                sa.func.count(Deployment.id).label("deployments"),
            )
            .outerjoin(Deployment, Deployment.registration_id == Registration.id)
            .where(Registration.organisation_id == actor.organisation_id)
            .group_by(Registration.id)
            .order_by(Registration.id)
        )
    ]
    people = session.scalar(
        sa.select(sa.func.count(Person.id)).where(Person.organisation_id == actor.organisation_id)
    )
    return Home(
        role=actor.role,
        person_name=person_name,
        organisation_name=org_name,
        course=course,
        courses=_course_summaries(session, actor.organisation_id),
        platforms=platforms,
        people=people or 0,
    )


def home_after_launch(session: Session, actor: Actor, facts: LaunchFacts, organisation_name: str, today: date) -> Home:
    """The home page right after ``facts`` were recorded: what the launch said needs no query again."""
    if actor.role in (Role.ORG_ADMIN, Role.TRAINER):
        return home_for(session, actor, today)
    course = None
    if facts.course is not None and actor.course_id is not None:
        course = CourseSummary(id=actor.course_id, title=facts.course.title, label=facts.course.label)
    mine = _my_tandems(session, actor) if actor.role is Role.PARTICIPANT else {}
    return Home(role=actor.role, person_name=facts.identity.display_name, organisation_name=organisation_name, course=course, my_tandems=mine)
