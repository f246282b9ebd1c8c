"""What Tandem sends to the LMS gradebook (LTI AGS scores), and timestamps that always move forward.

A learner's score for a module is the share of their learning track signed off. The score always says
the current truth with ``FullyGraded``, so that a withdrawal *lowers* the grade in the LMS (Moodle drops
``scoreGiven`` unless the grading is ``FullyGraded``). The one exception: a fully signed track waiting for
a trainer's countersignature is ``Submitted`` / ``PendingManual``, which the LMS shows as "needs grading".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from plugin.domain.signoffs import TrackState

MICROSECOND = timedelta(microseconds=1)
#: Moodle compares whole seconds (``strtotime``) and answers 409 unless the new second is later
SECOND = timedelta(seconds=1)


class ActivityProgress(enum.StrEnum):
    """AGS ``activityProgress``."""

    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(enum.StrEnum):
    """AGS ``gradingProgress``."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


@dataclass(frozen=True, kw_only=True)
class Score:
    """One score for one person on one line item; the LTI adapter maps ``person_id`` to the platform's user id."""

    person_id: int
    score_given: int
    score_maximum: int = 100
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    timestamp: datetime

    def __post_init__(self) -> None:
        if not 0 <= self.score_given <= self.score_maximum:
            raise ValueError(f"score {self.score_given} is not between 0 and {self.score_maximum}")
        if self.timestamp.tzinfo is None or self.timestamp.utcoffset() is None:
            raise ValueError("a score timestamp must be timezone-aware")

    def ags_payload(self, user_id: str) -> dict[str, Any]:
        """The AGS score JSON for the platform user ``user_id`` (timestamp in UTC with microseconds)."""
        return {
            "userId": user_id,
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress.value,
            "gradingProgress": self.grading_progress.value,
            "timestamp": self.timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
        }


def score_for_track(track: TrackState, learner_id: int, timestamp: datetime) -> Score:
    """The score of the person who learns in ``track``.

    complete -> 100, Completed, FullyGraded; all signed but awaiting the countersignature -> 100, Submitted,
    PendingManual; otherwise the percent signed with FullyGraded, InProgress once anything was signed (also
    after a withdrawal from a complete track, so the LMS lowers the grade) and Initialized before that.
    """
    if track.complete:
        activity, grading = ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED
    elif track.all_signed:
        activity, grading = ActivityProgress.SUBMITTED, GradingProgress.PENDING_MANUAL
    elif track.started:
        activity, grading = ActivityProgress.IN_PROGRESS, GradingProgress.FULLY_GRADED
    else:
        activity, grading = ActivityProgress.INITIALIZED, GradingProgress.FULLY_GRADED
    return Score(person_id=learner_id, score_given=track.score, activity_progress=activity, grading_progress=grading, timestamp=timestamp)


def next_timestamp(last: datetime | None, now: datetime, resolution: timedelta = MICROSECOND) -> datetime:
    """The timestamp for the next score of one (line item, user): ``now``, unless that is not later than ``last``.

    Then it is one ``resolution`` step after ``last`` (truncated to that resolution), so scores strictly increase
    even when two come in the same microsecond or the clock goes back. Pass ``resolution=SECOND`` for a platform
    that compares whole seconds (Moodle). Both datetimes must be timezone-aware; the result is in UTC.
    """
    now = _utc(now)
    if last is None:
        return now
    floor = _truncate(_utc(last), resolution)
    return now if _truncate(now, resolution) > floor else floor + resolution


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC)


def _truncate(value: datetime, resolution: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return value - (value - epoch) % resolution


#: a group's module has its own line item, so a learner's tandem grade and group grade never overwrite each other
GROUP_LINE_ITEM = re.compile(r"^group-(\d+):(.+)$")


def group_line_item(group_id: int, module_slug: str) -> str:
    """The placement slug of a group's module (``group-<id>:<slug>``)."""
    return f"group-{group_id}:{module_slug}"


def module_of_line_item(slug: str) -> str:
    """The module slug a placement slug grades (a group's line item names its module after the group's id)."""
    found = GROUP_LINE_ITEM.match(slug)
    return found.group(2) if found else slug
