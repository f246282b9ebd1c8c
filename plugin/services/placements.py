"""Where grades go: the platform's line items for a course's modules, learned from launches.

A launch of a placed module link brings its declarative line item; any launch in the course brings
the course's line-item container (kept under the empty slug) so that a module assigned without a
placed link still gets a line item, found or created by its ``resourceId`` and tag.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.launches import GradeService
from plugin.models import Placement
from plugin.models.base import utcnow

COURSE = ""  # the slug of a course's own line-item container
TAG = "tandem-module"


def record(session: Session, *, course_id: int, registration_id: int, grades: GradeService, slug: str = COURSE, version: int = 0, label: str = "", resource_link_id: str | None = None) -> None:
    """Remember (or refresh) where the grades of ``slug`` in the course go (the caller commits)."""
    row = session.scalar(sa.select(Placement).where(Placement.course_id == course_id, Placement.module_slug == slug))
    if row is None:
        row = _add_once(session, Placement(course_id=course_id, module_slug=slug, module_version=version, registration_id=registration_id, label=label or slug, lineitems_url=grades.lineitems_url, scopes=list(grades.scopes)))
    elif (row.lineitems_url, row.lineitem_url, list(row.scopes or ()), row.registration_id, row.module_version) == (grades.lineitems_url, grades.lineitem_url or row.lineitem_url, list(grades.scopes), registration_id, version):
        return
    row.registration_id = registration_id
    row.module_version = version
    row.lineitems_url = grades.lineitems_url
    if grades.lineitem_url:
        row.lineitem_url = grades.lineitem_url
    row.scopes = list(grades.scopes)
    if resource_link_id:
        row.resource_link_id = resource_link_id
    if label:
        row.label = label
    row.updated_at = utcnow()
    session.flush()


def for_module(session: Session, course_id: int, slug: str, version: int, label: str) -> Placement | None:
    """The placement of a module in the course; made from the course's container when the module was never
    launched from a placed link; None when the platform offered no gradebook in this course."""
    row = session.scalar(sa.select(Placement).where(Placement.course_id == course_id, Placement.module_slug == slug))
    if row is not None:
        return row
    course = session.scalar(sa.select(Placement).where(Placement.course_id == course_id, Placement.module_slug == COURSE))
    if course is None or not course.lineitems_url:
        return None
    return _add_once(session, Placement(course_id=course_id, module_slug=slug, module_version=version, registration_id=course.registration_id, lineitems_url=course.lineitems_url, scopes=list(course.scopes or ()), label=label))


def _add_once(session: Session, row: Placement) -> Placement:
    """Insert ``row``; when another request (worker, instance) inserted the same placement at the same moment,
    the one it stored. A savepoint keeps the caller's transaction when the insert loses that race."""
    try:
        with session.begin_nested():
            session.add(row)
    except sa.exc.IntegrityError:
        stored = session.scalar(sa.select(Placement).where(Placement.course_id == row.course_id, Placement.module_slug == row.module_slug))
        assert stored is not None  # the unique constraint that refused ours names it
        return stored
    return row


def remember_lineitem(session: Session, placement_id: int, lineitem_url: str) -> None:
    """The line item a delivery found or created, so later deliveries skip the lookup."""
    session.execute(sa.update(Placement).where(Placement.id == placement_id, Placement.lineitem_url.is_(None)).values(lineitem_url=lineitem_url))
