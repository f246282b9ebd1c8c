"""Evidence, reciprocal sign-offs and their grades in a real platform's gradebook (AGS over HTTP).

The tandem works in Tandem over HTTPS after real launches; scores leave through the outbox and a
worker (the web process's thread, or ``tandem worker`` processes) to the harness platform, which
keeps line items and scores and refuses a score whose timestamp is not later than the one it holds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.web.programme_support import active_tandem, get, launch, post, text_of

MODULE = "/modules/e-reputation/v1"
DIGITAL = {"d1": 3, "d2": 3, "d3": 4, "d4": 2}  # objectives the digital mentor teaches (criteria per objective)
EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}


def _sign(browser, tool, tandem_id: int, objective: str, criteria: int, status: int = 303):
    fields = [("objective", objective), ("confirmed", "1"), *[("criterion", str(i)) for i in range(criteria)]]
    return post(browser, tool, f"/tandems/{tandem_id}{MODULE}/sign", fields, status=status, token_from=f"/tandems/{tandem_id}{MODULE}")


def _records(app) -> int:
    from plugin.extensions import db
    from plugin.models import SignoffRecord

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SignoffRecord))


def _outbox(app) -> list[tuple]:
    from plugin.extensions import db
    from plugin.models import ScoreOutbox

    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(ScoreOutbox.person_id, ScoreOutbox.score_given, ScoreOutbox.status, ScoreOutbox.timestamp).order_by(ScoreOutbox.id))]


def _wait(predicate, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _settled(app) -> None:
    """Wait until the worker has recorded every delivery (the platform holds a score a moment before)."""
    _wait(lambda: not [r for r in _outbox(app) if r[2] in ("pending", "failed")], what="the outbox to settle")


def _accepted(platform, user_id: str) -> list[dict]:
    return [s for s in platform.scores if str(s["userId"]) == user_id]


def _increasing(scores: list[dict]) -> bool:
    stamps = [datetime.fromisoformat(s["timestamp"]) for s in scores]
    return all(a < b for a, b in zip(stamps, stamps[1:], strict=False))


# ---------------------------------------------------------------- rules over HTTP


def test_nobody_signs_their_own_learning_and_every_criterion_counts(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    page = text_of(get(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}"))
    assert "You sign off what your partner learned" in page and "You add evidence of what you learned" in page
    # the digital mentor learns the expertise track: signing e1 is signing their own learning
    _sign(browsers["digital"], tool, tandem_id, "e1", 3, status=403)
    # not every criterion ticked: refused, nothing written
    refused = post(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}/sign", [("objective", "d1"), ("confirmed", "1"), ("criterion", "0")], status=400, token_from=f"/tandems/{tandem_id}{MODULE}")
    assert "Tick every criterion" in text_of(refused.text)
    # the confirmation names exactly what is signed and that it cannot be edited
    confirm = post(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}/sign", [("objective", "d1"), *[("criterion", str(i)) for i in range(3)]], status=200, token_from=f"/tandems/{tandem_id}{MODULE}")
    assert "cannot be edited later" in text_of(confirm.text)
    assert _records(app) == 0
    _sign(browsers["digital"], tool, tandem_id, "d1", 3)
    assert _records(app) == 1
    _sign(browsers["digital"], tool, tandem_id, "d1", 3, status=400)  # already signed
    # the trainer reads but does not sign; a stranger does not see the tandem
    _sign(browsers["trainer"], tool, tandem_id, "d2", 3, status=403)
    from tests.harness.browser import new_browser

    stranger = new_browser(verify=False)
    launch(platform, stranger, user_id="stranger")
    get(stranger, tool, f"/tandems/{tandem_id}{MODULE}", 404)
    assert _records(app) == 1


def test_the_service_alone_refuses_the_learner_the_trainer_and_an_unticked_criterion(app, platform, tool):
    """No view in between: the sign-off service itself decides who signs and that every criterion is ticked,
    in the confirmation step (``preview_sign``) as in the signing one (``sign``), and writes nothing."""
    from plugin.domain.errors import NotAllowed, RuleViolation
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Programme
    from plugin.services import signoffs
    from plugin.services.launches import Actor

    _browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        catalogue = app.extensions["tandem_catalogue"]
        digital = Actor(person["digital"], programme.organisation_id, Role.PARTICIPANT, programme.course_id)
        trainer = Actor(person["trainer"], programme.organisation_id, Role.TRAINER, programme.course_id)
        for step in (signoffs.preview_sign, signoffs.sign):
            # the digital mentor learns the expertise track: signing e1 is signing their own learning
            with pytest.raises(NotAllowed, match="own learning"):
                step(db.session, digital, catalogue, tandem_id, "e-reputation", 1, "e1", range(EXPERTISE["e1"]))
            db.session.rollback()
            with pytest.raises(RuleViolation) as refused:  # one criterion of three
                step(db.session, digital, catalogue, tandem_id, "e-reputation", 1, "d1", [0])
            assert refused.value.field == "criteria"
            db.session.rollback()
            with pytest.raises(NotAllowed):  # the trainer reads, and does not sign
                step(db.session, trainer, catalogue, tandem_id, "e-reputation", 1, "d1", range(DIGITAL["d1"]))
            db.session.rollback()
        preview = signoffs.preview_sign(db.session, digital, catalogue, tandem_id, "e-reputation", 1, "d1", range(DIGITAL["d1"]))
        assert (preview.objective.id, preview.track.my_part) == ("d1", "teach")
        db.session.rollback()
    assert _records(app) == 0


def test_agreement_comes_first(app, platform, tool):
    browsers, _person, tandem_id = active_tandem(app, platform, tool, agreement=False)
    response = browsers["digital"].get(tool.url + f"/tandems/{tandem_id}{MODULE}", allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tandems/{tandem_id}/agreement")
    _sign(browsers["digital"], tool, tandem_id, "d1", 3, status=303)
    assert _records(app) == 0


def test_evidence_note_link_and_file_with_limits(app, platform, tool):
    browsers, _person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    url = f"/tandems/{tandem_id}{MODULE}/evidence"
    expert = browsers["expert"]  # the senior expert learns the digital track (d1..d4)
    post(expert, tool, url, {"objective": "d1", "kind": "note", "text": "I set up my LinkedIn privacy."}, token_from=f"/tandems/{tandem_id}{MODULE}")
    post(expert, tool, url, {"objective": "d1", "kind": "link", "url": "https://example.org/profile"}, token_from=f"/tandems/{tandem_id}{MODULE}")
    post(expert, tool, url, {"objective": "d2", "kind": "file"}, files={"file": ("proof.pdf", b"%PDF-1.4 test", "application/pdf")}, token_from=f"/tandems/{tandem_id}{MODULE}")
    bad = post(expert, tool, url, {"objective": "d2", "kind": "file"}, files={"file": ("run.exe", b"MZ", "application/x-msdownload")}, status=400, token_from=f"/tandems/{tandem_id}{MODULE}")
    assert "PDF, image, text or office file" in text_of(bad.text)
    post(expert, tool, url, {"objective": "d2", "kind": "file"}, files={"file": ("big.pdf", b"0" * (5 * 1024 * 1024 + 1), "application/pdf")}, status=400, token_from=f"/tandems/{tandem_id}{MODULE}")
    post(expert, tool, url, {"objective": "d2", "kind": "link", "url": "javascript:alert(1)"}, status=400, token_from=f"/tandems/{tandem_id}{MODULE}")
    post(browsers["digital"], tool, url, {"objective": "d1", "kind": "note", "text": "not mine to add"}, status=403, token_from=f"/tandems/{tandem_id}{MODULE}")
    page = get(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}")
    assert "I set up my LinkedIn privacy." in page and "https://example.org/profile" in page and "proof.pdf" in page
    from plugin.extensions import db
    from plugin.models import Evidence

    with app.app_context():
        evidence_id = db.session.scalar(sa.select(Evidence.id).where(Evidence.kind == "file"))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 3
    download = browsers["digital"].get(tool.url + f"/tandems/{tandem_id}/evidence/{evidence_id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 test" and "attachment" in download.headers["Content-Disposition"]


# ---------------------------------------------------------------- grades over AGS


def test_both_directions_complete_the_module_and_grades_reach_the_platform(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    for objective, criteria in DIGITAL.items():  # the digital mentor signs what the senior expert learned
        _sign(browsers["digital"], tool, tandem_id, objective, criteria)
    page = text_of(get(browsers["expert"], tool, f"/tandems/{tandem_id}/modules"))
    assert "Complete both ways" not in page
    for objective, criteria in EXPERTISE.items():
        _sign(browsers["expert"], tool, tandem_id, objective, criteria)
    assert "Complete both ways" in text_of(get(browsers["expert"], tool, f"/tandems/{tandem_id}/modules"))

    expert_scores = _wait(lambda: (s := _accepted(platform, "expert")) and s[-1]["scoreGiven"] == 100 and s, what="the expert's final score")
    digital_scores = _wait(lambda: (s := _accepted(platform, "digital")) and s[-1]["scoreGiven"] == 100 and s, what="the digital mentor's final score")
    # one line item for the module (found or created by resourceId and tag), scores in order
    items = [i for i in platform.lineitems.values() if i.get("resourceId") == "e-reputation"]
    assert len(items) == 1 and items[0]["tag"] == "tandem-module"
    for scores in (expert_scores, digital_scores):
        # each sign-off queues the new score; one not sent yet is superseded by the next, never overtaken
        given = [s["scoreGiven"] for s in scores]
        assert given == sorted(set(given)) and set(given) <= {25, 50, 75, 100} and given[-1] == 100
        assert [s["activityProgress"] for s in scores] == ["InProgress"] * (len(scores) - 1) + ["Completed"]
        assert all(s["gradingProgress"] == "FullyGraded" for s in scores)
        assert all(s["lineitem"] == items[0]["id"] for s in scores)
        assert _increasing(scores)
    _settled(app)
    assert "Synced to the gradebook" in text_of(get(browsers["trainer"], tool, f"/tandems/{tandem_id}{MODULE}"))

    # a withdrawal reopens the track and sends the lower score
    from plugin.extensions import db
    from plugin.models import SignoffRecord

    with app.app_context():
        seq = db.session.scalar(sa.select(SignoffRecord.seq).where(SignoffRecord.objective_id == "d4"))
    post(browsers["digital"], tool, f"/tandems/{tandem_id}/signoffs/{seq}/withdraw", {"reason": "Checked again: not yet"}, token_from=f"/tandems/{tandem_id}{MODULE}")
    lowered = _wait(lambda: (s := _accepted(platform, "expert")) and s[-1]["scoreGiven"] == 75 and s, what="the lowered score")
    assert lowered[-1]["activityProgress"] == "InProgress" and lowered[-1]["gradingProgress"] == "FullyGraded"
    assert _increasing(lowered)
    assert "Complete both ways" not in text_of(get(browsers["expert"], tool, f"/tandems/{tandem_id}/modules"))

    # the export verifies; the database refuses to change a record
    export = browsers["trainer"].get(tool.url + f"/tandems/{tandem_id}/signoffs/export.json").json()
    assert export["verified"]["ok"] and len(export["records"]) == 9
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.update(SignoffRecord).values(actor_id=person["expert"]))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.delete(SignoffRecord))
            db.session.flush()
        db.session.rollback()


def test_two_signoffs_in_the_same_second_both_arrive_in_order(app, platform, tool):
    from plugin.extensions import db
    from plugin.services import signoffs
    from plugin.services.launches import Actor
    from plugin.domain.roles import Role

    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    app.config["TANDEM_OUTBOX"] = "off"  # deliver below, after both are written
    catalogue = app.extensions["tandem_catalogue"]
    with app.app_context():
        course_id = db.session.scalar(sa.text("select id from courses"))
        actor = Actor(person["digital"], 1, Role.PARTICIPANT, course_id)
        time.sleep(1 - datetime.now().microsecond / 1e6)  # start at the top of a second: both land in it even on a busy machine
        signoffs.sign(db.session, actor, catalogue, tandem_id, "e-reputation", 1, "d1", range(3))
        db.session.commit()
        signoffs.sign(db.session, actor, catalogue, tandem_id, "e-reputation", 1, "d2", range(3))
        db.session.commit()
    rows = [r for r in _outbox(app) if r[0] == person["expert"]]
    first, second = (datetime.fromisoformat(r[3]) for r in rows)
    assert first < second and (second - first).total_seconds() < 1  # same second, strictly increasing
    assert [r[2] for r in rows] == ["superseded", "pending"]  # only the newer one needs to go
    # deliver both, as the outbox would if the first was already claimed: put the first back to pending
    with app.app_context():
        db.session.execute(sa.text("update score_outbox set status = 'pending'"))
        db.session.commit()
        from lti.grades import sender_factory
        from plugin import outbox_policy
        from plugin.services import outbox

        ext = app.extensions["tandem_lti"]
        outbox.run_once(db.session, sender_factory(ext.http, ext.tokens)(db.session), outbox_policy(app))
    scores = _accepted(platform, "expert")
    assert [s["scoreGiven"] for s in scores] == [25, 50] and _increasing(scores)
    assert scores[0]["timestamp"][:19] == scores[1]["timestamp"][:19]  # the same second, both accepted


def test_a_refused_score_shows_failed_with_the_reason_and_the_trainer_resends(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    platform.fail_next("scores", 1, 400)
    _sign(browsers["digital"], tool, tandem_id, "d1", 3)
    _wait(lambda: any(r[2] == "failed" for r in _outbox(app)), what="the failed delivery")
    page = get(browsers["trainer"], tool, f"/tandems/{tandem_id}{MODULE}")
    assert "Failed" in text_of(page) and "Send the score again" in page
    assert "Send the score again" not in get(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}")  # members do not resend
    overview = text_of(get(browsers["trainer"], tool, "/programme/grades"))
    assert "Evert Expert" in overview and "E-reputation" in overview and "Failed" in overview and "Send again" in overview
    get(browsers["expert"], tool, "/programme/grades", 403)  # trainers only
    outbox_id = int(page.split("/grades/")[1].split("/resend")[0])
    response = post(browsers["trainer"], tool, f"/tandems/{tandem_id}/grades/{outbox_id}/resend", {"next": "/programme/grades"}, token_from="/programme/grades")
    assert response.headers["Location"].endswith("/programme/grades")
    _wait(lambda: _accepted(platform, "expert"), what="the resent score")
    _settled(app)
    assert "Synced to the gradebook" in text_of(get(browsers["trainer"], tool, f"/tandems/{tandem_id}{MODULE}"))
    assert "Synced" in text_of(get(browsers["trainer"], tool, "/programme/grades"))


def test_a_placed_link_uses_its_declarative_line_item(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    item = platform.create_lineitem("course-1", label="E-reputation", score_maximum=100, resource_id="e-reputation", tag="tandem-module")
    result = platform.launch(browsers["expert"], user_id="expert", name="Evert Expert", custom={"tandem_module": "e-reputation", "tandem_version": "1"}, lineitem_url=item, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    assert result.response.status_code == 303
    _sign(browsers["digital"], tool, tandem_id, "d1", 3)
    scores = _wait(lambda: _accepted(platform, "expert"), what="the score")
    assert scores[0]["lineitem"] == item
    assert len(platform.lineitems) == 1  # nothing created


# ---------------------------------------------------------------- faults


def test_platform_outage_then_recovery_delivers_everything_once_per_value(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    platform.fail_next("token", 3, 503)
    platform.fail_next("scores", 4, 502)
    platform.fail_next("lineitems", 2, None, delay=4.0)  # timeouts (the tool waits 3 s)
    for objective, criteria in DIGITAL.items():
        _sign(browsers["digital"], tool, tandem_id, objective, criteria)
    for objective, criteria in list(EXPERTISE.items())[:2]:
        _sign(browsers["expert"], tool, tandem_id, objective, criteria)
    final = _wait(lambda: (e := _accepted(platform, "expert")) and e[-1]["scoreGiven"] == 100 and (d := _accepted(platform, "digital")) and d[-1]["scoreGiven"] == 50 and (e, d), timeout=60, what="recovery")
    expert_scores, digital_scores = final
    for scores in final:
        assert _increasing(scores)
        by_value: dict[int, set] = {}
        for s in scores:
            by_value.setdefault(s["timestamp"], set()).add(s["scoreGiven"])
        assert all(len(v) == 1 for v in by_value.values())  # never two values for one timestamp
    assert _records(app) == 6
    # the platform may hold a score a moment before the worker records it as sent
    _settled(app)


@pytest.mark.slow
def test_a_worker_killed_mid_send_loses_nothing(app, platform, tool, database_url, tmp_path):
    """``tandem worker`` processes deliver; the first is killed while the platform holds its request."""
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    app.config["TANDEM_OUTBOX"] = "off"
    platform.fail_next("scores", 1, None, delay=6.0)  # the first score request hangs
    for objective, criteria in list(DIGITAL.items())[:2]:
        _sign(browsers["digital"], tool, tandem_id, objective, criteria)
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_INSTANCE_PATH": str(tmp_path / "worker"),
        "TANDEM_HTTP_VERIFY": "0",
        "TANDEM_OUTBOX_LEASE": "2",
        "TANDEM_OUTBOX_BACKOFF": "0.1",
    }
    args = [sys.executable, "-c", "from plugin.cli import main; main()", "worker"]
    first = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(lambda: platform.score_requests, timeout=30, what="the first score request")
        assert platform.score_requests[0]["status"] is None  # the platform still holds it: the worker is mid-send
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    second = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        scores = _wait(lambda: (s := _accepted(platform, "expert")) and s[-1]["scoreGiven"] == 50 and s, timeout=60, what="delivery after the kill")
        _settled(app)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(15)
    assert _increasing(scores)
    values = {}
    for s in scores:
        values.setdefault(s["timestamp"], set()).add(s["scoreGiven"])
    assert all(len(v) == 1 for v in values.values())
    assert _records(app) == 2
    _settled(app)
    assert len(platform.score_requests) >= 2  # the killed worker's request, then the next worker's


@pytest.mark.slow
def test_with_redis_a_tandem_worker_is_woken_by_the_sign_off(database_url, tmp_path, tls_cert):
    """With TANDEM_REDIS_URL the web process signals `tandem worker` through a Redis list: the score goes
    out at once instead of at the worker's next poll (5 s here)."""
    import redis

    from plugin import create_app
    from tests.conftest import ServedApp, _config, _truncate, register_platform
    from tests.harness.platform import TestPlatform

    redis_url = "redis://127.0.0.1:6379/14"
    redis.Redis.from_url(redis_url).flushdb()
    app = create_app(_config(database_url, tmp_path / "instance", TANDEM_REDIS_URL=redis_url, TANDEM_OUTBOX="off"))
    env = {**os.environ, "TANDEM_DATABASE_URL": database_url, "TANDEM_INSTANCE_PATH": str(tmp_path / "worker"), "TANDEM_HTTP_VERIFY": "0", "TANDEM_REDIS_URL": redis_url, "TANDEM_OUTBOX_BACKOFF": "20"}
    worker = None
    try:
        with ServedApp(app, tls_cert) as tool, TestPlatform(tool_base_url=tool.url, tool_verify=False) as platform:
            register_platform(app, platform)
            browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
            worker = subprocess.Popen([sys.executable, "-c", "from plugin.cli import main; main()", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(2.0)  # the worker is up and waiting on Redis
            started = time.monotonic()
            _sign(browsers["digital"], tool, tandem_id, "d1", 3)
            _wait(lambda: _accepted(platform, "expert"), timeout=15, what="the score")
            assert time.monotonic() - started < 3.0
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
        _truncate(app)


def test_a_required_countersignature_completes_the_track(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True, programme={"require_countersign": "y"})
    for objective, criteria in DIGITAL.items():
        _sign(browsers["digital"], tool, tandem_id, objective, criteria)
    waiting = _wait(lambda: (s := _accepted(platform, "expert")) and s[-1]["scoreGiven"] == 100 and s, what="the score awaiting countersignature")
    assert (waiting[-1]["activityProgress"], waiting[-1]["gradingProgress"]) == ("Submitted", "PendingManual")
    page = get(browsers["trainer"], tool, f"/tandems/{tandem_id}{MODULE}")
    assert "waiting for the trainer's countersignature" in text_of(page) and "Countersign this track" in page
    post(browsers["digital"], tool, f"/tandems/{tandem_id}{MODULE}/countersign", {"side": "digital_mentor"}, status=403, token_from=f"/tandems/{tandem_id}{MODULE}")
    post(browsers["trainer"], tool, f"/tandems/{tandem_id}{MODULE}/countersign", {"side": "digital_mentor"}, token_from=f"/tandems/{tandem_id}{MODULE}")
    done = _wait(lambda: (s := _accepted(platform, "expert")) and s[-1]["activityProgress"] == "Completed" and s, what="the completed score")
    assert done[-1]["gradingProgress"] == "FullyGraded" and _increasing(done)
    assert "track complete" in text_of(get(browsers["expert"], tool, f"/tandems/{tandem_id}{MODULE}"))
