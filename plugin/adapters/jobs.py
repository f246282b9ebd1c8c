"""Run background jobs on a small thread pool of the serving process.

The request that starts a job writes its row and commits; the thread then works in its own
database session and reports progress in the row, so any worker of a multi-process server
answers the progress page. A job that raises is marked failed; nothing it wrote is kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

log = logging.getLogger("tandem.jobs")


class ThreadJobRunner:
    """Jobs on threads of this process, each in an application context with its own session."""

    def __init__(self, app: Flask, workers: int = 2) -> None:
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tandem-job")
        self._futures: dict[int, Future] = {}
        self._lock = threading.Lock()

    def submit(self, job_id: int, work: Callable[[Session], Any]) -> None:
        """Run ``work(session)`` for ``job_id``; it commits what it wants kept."""
        future = self._pool.submit(self._run, job_id, work)
        with self._lock:
            self._futures[job_id] = future

    def _run(self, job_id: int, work: Callable[[Session], Any]) -> Any:
        from plugin.adapters import logs
        from plugin.extensions import db
        from plugin.services import jobs

        with self._app.app_context(), logs.bound(f"job-{job_id}-{logs.new_id()[:8]}"):  # the job's platform calls carry its own request id
            session = db.session
            try:
                result = work(session)
                session.commit()
                return result
            except Exception as exc:
                session.rollback()
                log.exception("job %s failed", job_id)
                jobs.report(session, job_id, 0, status=jobs.FAILED, key="error", detail=type(exc).__name__)
                session.commit()
                return None
            finally:
                db.session.remove()

    def wait(self, job_id: int, timeout: float = 60.0) -> Any:
        """Wait for a job of this process (tests and the CLI)."""
        with self._lock:
            future = self._futures.get(job_id)
        return None if future is None else future.result(timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
