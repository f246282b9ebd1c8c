"""The proposal review at scale: the same number of SQL queries for 20 as for 200 people, pages and filters
served by the server, the edit forms listing only what the page shows, and publishing as a job that ends
on the participants page. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import re
import threading

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, get, job_url_of, launch, needs_for, post, seed_participants, set_up_programme, text_of, wait_for_job

DEPARTMENTS = ("Sales", "Finance", "Legal")


def _trainer(platform, tool):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    set_up_programme(trainer, tool, max_capacity="3")
    return trainer


def _seed(app, start: int, count: int, digital_share: float = 0.5, seed: int = 3) -> None:
    from plugin.extensions import db
    from plugin.models import Participant

    rng = random.Random(seed + start)
    people = []
    for i in range(start, start + count):
        side = "digital_mentor" if (i - start) < count * digital_share else "senior_expert"
        people.append({"subject": f"s{i:04d}", "name": f"Person {i:04d}", "side": side, "languages": ["en", "nl"], "needs": needs_for(side, rng)})
    subjects = seed_participants(app, people)
    with app.app_context():  # departments, for the search
        for n, (_subject, person_id) in enumerate(sorted(subjects.items())):
            db.session.execute(sa.update(Participant).where(Participant.person_id == person_id).values(department=DEPARTMENTS[n % len(DEPARTMENTS)]))
        db.session.commit()


def _match(trainer, tool) -> None:
    response = post(trainer, tool, "/programme/match", {}, token_from="/programme")
    assert wait_for_job(trainer, tool, job_url_of(response))[-1]["status"] == "done"


def _draft(app):
    from plugin.extensions import db
    from plugin.models import Proposal

    with app.app_context():
        return db.session.scalar(sa.select(Proposal).where(Proposal.status == "draft"))


class _Queries:
    """SQL statements this thread sends (the served app and the outbox have threads of their own)."""

    def __init__(self, engine) -> None:
        self.count, self._thread = 0, threading.get_ident()
        sa.event.listen(engine, "before_cursor_execute", self._seen)
        self._engine = engine

    def _seen(self, *args) -> None:
        if threading.get_ident() == self._thread:
            self.count += 1

    def close(self) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._seen)


def _queries(app, path: str) -> tuple[int, str]:
    """The number of SQL statements one GET of ``path`` by the trainer sends, and the page."""
    from plugin.extensions import db
    from plugin.models import Course, Person

    with app.app_context():
        trainer = db.session.scalar(sa.select(Person).where(Person.subject == "trainer"))
        course = db.session.scalar(sa.select(Course))
        values = {"person_id": trainer.id, "organisation_id": trainer.organisation_id, "role": "trainer", "course_id": course.id}
        engine = db.engine
    client = app.test_client()
    with client.session_transaction() as s:
        s.update(values)
    client.get(path)  # warm: templates compiled, caches filled
    counter = _Queries(engine)
    try:
        response = client.get(path)
    finally:
        counter.close()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return counter.count, response.get_data(as_text=True)


PATHS = ("/programme/proposal", "/programme/proposal?fit=good&q=Sales&page=2&upage=2&find_digital=Finance&find_expert=Person")


def test_the_review_sends_as_many_queries_for_200_people_as_for_20(app, platform, tool):
    trainer = _trainer(platform, tool)
    _seed(app, 0, 20)
    _match(trainer, tool)
    small = {path: _queries(app, path) for path in PATHS}
    _seed(app, 20, 180)
    _match(trainer, tool)
    large = {path: _queries(app, path) for path in PATHS}
    for path in PATHS:
        assert small[path][0] == large[path][0], (path, small[path][0], large[path][0])
    assert len(_draft(app).pairs) > 60  # the large programme has more than one page of pairs
    page = large["/programme/proposal"][1]
    assert page.count('class="pair-card"') == 50 and "Page 1 of" in text_of(page)
    assert "Score" not in text_of(page)


def test_pages_and_filters_are_served_by_the_server(app, platform, tool):
    trainer = _trainer(platform, tool)
    _seed(app, 0, 200, digital_share=0.7)  # 140 digital mentors, 60 senior experts: many without a partner
    _match(trainer, tool)
    draft = _draft(app)
    pairs = draft.pairs
    assert len(pairs) > 50 and len(draft.unmatched) > 50

    first, second = get(trainer, tool, "/programme/proposal"), get(trainer, tool, "/programme/proposal?page=2")
    cards = lambda page: re.findall(r'<li class="pair-card">\s*<h3>(.*?)</h3>', page)  # noqa: E731
    assert len(cards(first)) == 50 and len(cards(second)) == len(pairs) - 50 and not set(cards(first)) & set(cards(second))
    assert cards(get(trainer, tool, "/programme/proposal?page=999")) == cards(second)  # past the end: the last page
    assert cards(get(trainer, tool, "/programme/proposal?page=abc")) == cards(first)  # malformed: the first page
    # the swap lists the pairs of this page only; every senior expert has their partner: no add form
    swap = first.split('id="first"')[1].split("</select>")[0]
    assert swap.count("<option") == 50
    assert "No senior expert is left to pair" in text_of(first) and 'id="digital"' not in first

    # fit
    for level, label in (("strong", "Strong fit both ways"), ("good", "Good fit"), ("fair", "Fair fit"), ("thin", "One direction is thin")):
        page = get(trainer, tool, f"/programme/proposal?fit={level}")
        shown = re.findall(r'<p class="fit fit-(\w+)">', page)
        assert set(shown) <= {level}, (level, set(shown))
        if shown:
            assert page.count(f"<strong>{label}</strong>:") == len(shown)
    # name search: the pair of one person, and that person only among the unmatched
    someone = pairs[7]
    name = f"Person {int(someone['digital']) - _first_id(app):04d}"
    page = get(trainer, tool, f"/programme/proposal?q={name.replace(' ', '+')}")
    assert len(cards(page)) == 1 and name in cards(page)[0]
    # department search
    sales = text_of(get(trainer, tool, "/programme/proposal?q=sales"))
    assert "filtered from" in sales
    # the people without a partner are paged on their own
    unmatched = lambda page: re.findall(r"<li><strong>(Person \d+)</strong>:", page)  # noqa: E731
    one, two = unmatched(first), unmatched(get(trainer, tool, "/programme/proposal?upage=2"))
    assert len(one) == 50 and two and not set(one) & set(two)
    assert cards(get(trainer, tool, "/programme/proposal?upage=2")) == cards(first)  # the pairs stay on their page

    # "changed by you": after a swap from page 2 the trainer is back on page 2; the filter shows only the changed pairs
    a, b = pairs[50], pairs[51]
    response = post(trainer, tool, f"/programme/proposal/{draft.id}/swap", {"first": f"{a['digital']}-{a['expert']}", "second": f"{b['digital']}-{b['expert']}", "back": "page=2"}, token_from="/programme/proposal?page=2")
    assert response.headers["Location"].endswith("/programme/proposal?page=2")
    outcome = text_of(get(trainer, tool, "/programme/proposal?page=2"))
    assert outcome.count("The partners of the two pairs were swapped.") + outcome.count("Not changed:") == 1
    changed = get(trainer, tool, "/programme/proposal?changed=1")
    edited = [p for p in _draft(app).pairs if p["edited"]]
    assert len(cards(changed)) == len(edited) and text_of(changed).count("changed by you") >= len(edited)


def test_pairing_by_hand_lists_a_page_of_people_and_finds_the_others(app, platform, tool):
    trainer = _trainer(platform, tool)
    _seed(app, 0, 200, digital_share=0.7)
    post(trainer, tool, "/programme/manual", {}, token_from="/programme")
    page = get(trainer, tool, "/programme/proposal")
    assert "/publish" not in page and 'id="swap-title"' not in page  # nothing to publish, nothing to swap
    options = lambda page, side: re.findall(r'<option value="(\d+)"', page.split(f'id="{side}"')[1].split("</select>")[0])  # noqa: E731
    assert len(options(page, "digital")) == 50 and len(options(page, "expert")) == 50
    assert "50 shown of 140 found; 140 digital mentors have a place left." in text_of(page)
    found = get(trainer, tool, "/programme/proposal?find_digital=person+0007&find_expert=Person+019")
    assert len(options(found, "digital")) == 1 and len(options(found, "expert")) == 10
    digital, expert = options(found, "digital")[0], options(found, "expert")[0]
    draft = _draft(app)
    response = post(trainer, tool, f"/programme/proposal/{draft.id}/add", {"digital": digital, "expert": expert, "back": "find_digital=person+0007"}, token_from="/programme/proposal")
    assert response.headers["Location"].endswith("/programme/proposal?find_digital=person+0007")
    after = text_of(get(trainer, tool, "/programme/proposal?find_digital=person+0007"))
    assert after.count("The pair was added to the proposal.") == 1 and "Not changed" not in after
    assert [(p["digital"], p["expert"]) for p in _draft(app).pairs] == [(digital, expert)]
    assert "/publish" in get(trainer, tool, "/programme/proposal")


def _first_id(app) -> int:
    from plugin.extensions import db
    from plugin.models import Person

    with app.app_context():
        return db.session.scalar(sa.select(Person.id).where(Person.subject == "s0000"))


def test_publish_is_a_job_that_creates_the_tandems_and_leads_to_the_participants(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Job, Proposal, Tandem

    trainer = _trainer(platform, tool)
    _seed(app, 0, 40)
    _match(trainer, tool)
    draft = _draft(app)
    confirm = text_of(get(trainer, tool, f"/programme/proposal/{draft.id}/publish"))
    assert f"{len(draft.pairs)} pairs" in confirm and "cannot be unpublished" in confirm
    response = post(trainer, tool, f"/programme/proposal/{draft.id}/publish", {}, token_from=f"/programme/proposal/{draft.id}/publish")
    job_url = job_url_of(response)
    states = wait_for_job(trainer, tool, job_url)
    final = states[-1]
    assert final["status"] == "done" and final["kind"] == "publish" and final["next"].endswith("/programme"), final
    assert f"Published: {len(draft.pairs)} tandems" in final["text"]
    assert 'href="/programme"' in get(trainer, tool, job_url)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tandem).where(Tandem.proposal_id == draft.id)) == len(draft.pairs)
        assert db.session.scalar(sa.select(Proposal.status).where(Proposal.id == draft.id)) == "published"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(Job.kind == "publish")) == 1
    assert "There is no proposal to review" in get(trainer, tool, "/programme/proposal")
    # publishing again: the draft is gone, nothing more is written
    post(trainer, tool, f"/programme/proposal/{draft.id}/publish", {}, status=404, token_from="/programme")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tandem)) == len(draft.pairs)


def test_malformed_edits_are_clear_400_pages_and_change_nothing(app, platform, tool):
    trainer = _trainer(platform, tool)
    _seed(app, 0, 20)
    _match(trainer, tool)
    draft = _draft(app)
    before = draft.pairs
    for path, data in (("remove", {"pair": "12-x"}), ("swap", {"first": "1-2", "second": "x"}), ("add", {"digital": "one", "expert": "2"})):
        page = post(trainer, tool, f"/programme/proposal/{draft.id}/{path}", data, status=400, token_from="/programme/proposal")
        assert "Something is not right" in page.text
    no_token = trainer.post(tool.url + f"/programme/proposal/{draft.id}/remove", data={"pair": f"{before[0]['digital']}-{before[0]['expert']}"}, allow_redirects=False)
    assert no_token.status_code == 400 and "This form has expired" in no_token.text
    assert _draft(app).pairs == before


def test_a_publish_job_that_finds_a_broken_rule_publishes_nothing(app, platform, tool):
    """A veto that arrives between the trainer's press and the job: the job checks again and stops."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Job, Participant, Person, Programme, Tandem
    from plugin.services import jobs, publishing
    from plugin.services.launches import Actor

    trainer = _trainer(platform, tool)
    _seed(app, 0, 20)
    _match(trainer, tool)
    draft = _draft(app)
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        me = db.session.scalar(sa.select(Person).where(Person.subject == "trainer"))
        actor = Actor(me.id, me.organisation_id, Role.TRAINER, programme.course_id)
        job_id = publishing.start(db.session, actor, programme, draft.id)
        db.session.commit()
        pair = draft.pairs[0]
        db.session.execute(sa.update(Participant).where(Participant.person_id == int(pair["expert"])).values(vetoes=[int(pair["digital"])]))
        db.session.commit()
        assert publishing.run(db.session, job_id, programme.id, draft.id, jobs.stage_reporter(db.session, job_id)) == 0
        db.session.commit()
        job = db.session.get(Job, job_id)
        assert (job.status, job.message["key"], job.message["rule"]) == ("failed", "publish_refused", "veto")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tandem)) == 0
    final = wait_for_job(trainer, tool, f"/programme/jobs/{job_id}")[-1]
    assert "Nothing was published" in final["text"] and final["status"] == "failed"
    assert _draft(app).id == draft.id  # the draft is still there to review
