"""INSERT ... ON CONFLICT for the databases Tandem runs on (PostgreSQL and SQLite), in one round trip."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert_returning_id(
    session: Session, table: sa.Table, values: dict[str, Any], keys: list[str], update: list[str]
) -> int:
    """Insert ``values`` or update the ``update`` columns of the row with the same ``keys``; return its id."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={name: getattr(stmt.excluded, name) for name in update}
    ).returning(table.c.id)
    return session.execute(stmt).scalar_one()
