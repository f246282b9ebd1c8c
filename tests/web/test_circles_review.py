"""Circles, from a code review: dates past the calendar's range give a form error (never a 500, nothing
written); a double submit of a commitment gives one commitment and a clear 400; a member launched from another
course of the same organisation does not find the circle."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.circles_support import days_ago, make_circle, people, record_meeting, today
from tests.web.programme_support import LEARNER, get, launch, post, seed_participants, text_of, token


def _count(app, model) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_circle_dates_out_of_range_double_submits_and_another_course(app, platform, tool):
    from plugin.models import Circle, CircleCommitment, CircleMeeting, Participant

    browsers, person = people(app, platform, tool, {"ann": "Ann", "bob": "Bob", "cis": "Cis", "dirk": "Dirk"})
    trainer = browsers["trainer"]
    four = [person[k] for k in ("ann", "bob", "cis", "dirk")]
    new = "/circles/new"

    # a first meeting in year 9999: refused on the form, nothing written
    fields = [("name", "Far away"), ("cadence", "monthly"), ("starts_on", "9999-12-01"), ("starts_time", "10:00"), *(("members", str(m)) for m in four)]
    assert "at most three years ahead" in text_of(post(trainer, tool, new, fields, status=400, token_from=new).text)
    assert _count(app, Circle) == 0

    cid = make_circle(trainer, tool, "Board", four, starts_on=today() + timedelta(days=1))
    base = f"/circles/{cid}"

    # a meeting held on 0001-01-01 just after midnight in a zone east of UTC: a form error, not an overflow
    from plugin.extensions import db

    with app.app_context():
        db.session.execute(sa.update(Participant).where(Participant.person_id == person["ann"]).values(timezone="Asia/Tokyo"))
        db.session.commit()
    for held_on in ("0001-01-01", "9999-12-31"):
        refused = post(browsers["ann"], tool, f"{base}/meetings/new", {"held_on": held_on, "at": "08:00"}, status=400, token_from=base)
        assert "between 2000 and 2100" in text_of(refused.text)
    assert _count(app, CircleMeeting) == 0

    # a double submit of the same commitment: one is kept, the other is a clear 400 (never a 500)
    record_meeting(browsers["ann"], tool, cid, days_ago(1))
    for key in ("bob", "cis", "dirk"):
        browser = browsers[key]
        csrf = token(browser, tool, base)
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def send(browser=browser, csrf=csrf, statuses=statuses, barrier=barrier) -> None:
            barrier.wait()
            statuses.append(browser.post(tool.url + f"{base}/commitments", data={"text": "I will write the plan", "csrf_token": csrf}, allow_redirects=False).status_code)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [303, 400], (key, statuses)
    assert _count(app, CircleCommitment) == 3

    # Ann launched from another course of the same organisation: the circle is not hers there
    elsewhere = new_browser(verify=False)
    launch(platform, elsewhere, LEARNER, user_id="ann", name="Ann", context={"id": "other-course", "label": "OTHER", "title": "Another course"})
    get(elsewhere, tool, base, 404)
    get(browsers["ann"], tool, base)


def test_publishing_a_proposal_twice_at_once_makes_one_set_of_circles(app, platform, tool):
    from plugin.models import Circle, CircleProposal

    browsers, _person = people(app, platform, tool, {})
    trainer = browsers["trainer"]
    seed_participants(app, [{"subject": f"p{k}", "name": f"Pool Person {k:02d}", "side": ("digital_mentor", "senior_expert")[k % 2], "languages": ["en"]} for k in range(10)])
    response = post(trainer, tool, "/circles/form", {"min_size": "4", "max_size": "5", "cadence": "weekly"}, token_from="/circles/form")
    pid = int(response.headers["Location"].rsplit("/", 1)[1])
    from plugin.extensions import db

    with app.app_context():
        proposed = len(db.session.get(CircleProposal, pid).circles)
    assert proposed == 2
    csrf = token(trainer, tool, "/circles/form")
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def publish() -> None:
        barrier.wait()
        statuses.append(trainer.post(tool.url + f"/circles/proposals/{pid}/publish", data={"csrf_token": csrf}, allow_redirects=False).status_code)

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [303, 400], statuses
    assert _count(app, Circle) == proposed
    post(trainer, tool, f"/circles/proposals/{pid}/publish", {}, status=400, token_from="/circles/form")  # and once more, in turn
    assert _count(app, Circle) == proposed
