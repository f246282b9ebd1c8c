"""Operations endpoints and the request log: ``/healthz``, ``/readyz``, ``/metrics``; a JSON line and a request id per request.

None of them needs a launch, a session or a CSRF token, and none answers personal data. ``/metrics`` answers
only clients in TANDEM_METRICS_ALLOW (CIDRs; default the loopback addresses) or with ``Authorization: Bearer
<TANDEM_METRICS_TOKEN>``; everyone else gets 403. The allow-list is checked against the TCP peer (never an
``X-Forwarded-For`` the client may have written itself), and a scrape carrying ``X-Forwarded-For`` (one relayed by
the proxy, whose peer is loopback) needs the token: scrapes come direct, not through nginx.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, make_response, request, session

from plugin.config import ConfigError

bp = Blueprint("ops", __name__)
request_log = logging.getLogger("tandem.request")

DEFAULT_ALLOW = "127.0.0.1/32,::1/128"
#: endpoints answered without touching the session (nothing of the visitor is read or logged)
SESSIONLESS = frozenset({"ops.healthz", "ops.readyz", "ops.metrics", "static"})
#: a rule's ``<converter(args):name>``: logged as ``<name>``
_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>:]+)>")


@dataclass(frozen=True)
class Operations:
    """What the endpoints use, wired by ``create_app``: the readiness checks, the metrics and the request ids."""

    readiness: Any
    metrics: Any
    #: (bind(id) -> token, unbind(token), accept_id(incoming) -> id)
    request_ids: Any
    allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    token: str | None


def _setting(app: Flask, name: str, default: str | None = None) -> str | None:
    value = app.config.get(name)
    return str(value) if value is not None else os.environ.get(name, default)


def metrics_access(app: Flask) -> tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...], str | None]:
    """TANDEM_METRICS_ALLOW as networks and TANDEM_METRICS_TOKEN (16+ characters, or unset).

    Raises:
        ConfigError: a malformed network or a short token.
    """
    allow = []
    for part in (_setting(app, "TANDEM_METRICS_ALLOW", DEFAULT_ALLOW) or "").split(","):
        if part.strip():
            try:
                allow.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"TANDEM_METRICS_ALLOW must list networks like 10.0.0.0/8,::1, not {part.strip()!r}") from None
    token = _setting(app, "TANDEM_METRICS_TOKEN") or None
    if token is not None and len(token) < 16:
        raise ConfigError("TANDEM_METRICS_TOKEN must be at least 16 characters long")
    return tuple(allow), token


def _ops() -> Operations:
    return current_app.extensions["tandem_ops"]


@bp.route("/healthz")
def healthz() -> Response:
    """The process is alive and answers."""
    return _no_store(jsonify({"status": "ok"}))


@bp.route("/readyz")
def readyz() -> Response:
    """200 when the database and Redis (if configured) answer and the schema is current, else 503 naming what is not."""
    checks, ready = _ops().readiness.check()
    return _no_store(make_response(jsonify({"status": "ok" if ready else "unavailable", "checks": checks}), 200 if ready else 503))


@bp.route("/metrics")
def metrics() -> Response:
    """Prometheus' text format, for allowed networks or the bearer token only."""
    if not _may_scrape(_ops()):
        return _no_store(make_response(jsonify({"error": "forbidden"}), 403))
    body, content_type = _ops().metrics.render()
    return _no_store(Response(body, content_type=content_type))


def _may_scrape(ops: Operations) -> bool:
    given = request.headers.get("Authorization", "")
    if ops.token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), ops.token.encode()):
        return True
    if "X-Forwarded-For" in request.headers:  # relayed by a proxy (or pretending to be): the peer says nothing of the client
        return False
    try:
        client = ipaddress.ip_address(_peer())
    except ValueError:
        return False
    return any(client in network for network in ops.allow)


def _peer() -> str:
    """The TCP peer's address: what ProxyFix found before it replaced REMOTE_ADDR with X-Forwarded-For's, else REMOTE_ADDR."""
    original = request.environ.get("werkzeug.proxy_fix.orig")
    if isinstance(original, dict):
        return original.get("REMOTE_ADDR") or ""
    return request.environ.get("REMOTE_ADDR") or ""


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------ the request log


def _start() -> None:
    ops = _ops()
    g.ops_started = time.perf_counter()
    g.request_id = ops.request_ids.accept_id(request.headers.get("X-Request-ID"))
    g.ops_token = ops.request_ids.bind(g.request_id)


def _logged_path() -> str:
    """The matched route's rule, each value (tokens, launch ids, slugs, ids) shown by its name
    (``/calendar/<token>.ics``); the path without its query string when no route matched."""
    rule = request.url_rule
    if rule is None:
        return request.path[:200]
    return _CONVERTER.sub(r"<\1>", rule.rule)[:200]


def _organisation_id() -> int | None:
    # only when the view read the session anyway: the log never opens it (nor adds Vary: Cookie)
    if request.endpoint in SESSIONLESS or not getattr(session, "accessed", False):
        return None
    value = dict.get(session._get_current_object(), "organisation_id")  # type: ignore[attr-defined]
    return value if isinstance(value, int) else None


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # the request failed before _start (it is first, so hardly ever)
        return response
    response.headers["X-Request-ID"] = request_id
    try:
        _observe(request_id, response)
    except Exception:  # the log and the metrics never cost the visitor their answer
        request_log.exception("request log failed")
    return response


def _observe(request_id: str, response: Response) -> None:
    seconds = time.perf_counter() - g.ops_started
    endpoint = request.endpoint or "unmatched"
    _ops().metrics.observe_request(endpoint, request.method, response.status_code, seconds)
    request_log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": _logged_path(),
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 2),
            "organisation_id": _organisation_id(),
        },
    )


def _end(exc: BaseException | None) -> None:
    token = g.pop("ops_token", None)
    if token is not None:
        _ops().request_ids.unbind(token)


def init_app(app: Flask, operations: Operations) -> None:
    """Register the endpoints (CSRF-exempt: they only answer GETs) and the request log around every request."""
    app.extensions["tandem_ops"] = operations
    app.extensions["tandem_count_launch"] = operations.metrics.count_launch
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first: every other hook runs with the id bound
    app.after_request(_finish)
    app.teardown_request(_end)
