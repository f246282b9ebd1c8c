"""A load of launches and page views through nginx, with one Tandem instance killed in the middle.

Each client (a thread) repeats: a full LTI launch of a new user through the LMS site (login initiation
at Tandem, /auth at the platform, the launch POST at Tandem), then two page views (Tandem's home page and
a static file). An *operation* is one launch or one page view; it fails on any wrong status, missing
text or connection error. At ``kill_at`` seconds one instance (gunicorn master and workers) is
SIGKILLed; the report splits the operations at that moment and reads nginx's access log (``msec`` and
``request_time``) for the requests that were in flight on the killed instance: sent to it before it was
gone (its master reaped; a dying instance's listening socket still queues connections) and not answered
before the kill.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

from tests.harness.platform import ROLE_LEARNER


@dataclass
class Operation:
    kind: str
    start: float
    end: float
    ok: bool
    detail: str = ""


@dataclass
class LoadReport:
    clients: int
    seconds: float
    kill_time: float | None
    gone_after: float | None
    operations: int
    operations_before_kill: int
    before_kill_errors: int
    after_kill_errors: int
    in_flight_on_killed: int
    survivor_successes_after_kill: int
    killed_requests_after_kill: int
    server_errors_after_failover: int
    launches_per_s: float
    launch_p50_ms: float
    launch_p99_ms: float
    errors: list[str] = field(default_factory=list)
    #: nginx's 5xx answers as (start, end) in seconds from the kill, for a failing assertion's message
    failed_requests: list[tuple[float, float]] = field(default_factory=list)


class LoadRun:
    """``clients`` threads for ``seconds``; ``kill`` (an ``Instance``) is SIGKILLed at ``kill_at`` seconds."""

    def __init__(self, stack, *, clients: int, seconds: float, kill_at: float | None = None, kill=None) -> None:  # noqa: ANN001
        self.stack = stack
        self.clients = clients
        self.seconds = seconds
        self.kill_at = kill_at
        self.kill = kill
        self.operations: list[Operation] = []
        self.kill_time: float | None = None
        #: when the killed master was reaped: until then its listening socket may still take connections
        self.gone_time: float | None = None
        self._lock = threading.Lock()
        self._started = 0.0

    def _record(self, kind: str, start: float, ok: bool, detail: str = "") -> None:
        with self._lock:
            self.operations.append(Operation(kind, start, time.time(), ok, detail))

    def _client(self, number: int, stop: float) -> None:
        stack, n = self.stack, 0
        while time.time() < stop:
            n += 1
            name = f"Load {number} {n}"
            browser = stack.browser()
            try:
                start = time.time()
                try:
                    result = stack.platform.launch(browser, user_id=f"load-{number}-{n}", name=name, roles=[ROLE_LEARNER])
                    response = result.response
                    ok = response is not None and response.status_code == 200 and f"Welcome, {name}." in response.text
                    detail = "" if ok else f"launch: {getattr(result.login_response, 'status_code', None)} / {getattr(response, 'status_code', None)}"
                except Exception as exc:  # noqa: BLE001 - a failed operation is counted, not fatal
                    ok, detail = False, f"launch: {type(exc).__name__}: {exc}"
                self._record("launch", start, ok, detail)
                if not ok:
                    continue
                for kind, path, expect in (("home", "/home", f"Welcome, {name}."), ("static", "/static/css/tandem.css", "")):
                    start = time.time()
                    try:
                        page = browser.get(stack.url + path, allow_redirects=False, timeout=30)
                        ok, detail = page.status_code == 200 and expect in page.text, f"{kind}: {page.status_code}"
                    except Exception as exc:  # noqa: BLE001
                        ok, detail = False, f"{kind}: {type(exc).__name__}: {exc}"
                    self._record(kind, start, ok, "" if ok else detail)
            finally:
                browser.close()

    def _killer(self) -> None:
        assert self.kill_at is not None and self.kill is not None
        time.sleep(max(0.0, self._started + self.kill_at - time.time()))
        self.kill_time = time.time()
        self.kill.kill_web()  # SIGKILL to the process group, then wait for the master to be gone
        self.gone_time = time.time()

    def run(self) -> None:
        self._started = time.time()
        stop = self._started + self.seconds
        threads = [threading.Thread(target=self._client, args=(i, stop), daemon=True) for i in range(self.clients)]
        if self.kill is not None:
            threads.append(threading.Thread(target=self._killer, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.seconds + 120)

    def report(self) -> LoadReport:
        ops = sorted(self.operations, key=lambda o: o.start)
        kill = self.kill_time if self.kill_time is not None else float("inf")
        gone = self.gone_time if self.gone_time is not None else kill
        before = [o for o in ops if o.end < kill]
        after = [o for o in ops if o.end >= kill]
        entries = [e for e in self.stack.nginx.access_entries() if e["host"] == "tandem.test" and e["msec"] >= self._started]
        in_flight = killed_after = survivor_after = server_errors = 0
        failed: list[tuple[float, float]] = []
        killed = self.kill.address if self.kill is not None else None
        for entry in entries:
            end = float(entry["msec"])
            start = end - float(entry["request_time"])
            upstreams = [u.strip() for u in entry["upstream"].split(",") if u.strip()]
            if entry["status"] >= 500:
                failed.append((round(start - kill, 3), round(end - kill, 3)))
            # in flight on the killed instance: sent to it before it was gone, not answered before the kill
            # (nginx's clock is cached per event loop turn: 10 ms of slack)
            if killed and killed in upstreams and start <= gone + 0.01 and end >= kill - 0.01:
                in_flight += 1
            if start > kill + 1.0:
                if upstreams and upstreams[-1] == killed and entry["status"] < 500:
                    killed_after += 1
                if entry["status"] >= 500:
                    server_errors += 1
        survivor_after = sum(1 for o in after if o.ok and o.kind != "static" and o.start > kill)
        launches = sorted((o.end - o.start) * 1000 for o in ops if o.kind == "launch" and o.ok)
        elapsed = max((o.end for o in ops), default=self._started) - self._started
        return LoadReport(
            clients=self.clients,
            seconds=self.seconds,
            kill_time=None if self.kill_time is None else self.kill_time - self._started,
            gone_after=None if self.gone_time is None or self.kill_time is None else self.gone_time - self.kill_time,
            operations=len(ops),
            operations_before_kill=len(before),
            before_kill_errors=sum(1 for o in before if not o.ok),
            after_kill_errors=sum(1 for o in after if not o.ok),
            in_flight_on_killed=in_flight,
            survivor_successes_after_kill=survivor_after,
            killed_requests_after_kill=killed_after,
            server_errors_after_failover=server_errors,
            launches_per_s=len(launches) / elapsed if elapsed else 0.0,
            launch_p50_ms=statistics.median(launches) if launches else float("nan"),
            launch_p99_ms=launches[min(len(launches) - 1, int(0.99 * len(launches)))] if launches else float("nan"),
            errors=[o.detail for o in ops if not o.ok][:20],
            failed_requests=failed[:20],
        )
