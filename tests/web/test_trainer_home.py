"""The trainer's home says where the programme stands and what comes next, the same way as the participants
page: before setup, once participants joined (ready per side), while matching runs, with a proposal to review,
and after publish (N tandems, of which accepted, active and at risk). Its numbers take a constant number of
queries, whatever the size of the programme."""

from __future__ import annotations

import random
import re
import threading
from datetime import timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, job_url_of, launch, needs_for, post, seed_participants, set_up_programme, text_of, wait_for_job


def _trainer(platform, tool, **settings):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    if settings.get("set_up", True):
        set_up_programme(trainer, tool)
    return trainer


def _people(count: int, seed: int = 3, sides=("digital_mentor", "senior_expert"), prefix: str = "p") -> list[dict]:
    rng = random.Random(seed)
    return [
        {"subject": f"{prefix}{i}", "name": f"Person {prefix}{i}", "side": sides[i % len(sides)], "languages": ["en", "nl"], "needs": needs_for(sides[i % len(sides)], rng)}
        for i in range(count)
    ]


def _fact(page: str, label: str) -> int:
    """The number a ``<dt>label</dt><dd>n</dd>`` pair shows."""
    found = re.search(r"<dt>" + re.escape(label) + r"</dt>\s*<dd>(\d+)</dd>", page)
    assert found, (label, text_of(page)[:2000])
    return int(found.group(1))


def _next_step(page: str) -> tuple[str, str]:
    """The one next-step link: its address and its words."""
    found = re.findall(r'<p class="next-step"><a class="button" href="([^"]+)">([^<]+)</a>', page)
    assert len(found) == 1, found
    return found[0]


def _publish(app, trainer, tool) -> None:
    """Publish the current proposal (directly, or through a publish job where there is one)."""
    from plugin.extensions import db
    from plugin.models import Proposal

    with app.app_context():
        proposal_id = db.session.scalar(sa.select(Proposal.id).where(Proposal.status == "draft"))
    response = post(trainer, tool, f"/programme/proposal/{proposal_id}/publish", {}, token_from=f"/programme/proposal/{proposal_id}/publish")
    if "/programme/jobs/" in response.headers["Location"]:
        assert wait_for_job(trainer, tool, job_url_of(response))[-1]["status"] == "done"


def test_before_setup_the_home_says_what_comes_next(platform, tool):
    trainer = _trainer(platform, tool, set_up=False)
    page = get(trainer, tool, "/home")
    text = text_of(page)
    assert "The programme is not set up yet: here is what comes next" in text
    for step in ("Invite participants.", "They map their needs.", "Match.", "Publish."):
        assert step in text
    assert _next_step(page) == ("/programme/setup", "Set up the programme")
    assert "No tandems yet" not in text


def test_after_participants_join_the_home_counts_who_is_ready_per_side(app, platform, tool):
    trainer = _trainer(platform, tool)
    page = get(trainer, tool, "/home")
    assert "Nobody has joined yet" in text_of(page)
    assert _next_step(page) == ("/programme#bring-in", "Bring participants in")

    seed_participants(app, _people(3, sides=("digital_mentor",)))
    page = get(trainer, tool, "/home")
    assert "3 participants have joined" in text_of(page) and "No senior expert is ready yet." in text_of(page)
    assert _next_step(page) == ("/programme#bring-in", "Bring participants in")  # everyone is ready: a side is missing
    learner = new_browser(verify=False)
    launch(platform, learner, LEARNER, user_id="no-profile-yet")  # joined, profile not filled in
    page = get(trainer, tool, "/home")
    text = text_of(page)
    assert "4 participants have joined" in text
    assert (_fact(page, "Participants"), _fact(page, "Digital mentors ready"), _fact(page, "Senior experts ready"), _fact(page, "Profile not filled in yet")) == (4, 3, 0, 1)
    assert "No senior expert is ready yet." in text
    assert _next_step(page) == ("/programme#people-list", "See who has not filled in their profile")
    overview = get(trainer, tool, "/programme")
    assert "4 participants have joined" in text_of(overview) and "No senior expert is ready yet." in text_of(overview)
    assert "action=\"/programme/match\"" not in overview and "action=\"/programme/manual\"" not in overview  # it cannot succeed yet

    seed_participants(app, _people(2, sides=("senior_expert",), prefix="e"))
    page = get(trainer, tool, "/home")
    assert (_fact(page, "Digital mentors ready"), _fact(page, "Senior experts ready")) == (3, 2)
    assert _next_step(page) == ("/programme#matching", "Run matching")
    assert 'action="/programme/match"' in get(trainer, tool, "/programme")


def test_while_matching_runs_then_with_a_proposal_then_after_publish(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Agreement, Job, Person, Programme, Tandem
    from plugin.models.base import utcnow

    trainer = _trainer(platform, tool)
    seed_participants(app, _people(24))
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        trainer_id = db.session.scalar(sa.select(Person.id).where(Person.subject == "trainer"))
        held = Job(organisation_id=programme.organisation_id, programme_id=programme.id, kind="match", status="running", total=100, done=40, started_by=trainer_id, message={"key": "solving"})
        db.session.add(held)
        db.session.commit()
        held_id = held.id
    page = get(trainer, tool, "/home")
    assert "Matching is running" in text_of(page)
    assert _next_step(page) == (f"/programme/jobs/{held_id}", "Follow the matching")
    assert f'href="/programme/jobs/{held_id}"' in get(trainer, tool, "/programme")
    with app.app_context():
        db.session.execute(sa.update(Job).where(Job.id == held_id).values(status="failed", message={"key": "error"}))
        db.session.commit()

    response = post(trainer, tool, "/programme/match", {}, token_from="/programme")
    assert wait_for_job(trainer, tool, job_url_of(response))[-1]["status"] == "done"
    page = get(trainer, tool, "/home")
    assert "A proposal is waiting for your review" in text_of(page) and "12 pairs are proposed." in text_of(page)
    assert _next_step(page) == ("/programme/proposal", "Review the proposal")

    _publish(app, trainer, tool)
    page = get(trainer, tool, "/home")
    text = text_of(page)
    assert "Published: 12 tandems" in text and "No tandems yet" not in text
    assert (_fact(page, "Published tandems"), _fact(page, "Accepted by both partners"), _fact(page, "Active (agreement signed)"), _fact(page, "At risk (health flags)")) == (12, 0, 0, 0)
    assert "12 tandems are waiting for an answer" in text
    assert _next_step(page) == ("/tandems", "Open the tandems")

    # three accept, two of them sign their agreement, one of those has not met for two months; one declines
    with app.app_context():
        tandems = db.session.scalars(sa.select(Tandem).order_by(Tandem.id)).all()
        for t in tandems[:3]:
            t.status, t.digital_response, t.expert_response = "active", "accepted", "accepted"
        long_ago, recently = (utcnow() - timedelta(days=60)).isoformat(), utcnow().isoformat()
        for t, at in ((tandems[0], long_ago), (tandems[1], recently)):
            db.session.add(Agreement(tandem_id=t.id, goals="Learn", cadence="monthly", duration_minutes=60, confidentiality="Ours.", signatures=[{"person_id": t.digital_person_id, "at": at}, {"person_id": t.expert_person_id, "at": at}]))
        tandems[3].status = "declined"
        db.session.commit()
    page = get(trainer, tool, "/home")
    counts = (_fact(page, "Published tandems"), _fact(page, "Accepted by both partners"), _fact(page, "Active (agreement signed)"), _fact(page, "At risk (health flags)"), _fact(page, "Declined"))
    assert counts == (11, 3, 2, 1, 1)
    assert "Published: 11 tandems" in text_of(page)
    assert _next_step(page) == ("/tandems", "See the tandem that needs attention")
    overview = get(trainer, tool, "/programme")
    assert "Published: 11 tandems" in text_of(overview) and _fact(overview, "At risk (health flags)") == 1


def _programme_of(app, platform, tool, participants: int, suffix: str):
    """A course whose programme has ``participants`` ready people, half of them in active tandems with a signed
    agreement and a session; returns the trainer's actor."""
    from plugin.extensions import db
    from plugin.models import Agreement, Course, MentoringSession, Membership, Person, Programme, Tandem
    from plugin.models.base import utcnow
    from plugin.services.launches import Actor
    from plugin.domain.roles import Role

    trainer = new_browser(verify=False)
    context = {"id": f"course-{suffix}", "title": f"Course {suffix}"}
    launch(platform, trainer, INSTRUCTOR, user_id=f"trainer-{suffix}", context=context)
    set_up_programme(trainer, tool)
    seed_participants(app, _people(participants, prefix=f"{suffix}-"), context_id=f"course-{suffix}")
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == f"course-{suffix}"))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        people = db.session.execute(
            sa.select(Person.id, Person.subject).join(Membership, Membership.person_id == Person.id).where(Membership.course_id == course.id, Membership.role == "participant").order_by(Person.id)
        ).all()
        digital = [pid for pid, subject in people if int(subject.rsplit("-", 1)[1]) % 2 == 0]
        expert = [pid for pid, subject in people if int(subject.rsplit("-", 1)[1]) % 2 == 1]
        now = utcnow()
        for d, e in list(zip(digital, expert, strict=True))[: participants // 4]:
            tandem = Tandem(organisation_id=course.organisation_id, programme_id=programme.id, digital_person_id=d, expert_person_id=e, score=100, explanation={}, status="active", digital_response="accepted", expert_response="accepted", published_at=now)
            db.session.add(tandem)
            db.session.flush()
            db.session.add(Agreement(tandem_id=tandem.id, goals="Learn", cadence="monthly", duration_minutes=60, confidentiality="Ours.", signatures=[{"person_id": d, "at": now.isoformat()}, {"person_id": e, "at": now.isoformat()}]))
            db.session.add(MentoringSession(tandem_id=tandem.id, held_on=now.date(), minutes=60, tracks=["digital"], created_by=d))
        trainer_id = db.session.scalar(sa.select(Person.id).where(Person.subject == f"trainer-{suffix}"))
        db.session.commit()
        return Actor(person_id=trainer_id, organisation_id=course.organisation_id, role=Role.TRAINER, course_id=course.id)


def _queries(app, actor) -> tuple[int, object]:
    """The statements the trainer's home takes (only this thread's: the outbox thread queries too)."""
    from plugin.extensions import db
    from plugin.services.homes import home_for
    from plugin.models.base import utcnow

    me = threading.get_ident()
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == me:
            seen.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            home = home_for(db.session, actor, utcnow().date())
            db.session.rollback()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen), home


def test_the_home_takes_as_many_queries_for_200_participants_as_for_20(app, platform, tool):
    small, large = _programme_of(app, platform, tool, 20, "small"), _programme_of(app, platform, tool, 200, "large")
    few, small_home = _queries(app, small)
    many, large_home = _queries(app, large)
    assert (small_home.programme.participants, small_home.programme.tandems.active) == (20, 5)
    assert (large_home.programme.participants, large_home.programme.tandems.active) == (200, 50)
    assert few == many, (few, many)
    assert many <= 20, many


def test_a_participant_home_follows_their_pairing(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Person, Programme, Tandem
    from plugin.models.base import utcnow

    _trainer(platform, tool)
    learner = new_browser(verify=False)
    launch(platform, learner, LEARNER, user_id="d1", name="Dana Digital")
    assert "You do not have a tandem partner yet" in text_of(get(learner, tool, "/home"))
    launch(platform, new_browser(verify=False), LEARNER, user_id="e1", name="Evert Expert")
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        people = dict(db.session.execute(sa.select(Person.subject, Person.id).where(Person.subject.in_(("d1", "e1")))).all())
        tandem = Tandem(organisation_id=programme.organisation_id, programme_id=programme.id, digital_person_id=people["d1"], expert_person_id=people["e1"], score=10, explanation={}, status="proposed", published_at=utcnow())
        db.session.add(tandem)
        db.session.commit()
        tandem_id = tandem.id
    page = text_of(get(learner, tool, "/home"))
    assert "You have a partner to answer" in page and "You do not have a tandem partner yet" not in page
    result = platform.launch(learner, roles=[LEARNER], user_id="d1", name="Dana Digital")  # the launch lands on the same home
    assert "You have a partner to answer" in text_of(result.response.text)
    with app.app_context():
        db.session.execute(sa.update(Tandem).where(Tandem.id == tandem_id).values(status="active", digital_response="accepted", expert_response="accepted"))
        db.session.commit()
    page = get(learner, tool, "/home")
    assert "Your tandem has started" in text_of(page) and 'href="/tandems"' in page
