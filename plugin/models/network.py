"""The mentor network made actionable: focused mentorings on one need, with their own sign-off.

A focused mentoring is a :class:`~plugin.models.groups.Group` of kind ``focused`` (its mentor, its need in
``focus``, one module in ``modules``) with one :class:`~plugin.models.groups.GroupMember`, the mentee:
``pending`` while asked, ``member`` once the mentor accepted, ``declined`` or ``left`` (the mentee took the
request back). What the two said when asking and answering is kept here, beside the group.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from plugin.models.base import Base, created_at, intpk

__all__ = ["FocusedRequest"]


class FocusedRequest(Base):
    """The mentee's request for a focused mentoring and the mentor's answer."""

    __tablename__ = "focused_requests"

    id: so.Mapped[intpk]
    group_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("groups.id"), unique=True)
    #: the mentee's short message to the mentor
    message: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the mentor's reason when declining (optional)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    answered_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime(timezone=True))
    created_at: so.Mapped[created_at]
