"""A peer circle over real HTTPS after real LTI launches: made by the trainer, three meetings with the chair
rotating (Ann, Bob, Cis), every member's commitments stated and reviewed by the next chair, the follow-through
rate computed and shown, a member leaving the rotation; refused input (nothing written); and circles formed
from a small pool over HTTP, published, every hard rule holding."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.web.circles_support import commitment_ids, days_ago, make_circle, meeting_ids, people, record_meeting, today
from tests.web.programme_support import get, post, seed_participants, text_of

MEMBERS = {"ann": "Ann Aalders", "bob": "Bob Brouwer", "cis": "Cis Claes", "dirk": "Dirk Dekker"}


def _count(app, model) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_three_meetings_with_the_chair_rotating_and_the_follow_through_rate(app, platform, tool):
    from plugin.models import Circle, CircleCommitment, CircleMeeting

    browsers, person = people(app, platform, tool, MEMBERS)
    trainer = browsers["trainer"]
    order = [person[k] for k in MEMBERS]
    cid = make_circle(trainer, tool, "Digital board", order, purpose="Going digital together", cadence="biweekly", starts_on=today() + timedelta(days=1))
    base = f"/circles/{cid}"
    page = text_of(get(browsers["ann"], tool, base))
    assert "Ann Aalders (chairs the next meeting)" in page and "Every two weeks" in page
    assert "Digital board" in text_of(get(browsers["dirk"], tool, "/circles"))
    get(browsers["bob"], tool, base + "/meetings/new", 403)  # not his turn

    # meeting 1, chaired by Ann; every member commits
    record_meeting(browsers["ann"], tool, cid, days_ago(28), agenda="Where each of us stands", notes="We named our first steps.")
    for key in MEMBERS:
        post(browsers[key], tool, base + "/commitments", {"text": f"{MEMBERS[key]} will try one online tool"}, token_from=base)
    post(browsers["ann"], tool, base + "/commitments", {"text": "Twice"}, status=400, token_from=base)  # one per meeting
    # meeting 2, chaired by Bob, who reviews meeting 1's commitments
    assert "Bob Brouwer (chairs the next meeting)" in text_of(get(browsers["ann"], tool, base))
    get(browsers["ann"], tool, base + "/meetings/new", 403)
    record_meeting(browsers["bob"], tool, cid, days_ago(14), agenda="How it went")
    (m1, _s1, _c1), (m2, _s2, _c2) = meeting_ids(app, cid)
    open_ = commitment_ids(app, cid)
    review = f"{base}/meetings/{m2}/review"
    get(browsers["cis"], tool, review, 403)
    assert "Ann Aalders at meeting 1" in text_of(get(browsers["bob"], tool, review))
    outcomes = {person["ann"]: "done", person["bob"]: "partly", person["cis"]: "not_done", person["dirk"]: "done"}
    post(browsers["bob"], tool, review, {"outcome-" + str(open_[person["ann"]]): "sometimes"}, status=400, token_from=review)  # unknown outcome: nothing written
    post(browsers["bob"], tool, review, {f"outcome-{open_[person['ann']]}": "done", f"comment-{open_[person['ann']]}": "c" * 1001}, status=400, token_from=review)
    post(browsers["bob"], tool, review, {f"comment-{open_[person['ann']]}": "a comment without an outcome"}, status=400, token_from=review)
    post(browsers["bob"], tool, review, {"outcome-2147483000": "done"}, status=400, token_from=review)  # not an open commitment here
    get(browsers["bob"], tool, f"{base}/meetings/{m2 + 1000}/review", 404)
    assert _count(app, CircleCommitment) == 4 and len(commitment_ids(app, cid)) == 4
    data = {f"outcome-{open_[p]}": o for p, o in outcomes.items()} | {f"comment-{open_[person['cis']]}": "No time this month"}
    post(browsers["bob"], tool, review, data, token_from=review)
    for key in ("ann", "bob"):
        post(browsers[key], tool, base + "/commitments", {"text": f"{MEMBERS[key]} will write a post"}, token_from=base)
    # meeting 3, chaired by Cis, who reviews meeting 2's commitments
    record_meeting(browsers["cis"], tool, cid, days_ago(1))
    m3 = meeting_ids(app, cid)[2][0]
    open_ = commitment_ids(app, cid)
    review = f"{base}/meetings/{m3}/review"
    post(browsers["cis"], tool, review, {f"outcome-{open_[person['ann']]}": "done", f"outcome-{open_[person['bob']]}": "not_done", f"comment-{open_[person['bob']]}": "Next time"}, token_from=review)

    assert [chair for _id, _seq, chair in meeting_ids(app, cid)] == [person["ann"], person["bob"], person["cis"]]
    # (1 + 0.5 + 0 + 1) + (1 + 0) over 6 reviewed = 3.5 / 6 = 58 %
    page = text_of(get(browsers["dirk"], tool, base))
    assert "The circle's follow-through rate: 58% (6 commitments reviewed)" in page
    assert "Done counts 1, partly 0.5 and not done 0" in page
    assert "Dirk Dekker (chairs the next meeting)" in page
    assert "Meeting 1: Cis Claes will try one online tool — Not done : No time this month" in page  # Cis's history
    assert "Meeting 2: Bob Brouwer will write a post — Not done : Next time" in page
    assert "Meeting 3," in page and "Chair: Cis Claes" in page
    assert "6:00 PM (Europe/Amsterdam)" in page  # recorded at 18:00 by a member in Amsterdam, read in their zone
    with app.app_context():
        from plugin.extensions import db

        assert db.session.scalar(sa.select(sa.func.count()).select_from(CircleMeeting)) == 3
        assert db.session.get(Circle, cid).name == "Digital board"
    seen_by_trainer = text_of(get(trainer, tool, base))
    in_utc = datetime.combine(days_ago(1), time(18), ZoneInfo("Europe/Amsterdam")).astimezone(UTC)
    assert "The circle's follow-through rate: 58%" in seen_by_trainer and f"{in_utc.hour - 12}:00 PM (UTC)" in seen_by_trainer  # the trainer's zone

    # Dirk leaves: the rotation goes on without him (meeting 4 is chaired by order[3 mod 3] = Ann)
    post(browsers["dirk"], tool, f"{base}/members/{person['dirk']}/leave", {}, token_from=base)
    get(browsers["dirk"], tool, base, 404)
    assert "Ann Aalders (chairs the next meeting)" in text_of(get(browsers["ann"], tool, base))
    post(browsers["bob"], tool, f"{base}/members/{person['ann']}/leave", {}, status=403, token_from=base)


def test_refused_input_writes_nothing(app, platform, tool):
    from plugin.models import Circle, CircleMeeting

    browsers, person = people(app, platform, tool, {"ann": "Ann", "bob": "Bob", "cis": "Cis", "dirk": "Dirk"})
    trainer = browsers["trainer"]
    four = [str(person[k]) for k in ("ann", "bob", "cis", "dirk")]
    new = "/circles/new"
    for fields, message in (
        ([("name", "Too few"), ("cadence", "monthly"), *(("members", m) for m in four[:3])], "A circle has 4 to 10 members."),
        ([("name", ""), ("cadence", "monthly"), *(("members", m) for m in four)], "This cannot be empty."),
        ([("name", "x" * 201), ("cadence", "monthly"), *(("members", m) for m in four)], "At most 200 characters."),
        ([("name", "Junk"), ("cadence", "monthly"), *(("members", m) for m in [*four[:3], "99999999999999"])], "Choose members among the programme's participants."),
        ([("name", "Cadence"), ("cadence", "daily"), *(("members", m) for m in four)], "Choose how often the circle meets."),
        ([("name", "Past"), ("cadence", "monthly"), ("starts_on", "2020-01-01"), *(("members", m) for m in four)], "Plan the first meeting for today or later."),
    ):
        assert message in text_of(post(trainer, tool, new, fields, status=400, token_from=new).text)
    post(trainer, tool, new, [("name", "Nul\x00"), ("cadence", "monthly")], status=400, token_from=new)
    assert _count(app, Circle) == 0
    seed_participants(app, [{"subject": "boss", "side": "senior_expert"}, {"subject": "report", "side": "digital_mentor", "manager": "boss"}])
    from tests.web.programme_support import ids

    found = ids(app, "boss", "report")
    fields = [("name", "Reporting line"), ("cadence", "monthly"), *(("members", m) for m in [*four[:2], str(found["boss"]), str(found["report"])])]
    assert "No one can be in a circle with their manager." in text_of(post(trainer, tool, new, fields, status=400, token_from=new).text)
    assert _count(app, Circle) == 0

    cid = make_circle(trainer, tool, "Board", [person[k] for k in ("ann", "bob", "cis", "dirk")])
    get(trainer, tool, "/circles/2147483648", 404)
    for data, message in (({"held_on": (today() + timedelta(days=2)).isoformat()}, "the time is in the future"), ({"held_on": days_ago(1).isoformat(), "notes": "n" * 10001}, "At most 10000 characters.")):
        assert message in text_of(post(browsers["ann"], tool, f"/circles/{cid}/meetings/new", data, status=400, token_from=f"/circles/{cid}").text)
    assert _count(app, CircleMeeting) == 0
    assert "the circle has not met yet" in text_of(post(browsers["bob"], tool, f"/circles/{cid}/commitments", {"text": "Too early"}, status=400).text).lower()


def test_forming_circles_from_a_small_pool_over_http(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Circle, CircleMember, CircleProposal, Participant, Person

    browsers, person = people(app, platform, tool, {"rhea": "Rhea Region"})
    trainer = browsers["trainer"]
    # a person gives their region on the first profile step (optional), and forming counts it
    post(browsers["rhea"], tool, "/profile/basics", [("side", "digital_mentor"), ("languages", "en"), ("capacity", "1"), ("region", " Limburg ")], token_from="/profile/basics")
    assert 'value="Limburg"' in get(browsers["rhea"], tool, "/profile/basics")
    with app.app_context():
        assert db.session.scalar(sa.select(Participant.region).where(Participant.person_id == person["rhea"])) == "Limburg"
    pool = [
        {"subject": f"p{k}", "name": f"Pool Person {k:02d}", "side": ("digital_mentor", "senior_expert")[k % 2], "languages": (["en"], ["nl"], ["en", "nl"])[k % 3],
         "manager": f"p{k - 1}" if k % 4 == 1 else ""}
        for k in range(14)
    ]  # fmt: skip
    by = seed_participants(app, pool)
    csv_text = "user_id,name,side,languages,department,region\nimported,Ivo Imported,senior_expert,en,Sales,Flanders\n"
    post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", csv_text.encode(), "text/csv")}, token_from="/programme/roster/import")
    with app.app_context():
        assert db.session.scalar(sa.select(Participant.region).join(Person, Person.id == Participant.person_id).where(Person.subject == "imported")) == "Flanders"
        for k, row in enumerate(db.session.scalars(sa.select(Participant).where(Participant.person_id.in_(list(by.values()))).order_by(Participant.person_id))):
            row.department, row.region = f"Dept {k % 3}", ("North", "South", "East", "West")[k % 4]
        db.session.commit()
    assert "15 people are in the pool." in text_of(get(trainer, tool, "/circles/form"))
    assert "The largest circle has 4 to 10 members" in text_of(post(trainer, tool, "/circles/form", {"min_size": "6", "max_size": "5", "cadence": "weekly"}, status=400, token_from="/circles/form").text)
    response = post(trainer, tool, "/circles/form", {"min_size": "4", "max_size": "5", "cadence": "weekly"}, token_from="/circles/form")
    proposal = response.headers["Location"]
    page = text_of(get(trainer, tool, proposal[proposal.index("/circles/"):]))
    assert "Circle 1" in page and "Why:" in page and "departments" in page
    pid = int(proposal.rsplit("/", 1)[1])
    post(trainer, tool, f"/circles/proposals/{pid}/publish", {}, token_from="/circles/form")
    post(trainer, tool, f"/circles/proposals/{pid}/publish", {}, status=400, token_from="/circles/form")  # once
    with app.app_context():
        assert db.session.get(CircleProposal, pid).status == "published"
        circles = db.session.scalars(sa.select(Circle)).all()
        rows = {p.person_id: p for p in db.session.scalars(sa.select(Participant))}
        seen: set[int] = set()
        for circle in circles:
            members = list(db.session.scalars(sa.select(CircleMember.person_id).where(CircleMember.circle_id == circle.id)))
            assert 4 <= len(members) <= 5 and circle.cadence == "weekly" and circle.source == "pool"
            assert not seen & set(members)
            seen |= set(members)
            assert set.intersection(*(set(rows[m].languages) for m in members))
            assert not any(rows[m].manager_person_id in members for m in members)
        assert len(seen) >= 13
    listed = text_of(get(trainer, tool, "/circles"))
    assert "Peer circle 1" in listed
    assert f"{len(seen)} people already in a circle of the programme are left out." in text_of(get(trainer, tool, "/circles/form"))
    # the demo's example: an advisory board of four with its first meeting and everyone's commitment
    from plugin.models import Programme
    from plugin.services.circles import seed_example

    with app.app_context():
        example = seed_example(db.session, db.session.scalar(sa.select(Programme.id)), [by["p0"], by["p2"], by["p3"], by["p6"]])
        db.session.commit()
        example_id = example.id
    page = text_of(get(trainer, tool, f"/circles/{example_id}"))
    assert "Advisory board" in page and "Meeting 1," in page and "Pool Person 02 (chairs the next meeting)" in page
    assert page.count("will try one new online tool") >= 4 and "Next meetings" in page
