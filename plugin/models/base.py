"""Declarative base with a naming convention so Alembic names constraints the same on every database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import sqlalchemy as sa
import sqlalchemy.orm as so

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


class Base(so.DeclarativeBase):
    """Base of every Tandem model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


intpk = Annotated[int, so.mapped_column(primary_key=True)]
created_at = Annotated[datetime, so.mapped_column(sa.DateTime(timezone=True), default=utcnow)]
str255 = Annotated[str, so.mapped_column(sa.String(255))]
