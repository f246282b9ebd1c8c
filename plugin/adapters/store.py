"""The shared key/value store: Redis when configured, else a table in Tandem's own database.

Both give every gunicorn worker the same view, and both make ``take`` atomic so a nonce or an
OIDC state can be used once only.
"""

from __future__ import annotations

import random
import time

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from plugin.models import StoreEntry

_table = StoreEntry.__table__


class RedisStore:
    """Store on Redis (GETDEL and SET NX give atomicity)."""

    def __init__(self, url: str, prefix: str = "tandem:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix

    def ping(self) -> None:
        """Raise when Redis cannot be reached."""
        self._redis.ping()

    def set(self, key: str, value: str, ttl: int) -> None:
        self._redis.set(self._prefix + key, value, ex=ttl)

    def get(self, key: str) -> str | None:
        raw = self._redis.get(self._prefix + key)
        return raw.decode() if raw is not None else None

    def take(self, key: str) -> str | None:
        raw = self._redis.getdel(self._prefix + key)
        return raw.decode() if raw is not None else None

    def add(self, key: str, value: str, ttl: int) -> bool:
        return bool(self._redis.set(self._prefix + key, value, ex=ttl, nx=True))


class DatabaseStore:
    """Store in the ``store_entries`` table; each call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def _purge(self, conn: sa.Connection) -> None:
        # Expired rows are only ever ignored by reads; sweep them now and then rather than on every write.
        if random.random() < 0.01:
            conn.execute(sa.delete(_table).where(_table.c.expires_at < time.time()))

    def set(self, key: str, value: str, ttl: int) -> None:
        stmt = self._insert(_table).values(key=key, value=value, expires_at=time.time() + ttl)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at}
        )
        with self._engine.begin() as conn:
            conn.execute(stmt)
            self._purge(conn)

    def get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(_table.c.value).where(_table.c.key == key, _table.c.expires_at > time.time())
            ).scalar_one_or_none()

    def take(self, key: str) -> str | None:
        with self._engine.begin() as conn:
            return conn.execute(
                sa.delete(_table)
                .where(_table.c.key == key, _table.c.expires_at > time.time())
                .returning(_table.c.value)
            ).scalar_one_or_none()

    def add(self, key: str, value: str, ttl: int) -> bool:
        now = time.time()
        with self._engine.begin() as conn:
            # An expired entry does not count as present.
            conn.execute(sa.delete(_table).where(_table.c.key == key, _table.c.expires_at <= now))
            stmt = self._insert(_table).values(key=key, value=value, expires_at=now + ttl)
            inserted = conn.execute(stmt.on_conflict_do_nothing(index_elements=["key"]).returning(_table.c.key))
            return inserted.scalar_one_or_none() is not None
