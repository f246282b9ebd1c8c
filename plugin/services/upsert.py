"""INSERT ... ON CONFLICT for the databases Tandem runs on (PostgreSQL and SQLite), in one round trip.

Statements are built once per table and dialect and executed with parameters, so a launch does
not pay for building SQL expressions every time (SQLAlchemy caches their compiled form too).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_STATEMENTS: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], Any] = {}


def _statement(dialect: str, table: sa.Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Any:
    cache_key = (dialect, table.name, keys, update)
    stmt = _STATEMENTS.get(cache_key)
    if stmt is None:
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        stmt = insert.on_conflict_do_update(
            index_elements=list(keys), set_={name: insert.excluded[name] for name in update}
        ).returning(table.c.id)
        _STATEMENTS[cache_key] = stmt
    return stmt


def upsert_returning_id(
    session: Session, table: sa.Table, values: dict[str, Any], keys: list[str], update: list[str]
) -> int:
    """Insert ``values`` or update the ``update`` columns of the row with the same ``keys``; return its id."""
    stmt = _statement(session.get_bind().dialect.name, table, tuple(keys), tuple(update))
    return session.execute(stmt, values).scalar_one()
