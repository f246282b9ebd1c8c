"""Prometheus metrics (prometheus_client): what the processes count, and what the database says at scrape time.

Counted by the process that sees it: launches by outcome and reason, request latency. Under ``tandem serve``
(several gunicorn workers) these are written to per-process files in ``PROMETHEUS_MULTIPROC_DIR`` and every
worker's scrape sums all of them (prometheus_client's multiprocess mode), so a counter is right whichever
worker answers. Read from the database on each scrape (``DatabaseCollector``): the score outbox's depth, the
age of its oldest pending score and its rows by status, and the durations of finished background jobs, so they are
right across instances and whatever ``tandem worker`` did.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.orm import Session

from plugin.services import ops

log = logging.getLogger("tandem.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: seconds: a launch is a few ms, a page view a few tens, a dashboard of 10,000 a second
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: seconds: a roster page or a small pool in well under a second, 50,000 people in several
JOB_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
_REASON = re.compile(r"[a-z0-9_]{1,40}")
#: the methods a label may name; anything else a client sends (BREW, PROPFIND, junk) is ``other``
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: the files prometheus_client's multiprocess mode writes (never anything else in the folder is removed)
_FILES = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_\d+\.db")


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """The folder for the workers' metric files: PROMETHEUS_MULTIPROC_DIR (emptied of old metric files) or a new one.

    Sets PROMETHEUS_MULTIPROC_DIR for the processes started after; returns the folder and whether it was made here."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for path in folder.iterdir():
            if _FILES.fullmatch(path.name):  # counts of an earlier run would add to this one's
                path.unlink(missing_ok=True)
        return folder, False
    folder = Path(tempfile.mkdtemp(prefix="tandem-metrics-"))
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder, True


def remove_multiprocess_dir(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def _use_environment_value_class() -> None:
    # prometheus_client chooses how values are kept (in memory, or in multiprocess files) when it is first
    # imported; the `tandem` command imports it in gunicorn's master before `serve` sets
    # PROMETHEUS_MULTIPROC_DIR, so each worker chooses again before it makes its metrics.
    if multiprocess() != getattr(values.ValueClass, "_multiprocess", False):
        values.ValueClass = values.get_value_class()
    if multiprocess():  # a folder named in the environment may not exist yet (`serve` makes it after a first app)
        Path(os.environ[MULTIPROC_ENV]).mkdir(parents=True, exist_ok=True)


def method_label(method: str) -> str:
    """A bounded label value for an HTTP method: one of METHODS, else ``other``."""
    return method if method in METHODS else "other"


def reason_label(reason: str | None) -> str:
    """A bounded label value: the machine reason if it looks like one (``bad_signature``), else ``other``."""
    return reason if reason and _REASON.fullmatch(reason) else "other"


class DatabaseCollector:
    """Metric families computed from the database at each scrape (a prometheus_client custom collector)."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("tandem_metrics_database_up", "1 when the database answered this scrape's questions, else 0.")
        session = self._session_factory()
        try:
            stats = ops.outbox_stats(session)
            durations = ops.job_durations(session)
        except Exception as exc:  # a scrape during a database outage says so instead of failing
            log.warning("metrics: the database did not answer: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        finally:
            session.close()
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("tandem_score_outbox_pending", "Scores waiting to be delivered to the gradebooks.", value=stats.pending)
        yield GaugeMetricFamily("tandem_score_outbox_oldest_pending_age_seconds", "Age of the oldest score waiting to be delivered (0 when none waits).", value=stats.oldest_pending_seconds)
        # a gauge, not a counter: a row's status changes (a resend or an erasure turns failed into superseded)
        rows = GaugeMetricFamily("tandem_score_outbox_rows", "Rows of the score outbox now, by status (pending, sent, failed, superseded by a newer score).", labels=["status"])
        for status, count in stats.rows.items():
            rows.add_metric([status], count)
        yield rows
        yield CounterMetricFamily("tandem_score_delivery_attempts", "Delivery attempts made for the outbox's scores (retries included).", value=stats.attempts)
        yield _job_histogram(durations)


def _job_histogram(durations: list[ops.JobDuration]) -> HistogramMetricFamily:
    family = HistogramMetricFamily("tandem_job_duration_seconds", "Durations of finished background jobs (matching, roster, publishing), from start to end.", labels=["kind", "status"])
    groups: dict[tuple[str, str], list[float]] = {}
    for job in durations:
        groups.setdefault((job.kind, job.status), []).append(job.seconds)
    for (kind, status), seconds in sorted(groups.items()):
        buckets = [(_bound(b), sum(1 for s in seconds if s <= b)) for b in JOB_BUCKETS]
        buckets.append(("+Inf", len(seconds)))
        family.add_metric([kind, status], buckets, sum(seconds))
    return family


def _bound(value: float) -> str:
    return repr(float(value))


class Metrics:
    """The metrics of one app: its counters, and how to render a scrape."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        _use_environment_value_class()
        self._multiprocess = multiprocess()
        # one registry per app (tests build many apps in one process); in multiprocess mode the values
        # live in files and a scrape reads them through a MultiProcessCollector instead
        self._registry = CollectorRegistry()
        own = None if self._multiprocess else self._registry
        self.launches = Counter("tandem_launches", "LTI logins and launches by outcome (accepted, rejected) and machine reason.", ["outcome", "reason"], registry=own)
        self.requests = Histogram(
            "tandem_http_request_duration_seconds", "Time to answer a request, by endpoint, method and status class.", ["endpoint", "method", "status"], registry=own, buckets=LATENCY_BUCKETS
        )
        self._database = DatabaseCollector(session_factory)
        if not self._multiprocess:
            self._registry.register(self._database)

    def count_launch(self, outcome: str, reason: str | None = None) -> None:
        """One login or launch ended: ``accepted`` (reason ``ok``) or ``rejected`` with its machine reason."""
        self.launches.labels(outcome, "ok" if outcome == "accepted" else reason_label(reason)).inc()

    def observe_request(self, endpoint: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(endpoint, method_label(method), f"{status // 100}xx").observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """A scrape in Prometheus' text format, and its content type."""
        registry = self._registry
        if self._multiprocess:  # every worker's files, read now
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            registry.register(self._database)
        return generate_latest(registry), CONTENT_TYPE_LATEST
