"""The course's gradebook deliveries as its trainers see them: every learner's latest score, whatever it is for
(a tandem's or a group's module track, an event's attendance), and a failed delivery sent again.

Scores are queued by the capabilities that grade (:mod:`plugin.services.score_queue`) and delivered by the
outbox worker (:mod:`plugin.services.outbox`). Only the trainers and organisation administrators of the
course read or resend them; a delivery of another course or organisation is unknown (NotFound).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import scores
from plugin.domain.errors import NotFound, RuleViolation
from plugin.models import Event, Group, Person, Placement, ScoreOutbox
from plugin.models.base import utcnow
from plugin.services.launches import Actor
from plugin.services.programmes import require_trainer

#: what a score is for
TANDEM, GROUP, EVENT = "tandem", "group", "event"


@dataclass(frozen=True)
class GradeRow:
    """The latest score delivery for one learner and one line item (a module, or an event)."""

    outbox_id: int
    person_id: int
    person_name: str | None
    #: the module slug the line item grades (``event-<id>`` for an event; a group's ``group-<id>:<slug>`` gives ``<slug>``)
    module_slug: str
    module_version: int
    #: tandem, group or event
    owner: str
    #: the tandem's, group's or event's id
    owner_id: int
    #: the group's name or the event's title (None for a tandem)
    owner_name: str | None
    #: for a group: its kind (open, closed, private or focused)
    group_kind: str | None
    status: str  # synced, pending or failed
    score: int
    reason: str | None
    attempts: int

    @property
    def tandem_id(self) -> int | None:
        return self.owner_id if self.owner == TANDEM else None


def _owner(row: ScoreOutbox) -> tuple[str, int] | None:
    if row.tandem_id is not None:
        return TANDEM, row.tandem_id
    if row.group_id is not None:
        return GROUP, row.group_id
    if row.event_id is not None:
        return EVENT, row.event_id
    return None


def grade_overview(session: Session, actor: Actor) -> list[GradeRow]:
    """Every learner's latest score per line item in the actor's course (trainers): failed first, then pending, then synced.

    :raise NotAllowed: not a trainer or organisation administrator of a course.
    """
    require_trainer(actor)
    rows = session.execute(
        sa.select(ScoreOutbox, Placement.module_slug, Placement.module_version, Person.name, Group.name, Group.kind, Event.title)
        .join(Placement, Placement.id == ScoreOutbox.placement_id)
        .join(Person, Person.id == ScoreOutbox.person_id)
        .outerjoin(Group, Group.id == ScoreOutbox.group_id)
        .outerjoin(Event, Event.id == ScoreOutbox.event_id)
        .where(Placement.course_id == actor.course_id, ScoreOutbox.organisation_id == actor.organisation_id, ScoreOutbox.status != "superseded")
        .order_by(ScoreOutbox.id)
    )
    latest: dict[tuple[int, str], GradeRow] = {}
    for row, slug, version, name, group_name, group_kind, event_title in rows:
        owner = _owner(row)
        if owner is None:
            continue
        kind, owner_id = owner
        label = group_name if kind == GROUP else event_title if kind == EVENT else None
        status = "synced" if row.status == "sent" else row.status
        latest[(row.person_id, slug)] = GradeRow(
            row.id, row.person_id, name, scores.module_of_line_item(slug), version, kind, owner_id, label, group_kind if kind == GROUP else None, status, row.score_given, row.last_error, row.attempts
        )
    order = {"failed": 0, "pending": 1, "synced": 2}
    return sorted(latest.values(), key=lambda g: (order.get(g.status, 3), g.person_name or "", g.module_slug))


def resend(session: Session, actor: Actor, outbox_id: int) -> None:
    """A trainer of the course sends a failed score again (a new delivery with a later timestamp; the caller commits).

    :raise NotAllowed: not a trainer or organisation administrator.  :raise NotFound: no such delivery in the
        actor's course and organisation.  :raise RuleViolation: the delivery did not fail.
    """
    require_trainer(actor)
    row = session.scalar(
        sa.select(ScoreOutbox)
        .join(Placement, Placement.id == ScoreOutbox.placement_id)
        .where(ScoreOutbox.id == outbox_id, ScoreOutbox.organisation_id == actor.organisation_id, Placement.course_id == actor.course_id)
        .with_for_update(of=ScoreOutbox)
    )
    if row is None or _owner(row) is None:
        raise NotFound("no such delivery")
    if row.status != "failed":
        raise RuleViolation("only a failed delivery can be sent again", "status")
    last = session.scalar(sa.select(ScoreOutbox.timestamp).where(ScoreOutbox.placement_id == row.placement_id, ScoreOutbox.person_id == row.person_id).order_by(ScoreOutbox.id.desc()).limit(1))
    stamp = scores.next_timestamp(datetime.fromisoformat(last) if last else None, utcnow())
    session.add(
        ScoreOutbox(
            organisation_id=row.organisation_id,
            tandem_id=row.tandem_id,
            group_id=row.group_id,
            event_id=row.event_id,
            placement_id=row.placement_id,
            person_id=row.person_id,
            score_given=row.score_given,
            score_maximum=row.score_maximum,
            activity_progress=row.activity_progress,
            grading_progress=row.grading_progress,
            timestamp=stamp.astimezone(UTC).isoformat(timespec="microseconds"),
            status="pending",
        )
    )
    session.execute(sa.update(ScoreOutbox).where(ScoreOutbox.id == row.id).values(status="superseded"))
    session.flush()
