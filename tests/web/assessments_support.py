"""Shared helpers of the assessments tests: a programme with participants, and takes written directly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from tests.web.programme_support import INSTRUCTOR, launch, seed_participants, set_up_programme

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def programme_with(app, platform, tool, browser, people, context_id: str = "course-1") -> tuple[int, dict[str, int]]:
    """A trainer launches and sets the programme up; ``people`` are seeded. Returns (programme id, subject -> person id)."""
    from plugin.extensions import db
    from plugin.models import Course, Programme

    launch(platform, browser, INSTRUCTOR, context={"id": context_id, "label": context_id, "title": f"Course {context_id}"}, user_id=f"trainer-{context_id}")
    set_up_programme(browser, tool)
    ids = seed_participants(app, people, context_id=context_id)
    with app.app_context():
        programme_id = db.session.scalar(sa.select(Programme.id).join(Course, Course.id == Programme.course_id).where(Course.context_id == context_id))
    return programme_id, ids


def add_take(app, programme_id: int, person_id: int, levels: Mapping[str, int], *, kind: str = "start", days: int = 0, questionnaire: str = "digcomp-self-check") -> None:
    """A take written straight to the database (the levels as given; no answers)."""
    from plugin.extensions import db
    from plugin.models import AssessmentTake, Participant, Programme

    with app.app_context():
        participant = db.session.scalar(sa.select(Participant).where(Participant.programme_id == programme_id, Participant.person_id == person_id))
        organisation_id = db.session.get(Programme, programme_id).organisation_id
        db.session.add(
            AssessmentTake(
                organisation_id=organisation_id, programme_id=programme_id, participant_id=participant.id, person_id=person_id,
                questionnaire=questionnaire, version=1, kind=kind, answers={}, levels=dict(levels), taken_at=T0 + timedelta(days=days),
            )
        )
        db.session.commit()


def table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """The rows of the table ``table_id``: first cell's text -> the other cells' texts."""
    import html
    import re

    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert match, f"no table {table_id}"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S):
        cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", c))).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells and not row.lstrip().startswith("<th scope=\"col\""):
            rows[cells[0]] = cells[1:]
    return rows
