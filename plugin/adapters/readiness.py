"""Is this instance ready for traffic: the database answers, Redis answers (when configured), the schema is current.

Each check runs in its own daemon thread and gets ``timeout`` seconds: a database or Redis that hangs makes the
probe say ``timeout`` instead of hanging the probe (and the load balancer's health check) with it. On PostgreSQL
the check's connection has ``statement_timeout`` (the timeout) and ``lock_timeout`` (two thirds of it), so a query
stuck behind a lock or running long ends, and its thread with it. An answer is kept ``cache`` seconds: a burst of
probes (several load balancers, a retry loop) costs one check, and at most one check's threads start each second.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import cached_property

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from plugin.services import ops

OK = "ok"


def _brief(exc: BaseException) -> str:
    """The kind of failure, without host names, passwords or SQL (the answer is public)."""
    return type(exc).__name__


class Readiness:
    """The checks of one app: ``check()`` -> ({part: "ok" or why not}, all ok)."""

    def __init__(self, database_url: str, migrations: str, redis_url: str | None = None, timeout: float = 1.5, cache: float = 1.0) -> None:
        self._timeout = timeout
        self._cache = cache
        self._migrations = migrations
        self._redis_url = redis_url
        self._lock = threading.Lock()
        self._answer: tuple[float, tuple[dict[str, str], bool]] | None = None
        connect_args: dict[str, object] = {"timeout": timeout}
        if database_url.startswith("postgresql"):
            milliseconds = int(timeout * 1000)
            connect_args = {
                "connect_timeout": max(1, int(timeout)),
                "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds * 2 // 3}",
            }
        # its own connections (none kept): a probe never waits for, or spoils, the app's pool
        self._engine = sa.create_engine(database_url, poolclass=NullPool, connect_args=connect_args)
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)

    @cached_property
    def heads(self) -> set[str]:
        """The head revision(s) of the code's migrations."""
        config = Config()
        config.set_main_option("script_location", self._migrations)
        return set(ScriptDirectory.from_config(config).get_heads())

    def _database(self) -> tuple[str, str]:
        with Session(self._engine) as session:
            session.execute(sa.text("SELECT 1"))
            revisions = ops.database_revisions(session)
        if revisions is None:
            return OK, "not migrated: run `tandem db upgrade`"
        if revisions != self.heads:
            return OK, f"not current: the database is at {', '.join(sorted(revisions))}, the code at {', '.join(sorted(self.heads))}: run `tandem db upgrade`"
        return OK, OK

    def _ping_redis(self) -> str:
        assert self._redis is not None
        self._redis.ping()
        return OK

    def check(self) -> tuple[dict[str, str], bool]:
        """Every check's answer ("ok", or what is wrong) and whether all are ok; the checks run side by side.

        The answer of a check less than ``cache`` seconds old is given again; probes meanwhile wait for the one running."""
        with self._lock:
            if self._answer is not None and self._answer[0] > time.monotonic():
                return self._answer[1]
            answer = self._check()
            self._answer = (time.monotonic() + self._cache, answer)
            return answer

    def _check(self) -> tuple[dict[str, str], bool]:
        deadline = time.monotonic() + self._timeout
        database = _Bounded(self._database)
        redis = _Bounded(self._ping_redis) if self._redis is not None else None
        checks: dict[str, str] = {}
        answer = database.result(deadline)
        if isinstance(answer, tuple):
            checks["database"], checks["migrations"] = answer
        else:
            checks["database"], checks["migrations"] = str(answer), "unknown: the database did not answer"
        if redis is not None:
            checks["redis"] = str(redis.result(deadline))
        return checks, all(value == OK for value in checks.values())

    def close(self) -> None:
        self._engine.dispose()


class _Bounded:
    """``work()`` on a daemon thread: its result, "unreachable: <kind>" when it raised, "timeout: ..." when late."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._work = work
        self._result: list[object] = []
        self._thread = threading.Thread(target=self._run, name="tandem-readiness", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result.append(self._work())
        except Exception as exc:
            self._result.append(f"unreachable: {_brief(exc)}")

    def result(self, deadline: float) -> object:
        self._thread.join(max(0.0, deadline - time.monotonic()))
        return self._result[0] if self._result else "timeout: no answer in time"
