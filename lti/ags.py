"""Scores to the platform's gradebook (LTI Assignment and Grade Services v2), for the sign-off outbox.

``send_score()`` finds the line item (the launch's declarative one, else one found or created by
``resourceId`` and ``tag``), posts one score and says what happened as a ``Delivery``; it never
raises for HTTP trouble. The outbox worker decides from ``Delivery.status``:

* ``sent``: the platform took the score.
* ``retry``: the platform or the network failed (5xx, 408/425/429, timeout, connection error,
  token endpoint failure, unreadable answer): send again later, with backoff.
* ``failed``: the platform refused the score or the line item (4xx): retrying the same request
  cannot help; ``reason`` says why (show it to the trainer).

Timestamps: the platform keeps the score with the latest timestamp and refuses (HTTP 409) a score
whose timestamp is not later than the one it holds, per line item and user — Moodle compares whole
seconds, Canvas wants sub-second precision. So **every attempt must carry a timestamp strictly
later than any earlier attempt for that line item and user**, including a retry after a timeout
(the timed-out score may have arrived). ``next_timestamp()`` computes one. A 409 is reported as
``failed`` with the reason; the caller resends with a newer timestamp if the score is still wanted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import requests
from pylti1p3.service_connector import ServiceConnector

from lti import claims
from lti.service_calls import ServiceCallFailed, authorised_request, with_path_suffix, with_query

MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"

ACTIVITY_COMPLETED = "Completed"
ACTIVITY_INITIALIZED = "Initialized"
GRADING_FULLY_GRADED = "FullyGraded"
GRADING_NOT_READY = "NotReady"

#: statuses below 500 that still mean "try again later"
RETRY_STATUSES = frozenset({408, 425, 429})
#: line item lists longer than this many pages are not searched further
MAX_LINEITEM_PAGES = 50

DeliveryStatus = Literal["sent", "retry", "failed"]


@dataclass(frozen=True)
class AgsTarget:
    """Where a module's scores go: the platform's AGS endpoints and the line item's identity."""

    registration_id: int
    lineitems_url: str | None
    #: the declarative line item of the launch's resource link, used as is when present
    lineitem_url: str | None
    scopes: tuple[str, ...]
    resource_id: str
    tag: str
    label: str
    score_maximum: float


@dataclass(frozen=True)
class Delivery:
    """What happened to one score: ``sent``, ``retry`` (later, with backoff) or ``failed`` (see ``reason``)."""

    status: DeliveryStatus
    #: the HTTP status of the call that decided it (the service's, or the token endpoint's); None without an answer
    http_status: int | None = None
    #: the line item used (or found, or created): keep it to skip the lookup next time
    lineitem_url: str | None = None
    reason: str | None = None


def target_from_launch(
    launch_body: Mapping[str, Any],
    *,
    registration_id: int,
    resource_id: str,
    tag: str,
    label: str,
    score_maximum: float = 100.0,
) -> AgsTarget | None:
    """The score target of a launch (its AGS endpoint claim), or None when the platform offers no AGS."""
    endpoint = claims.ags_endpoint(launch_body)
    if endpoint is None:
        return None
    return AgsTarget(
        registration_id=registration_id,
        lineitems_url=endpoint.lineitems_url,
        lineitem_url=endpoint.lineitem_url,
        scopes=endpoint.scopes,
        resource_id=resource_id,
        tag=tag,
        label=label,
        score_maximum=float(score_maximum),
    )


def next_timestamp(
    previous: datetime | None, now: datetime | None = None, *, step: timedelta = timedelta(microseconds=1)
) -> datetime:
    """A score timestamp strictly later than ``previous``: ``now`` (UTC), or ``previous + step`` if that is later.

    Use ``step=timedelta(seconds=1)`` for platforms that compare whole seconds (Moodle).
    """
    current = now or datetime.now(timezone.utc)
    if previous is None:
        return current
    return max(current, previous + step)


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 with microseconds and UTC offset, as AGS wants: ``2026-07-01T09:30:00.000001+00:00``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("score timestamps must be timezone-aware")
    return moment.isoformat(timespec="microseconds")


def _classify(response: requests.Response, what: str, lineitem_url: str | None) -> Delivery:
    """A non-2xx answer as a Delivery."""
    status = response.status_code
    if status >= 500 or status in RETRY_STATUSES:
        return Delivery("retry", status, lineitem_url, f"{what}: the platform answered HTTP {status}")
    if status == 409:
        reason = (
            f"{what}: the platform holds a score with the same or a later timestamp (HTTP 409); "
            "resend with a later timestamp"
        )
        return Delivery("failed", status, lineitem_url, reason)
    detail = _error_text(response)
    return Delivery("failed", status, lineitem_url, f"{what}: the platform refused it (HTTP {status}){detail}")


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, Mapping):
        text = body.get("error_description") or body.get("error") or body.get("reason")
        if isinstance(text, str) and text.strip():
            return ": " + text.strip()[:200]
    return ""


class _Stop(Exception):
    """Carries the Delivery that ends a send early."""

    def __init__(self, delivery: Delivery) -> None:
        super().__init__(delivery.reason)
        self.delivery = delivery


def _scopes(target: AgsTarget, *needed: str) -> list[str]:
    """Scopes to ask a token for: every AGS scope the launch granted (one token for all calls)."""
    if not target.scopes:
        return list(needed)
    if not any(scope in target.scopes for scope in needed):
        raise _Stop(Delivery("failed", None, target.lineitem_url, f"the platform did not grant any of {', '.join(needed)}"))
    return sorted(set(target.scopes))


def _call(connector: ServiceConnector, scopes: list[str], method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        return authorised_request(connector, scopes, method, url, **kwargs)
    except ServiceCallFailed as exc:
        raise _Stop(Delivery("retry", exc.status, None, exc.reason)) from exc


def _json(response: requests.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise _Stop(Delivery("retry", response.status_code, None, f"{what}: the platform answered with something other than JSON")) from exc


def _find_lineitem(connector: ServiceConnector, target: AgsTarget, lineitems_url: str) -> str | None:
    scopes = _scopes(target, claims.AGS_SCOPE_LINEITEM, claims.AGS_SCOPE_LINEITEM_READONLY)
    url: str | None = with_query(lineitems_url, {"resource_id": target.resource_id, "tag": target.tag})
    for _page in range(MAX_LINEITEM_PAGES):
        if not url:
            break
        response = _call(connector, scopes, "GET", url, accept=MEDIA_LINEITEMS)
        if not response.ok:
            raise _Stop(_classify(response, "looking up the line item", None))
        items = _json(response, "looking up the line item")
        if not isinstance(items, list):
            raise _Stop(Delivery("retry", response.status_code, None, "looking up the line item: the answer is not a list"))
        for item in items:
            # Platforms may ignore the filters: check them here.
            if (
                isinstance(item, Mapping)
                and item.get("resourceId") == target.resource_id
                and item.get("tag") == target.tag
                and isinstance(item.get("id"), str)
            ):
                return str(item["id"])
        url = response.links.get("next", {}).get("url")
    return None


def _create_lineitem(connector: ServiceConnector, target: AgsTarget, lineitems_url: str) -> str:
    scopes = _scopes(target, claims.AGS_SCOPE_LINEITEM)
    body = {"label": target.label, "scoreMaximum": target.score_maximum, "resourceId": target.resource_id, "tag": target.tag}
    response = _call(
        connector, scopes, "POST", lineitems_url, accept=MEDIA_LINEITEM, content_type=MEDIA_LINEITEM, body=body
    )
    if not response.ok:
        raise _Stop(_classify(response, "creating the line item", None))
    item = _json(response, "creating the line item")
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        raise _Stop(Delivery("retry", response.status_code, None, "creating the line item: the answer has no id"))
    return str(item["id"])


def _resolve_lineitem(connector: ServiceConnector, target: AgsTarget) -> str:
    """The line item's URL: declarative, else found by resourceId and tag, else created (``_Stop`` otherwise)."""
    if target.lineitem_url:
        return target.lineitem_url
    if not target.lineitems_url:
        raise _Stop(Delivery("failed", None, None, "the launch offers neither a line item nor a line items URL"))
    return _find_lineitem(connector, target, target.lineitems_url) or _create_lineitem(connector, target, target.lineitems_url)


def send_score(
    connector: ServiceConnector,
    target: AgsTarget,
    *,
    user_id: str,
    score_given: float | None,
    score_maximum: float,
    activity_progress: str,
    grading_progress: str,
    timestamp: datetime,
    comment: str | None = None,
) -> Delivery:
    """POST one score for ``user_id`` to the target's line item; never raises for HTTP problems.

    ``timestamp`` must be timezone-aware and strictly later than any earlier attempt for this
    line item and user (see the module docstring and ``next_timestamp``); ``score_given`` None
    sends no ``scoreGiven`` (e.g. ``NotReady``). Moodle ignores ``scoreGiven`` unless
    ``grading_progress`` is ``FullyGraded``.

    Raises:
        ValueError: ``timestamp`` is naive (a programming error, not a delivery problem).
    """
    stamp = format_timestamp(timestamp)
    lineitem_url: str | None = None
    try:
        lineitem_url = _resolve_lineitem(connector, target)
        score: dict[str, Any] = {
            "userId": user_id,
            "scoreMaximum": score_maximum,
            "activityProgress": activity_progress,
            "gradingProgress": grading_progress,
            "timestamp": stamp,
        }
        if score_given is not None:
            score["scoreGiven"] = score_given
        if comment:
            score["comment"] = comment
        scopes = _scopes(target, claims.AGS_SCOPE_SCORE)
        response = _call(
            connector,
            scopes,
            "POST",
            with_path_suffix(lineitem_url, "/scores"),
            accept="application/json",
            content_type=MEDIA_SCORE,
            body=score,
        )
    except _Stop as stop:
        found = stop.delivery
        return Delivery(found.status, found.http_status, found.lineitem_url or lineitem_url, found.reason)
    if response.ok:
        return Delivery("sent", response.status_code, lineitem_url)
    return _classify(response, "sending the score", lineitem_url)
