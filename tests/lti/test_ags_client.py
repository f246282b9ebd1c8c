"""AGS score delivery against the harness platform over HTTP: line items, timestamps and fault classification."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from lti import claims
from lti.ags import (
    ACTIVITY_COMPLETED,
    GRADING_FULLY_GRADED,
    AgsTarget,
    next_timestamp,
    send_score,
    target_from_launch,
)
from lti.http import PlatformSession
from lti.services import TandemServiceConnector, TokenCache
from lti.tooling import TandemRegistration
from tests.conftest import register_platform
from tests.harness.platform import TestPlatform

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = VOCAB + "membership#Learner"
CONTEXT = "course-1"
TAG = "tandem-module"
LEARNER_ID = "learner-1"


def _connector(app, platform, timeout: float = 1.0) -> tuple[TandemServiceConnector, int]:
    from plugin.extensions import db
    from plugin.services import keys, platforms

    with app.app_context():
        info = platforms.find_registration(db.session, platform.issuer, platform.client_id)
        key = keys.signing_key(db.session)
        db.session.commit()
    assert info is not None
    connector = TandemServiceConnector(TandemRegistration(info, key), PlatformSession(timeout=timeout, verify=False), TokenCache())
    return connector, info.id


def _target(app, platform, browser, *, lineitem_url=None, resource_id="e-reputation", label="E-reputation", timeout=1.0):
    result = platform.launch(browser, user_id=LEARNER_ID, roles=[LEARNER], lineitem_url=lineitem_url)
    assert result.response.status_code == 200, result.response.text[:300]
    connector, registration_id = _connector(app, platform, timeout)
    target = target_from_launch(result.payload, registration_id=registration_id, resource_id=resource_id, tag=TAG, label=label)
    assert target is not None
    return connector, target


def _send(connector, target: AgsTarget, timestamp: datetime, score: float = 100.0, user_id: str = LEARNER_ID):
    return send_score(
        connector,
        target,
        user_id=user_id,
        score_given=score,
        score_maximum=100.0,
        activity_progress=ACTIVITY_COMPLETED,
        grading_progress=GRADING_FULLY_GRADED,
        timestamp=timestamp,
        comment="Signed off by the digital mentor",
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


def test_target_from_launch_reads_the_ags_claim(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    assert target.lineitem_url == item and target.lineitems_url == f"{platform.url}/ags/{CONTEXT}/lineitems"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in target.scopes
    assert (target.resource_id, target.tag, target.score_maximum) == ("e-reputation", TAG, 100.0)
    no_ags = platform.launch(browser, user_id="other", roles=[LEARNER], ags=False)
    assert target_from_launch(no_ags.payload, registration_id=1, resource_id="x", tag=TAG, label="X") is None


def test_declarative_line_item_is_used_as_is(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed module", resource_link_id="rl-1", score_maximum=100)
    connector, target = _target(app, platform, browser, lineitem_url=item)
    stamp = _now()
    delivery = _send(connector, target, stamp, score=80)
    assert delivery.status == "sent" and delivery.http_status == 200, delivery
    assert delivery.lineitem_url == item and delivery.reason is None
    assert list(platform.lineitems) == [item]  # nothing looked up or created
    [score] = platform.scores
    assert score["lineitem"] == item and score["userId"] == LEARNER_ID
    assert score["scoreGiven"] == 80 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"] == stamp.isoformat(timespec="microseconds") and score["timestamp"].endswith("+00:00")
    assert score["comment"] == "Signed off by the digital mentor"


def test_line_item_found_by_resource_id_and_tag(app, platform, browser):
    platform.create_lineitem(CONTEXT, label="Other tag", resource_id="e-reputation", tag="something-else")
    platform.create_lineitem(CONTEXT, label="Other module", resource_id="new-software", tag=TAG)
    wanted = platform.create_lineitem(CONTEXT, label="E-reputation", resource_id="e-reputation", tag=TAG)
    connector, target = _target(app, platform, browser)
    assert target.lineitem_url is None
    delivery = _send(connector, target, _now())
    assert delivery.status == "sent" and delivery.lineitem_url == wanted
    assert len(platform.lineitems) == 3
    assert platform.scores[-1]["lineitem"] == wanted


def test_line_item_created_when_missing_then_found(app, platform, browser):
    connector, target = _target(app, platform, browser, resource_id="collaboration", label="Collaboration platforms")
    first = _send(connector, target, _now())
    assert first.status == "sent", first
    [created] = platform.lineitems.values()
    assert created["id"] == first.lineitem_url
    assert {k: created[k] for k in ("label", "scoreMaximum", "resourceId", "tag")} == {
        "label": "Collaboration platforms",
        "scoreMaximum": 100,
        "resourceId": "collaboration",
        "tag": TAG,
    }
    second = _send(connector, target, _now() + timedelta(seconds=1))
    assert second.status == "sent" and second.lineitem_url == first.lineitem_url
    assert len(platform.lineitems) == 1


def test_two_scores_in_one_second_with_increasing_microseconds(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    first_stamp = _now().replace(microsecond=500_000)
    second_stamp = next_timestamp(first_stamp, now=first_stamp)
    assert second_stamp - first_stamp == timedelta(microseconds=1)
    assert _send(connector, target, first_stamp, score=50).status == "sent"
    assert _send(connector, target, second_stamp, score=100).status == "sent"
    stamps = [s["timestamp"] for s in platform.scores]
    assert stamps == [first_stamp.isoformat(timespec="microseconds"), second_stamp.isoformat(timespec="microseconds")]
    assert stamps[0][:19] == stamps[1][:19] and stamps[0].endswith(".500000+00:00") and stamps[1].endswith(".500001+00:00")
    assert all(r["body"]["timestamp"] for r in platform.score_requests)


def test_non_increasing_timestamp_is_refused_and_classified_failed(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    stamp = _now()
    assert _send(connector, target, stamp).status == "sent"
    for again in (stamp, stamp - timedelta(microseconds=1)):
        refused = _send(connector, target, again, score=10)
        assert refused.status == "failed" and refused.http_status == 409, refused
        assert "later timestamp" in refused.reason and refused.lineitem_url == item
    assert _send(connector, target, next_timestamp(stamp), score=10).status == "sent"  # the caller bumps it
    assert [s["scoreGiven"] for s in platform.scores] == [100, 10]


def test_server_errors_are_classified_retry(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    for status in (500, 503, 429):
        platform.fail_next("scores", 1, status)
        delivery = _send(connector, target, _now())
        assert delivery.status == "retry" and delivery.http_status == status, delivery
        assert delivery.lineitem_url == item and str(status) in delivery.reason
    assert platform.scores == []
    assert _send(connector, target, _now()).status == "sent"


def test_line_item_lookup_failure_is_classified_retry(app, platform, browser):
    connector, target = _target(app, platform, browser)
    platform.fail_next("lineitems", 1, 502)
    delivery = _send(connector, target, _now())
    assert delivery.status == "retry" and delivery.http_status == 502 and delivery.lineitem_url is None
    assert platform.lineitems == {}
    assert _send(connector, target, _now()).status == "sent"


def test_timeouts_are_classified_retry(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item, timeout=1.0)
    platform.fail_next("scores", 1, 503, delay=2.5)
    delivery = _send(connector, target, _now())
    assert delivery.status == "retry" and delivery.http_status is None and "Timeout" in delivery.reason
    assert delivery.lineitem_url == item


def test_a_timed_out_score_may_have_arrived_so_a_retry_needs_a_later_timestamp(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item, timeout=1.0)
    platform.fail_next("scores", 1, None, delay=1.5)  # slow, then stored
    stamp = _now()
    assert _send(connector, target, stamp).status == "retry"
    deadline = time.monotonic() + 5
    while not platform.scores and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(platform.scores) == 1  # it did arrive
    assert _send(connector, target, stamp).status == "failed"  # same timestamp: 409
    assert _send(connector, target, next_timestamp(stamp)).status == "sent"  # same value, later timestamp
    assert [s["scoreGiven"] for s in platform.scores] == [100, 100]


def test_token_endpoint_failure_is_classified_retry(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    platform.fail_next("token", 1, 500)
    delivery = _send(connector, target, _now())
    assert delivery.status == "retry" and "token endpoint" in delivery.reason and delivery.http_status == 500
    platform.fail_next("token", 1, 503, delay=2.5)
    delivery = _send(connector, target, _now())
    assert delivery.status == "retry" and "token endpoint unreachable" in delivery.reason
    assert platform.score_requests == []
    assert _send(connector, target, _now()).status == "sent"


def test_a_revoked_token_is_replaced_once(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    assert _send(connector, target, _now()).status == "sent"
    platform.revoke_tokens()
    assert _send(connector, target, _now()).status == "sent"
    assert [r["status"] for r in platform.score_requests] == [200, 401, 200]


def test_other_client_errors_are_classified_failed(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    stranger = _send(connector, target, _now(), user_id="not-enrolled")
    assert stranger.status == "failed" and stranger.http_status == 400 and "not enrolled" in stranger.reason
    gone = AgsTarget(**{**target.__dict__, "lineitem_url": f"{platform.url}/ags/{CONTEXT}/lineitems/999"})
    missing = _send(connector, gone, _now())
    assert missing.status == "failed" and missing.http_status == 404
    readonly = AgsTarget(
        **{**target.__dict__, "lineitem_url": None, "scopes": (claims.AGS_SCOPE_LINEITEM_READONLY, claims.AGS_SCOPE_SCORE)}
    )
    refused = _send(connector, readonly, _now())  # may read line items but not create one
    assert refused.status == "failed" and refused.http_status is None and "did not grant" in refused.reason


def test_naive_timestamps_are_a_programming_error(app, platform, browser):
    item = platform.create_lineitem(CONTEXT, label="Placed", resource_link_id="rl-1")
    connector, target = _target(app, platform, browser, lineitem_url=item)
    with pytest.raises(ValueError):
        _send(connector, target, datetime.now())


def test_moodle_service_query_is_kept_on_every_ags_url(app, tool, browser):
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, service_query="type_id=1") as platform:
        register_platform(app, platform)
        connector, target = _target(app, platform, browser)
        assert target.lineitems_url.endswith("/lineitems?type_id=1")
        delivery = _send(connector, target, _now())
        assert delivery.status == "sent", delivery
        assert delivery.lineitem_url.endswith("?type_id=1")
        assert platform.score_requests[-1]["status"] == 200  # the harness refuses any other media type than MEDIA_SCORE
