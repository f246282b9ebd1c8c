"""The programme over real HTTPS after real LTI launches: setup, roster (NRPS and CSV), profiles,
matching with progress, review, publish, and what participants see."""

from __future__ import annotations

import random
import threading
import time

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import (
    INSTRUCTOR,
    LEARNER,
    get,
    ids,
    job_url_of,
    launch,
    needs_for,
    post,
    seed_participants,
    set_up_programme,
    text_of,
    wait_for_job,
)


def _count(app, model, *where) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _ready(app) -> dict[str, bool]:
    """Who the trainer's overview counts as ready for matching."""
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Course, Person, Programme
    from plugin.services import programmes
    from plugin.services.launches import Actor

    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        course = db.session.get(Course, programme.course_id)
        trainer = db.session.scalar(sa.select(Person).where(Person.subject == "trainer"))
        actor = Actor(person_id=trainer.id, organisation_id=course.organisation_id, role=Role.TRAINER, course_id=course.id)
        return {m.name: m.ready for m in programmes.members(db.session, actor, programme)}


def _trainer(platform, tool, **settings):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    set_up_programme(trainer, tool, **settings)
    return trainer


# ---------------------------------------------------------------- setup


def test_a_trainer_sets_up_the_programme_and_participants_may_not(app, platform, tool, browser):
    from plugin.extensions import db
    from plugin.models import Programme

    launch(platform, browser, INSTRUCTOR)
    assert get(browser, tool, "/programme", 303)  # no programme yet: to the setup
    page = get(browser, tool, "/programme/setup")
    assert "Hard rules" in page and "Modules on offer" in page
    bad = post(browser, tool, "/programme/setup", {"matching_mode": "trainer", "default_capacity": "9", "max_capacity": "2"}, status=400, token_from="/programme/setup")
    assert "between 0 and the most partners per person" in bad.text
    assert _count(app, Programme) == 0
    set_up_programme(browser, tool, matching_mode="manual", modules="e-reputation", max_capacity="4", shared_language=None)
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        assert (programme.matching_mode, programme.max_capacity, programme.modules, programme.shared_language) == ("manual", 4, ["e-reputation"], False)
    unknown = post(browser, tool, "/programme/setup", {"matching_mode": "trainer", "default_capacity": "1", "max_capacity": "3", "modules": "no-such-module"}, status=400, token_from="/programme/setup")
    assert "Choose modules your organisation offers" in unknown.text
    assert browser.post(tool.url + "/programme/setup", data={"matching_mode": "choice"}, allow_redirects=False).status_code == 400  # no CSRF token

    learner = new_browser(verify=False)
    launch(platform, learner, LEARNER, user_id="learner-1")
    get(learner, tool, "/programme/setup", 403)
    get(learner, tool, "/programme", 403)
    get(learner, tool, "/programme/proposal", 403)
    post(learner, tool, "/programme/match", {}, status=403)


# ---------------------------------------------------------------- profile


def test_profile_before_the_programme_exists_says_so(platform, tool, browser):
    launch(platform, browser, LEARNER, user_id="p1")
    assert "has not set up the mentoring programme" in get(browser, tool, "/profile", 404)


def test_a_participant_joins_from_the_launch_and_maps_needs(app, platform, tool, browser):
    from plugin.extensions import db
    from plugin.models import Participant

    trainer = _trainer(platform, tool)
    launch(platform, browser, LEARNER, user_id="p1", name="Piet Jansen")
    launch(platform, new_browser(verify=False), LEARNER, user_id="p2", name="Wil de Vries")
    # the trainer sees both, without a profile yet
    overview = text_of(get(trainer, tool, "/programme"))
    assert "Piet Jansen" in overview and "Wil de Vries" in overview and _ready(app) == {"Piet Jansen": False, "Wil de Vries": False}

    assert get(browser, tool, "/profile", 303)  # no profile yet: to its first step
    page = get(browser, tool, "/profile/basics")
    assert "Step 1 of 15" in text_of(page) and "I take part as" in page
    get(browser, tool, "/profile/needs/digcomp-2", 303)  # the needs map waits for the side
    basics = [("side", "senior_expert"), ("languages", "nl"), ("languages", "en"), ("capacity", "2"), ("timezone", "Europe/Amsterdam"), ("cadence", "monthly")]
    saved = post(browser, tool, "/profile/basics", basics, token_from="/profile/basics")
    assert saved.headers["Location"].endswith("/profile/quick-start")  # an empty needs map: the quick start comes next
    page = get(browser, tool, "/profile/needs/entrecomp-2")
    assert "What I can teach: Resources (EntreComp)" in text_of(page) and 'name="offer-entrecomp-2_5"' in page and 'name="want-entrecomp-2_5"' not in page
    page = get(browser, tool, "/profile/needs/digcomp-2")
    assert "What I want to learn: Communication and collaboration (DigComp)" in text_of(page) and 'name="want-digcomp-2_6"' in page and 'name="offer-digcomp-2_6"' not in page
    post(browser, tool, "/profile/needs/entrecomp-2", [("offer-entrecomp-2_5", "7")], token_from="/profile/needs/entrecomp-2")
    post(browser, tool, "/profile/needs/lifecomp-L", [("offer-lifecomp-L3", "6")], token_from="/profile/needs/lifecomp-L")
    post(browser, tool, "/profile/needs/digcomp-2", [("want-digcomp-2_6", "5"), ("current-digcomp-2_6", "1")], token_from="/profile/needs/digcomp-2")
    wil = ids(app, "p2")["p2"]
    goals = [("goals", "Leer mijn online reputatie beheren"), ("wish1", str(wil))]
    post(browser, tool, "/profile/goals", goals, token_from="/profile/goals")
    with app.app_context():
        row = db.session.scalar(sa.select(Participant).where(Participant.person_id == ids(app, "p1")["p1"]))
        assert row.needs == {"entrecomp:2.5": {"offer": 7}, "lifecomp:L3": {"offer": 6}, "digcomp:2.6": {"want": 5, "current": 1}}
        assert (row.side, row.languages, row.capacity, row.timezone, row.wishes) == ("senior_expert", ["nl", "en"], 2, "Europe/Amsterdam", [wil])
        saved_at = row.profile_saved_at
    assert "Ready for matching" in text_of(get(browser, tool, "/profile"))

    def refused(path, fields, message):
        response = post(browser, tool, path, fields, status=400, token_from=path)
        assert message in text_of(response.text), text_of(response.text)[:2000]
        with app.app_context():
            after = db.session.scalar(sa.select(Participant).where(Participant.person_id == ids(app, "p1")["p1"]))
            assert after.profile_saved_at == saved_at and after.needs == row.needs and after.languages == ["nl", "en"]  # nothing half-written

    refused("/profile/basics", [f for f in basics if f[0] != "languages"], "Choose at least one language")
    refused("/profile/needs/entrecomp-2", [("offer-entrecomp-2_5", "7"), ("want-entrecomp-2_4", "5")], "Check the levels of EntreComp 2.4")  # learning what one's own side teaches
    refused("/profile/needs/digcomp-2", [("want-digcomp-2_6", "2"), ("current-digcomp-2_6", "3")], "the level you want must be above your level today")
    refused("/profile/goals", [*goals, ("vetoes", str(wil))], "nobody you also wish for")
    refused("/profile/basics", [f if f[0] != "capacity" else ("capacity", "9") for f in basics], "How many partners")
    refused("/profile/basics", [f if f[0] != "timezone" else ("timezone", "Mars/Olympus") for f in basics], "Choose a time zone")
    refused("/profile/goals", [*goals, ("manager", str(ids(app, "p1")["p1"]))], "not yourself")
    assert _ready(app) == {"Piet Jansen": True, "Wil de Vries": False}  # what the trainer's overview counts


# ---------------------------------------------------------------- roster: NRPS


def _roster(n: int) -> list[dict]:
    members = [{"user_id": "trainer", "roles": [INSTRUCTOR], "name": "Tess Trainer"}]
    for i in range(n):
        member = {"user_id": f"s{i:03d}", "roles": [LEARNER]}
        if i % 3 == 0:
            member.update(name=f"Student {i}", email=f"s{i}@example.org")
        elif i % 3 == 1:
            member.update(given_name="Given", family_name=f"Family{i}")  # no full name, no email
        members.append(member)  # every third: no name and no email at all (privacy)
    members.append({"user_id": "ta", "roles": [VOCAB_TA], "name": "Teaching Assistant"})
    members.append({"user_id": "gone", "roles": [LEARNER], "status": "Inactive", "name": "Gone Away"})
    return members


VOCAB_TA = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor#TeachingAssistant"


def test_nrps_sync_pulls_a_paginated_roster_with_progress(app, platform, tool):
    from plugin.models import Membership, Participant, Person

    trainer = _trainer(platform, tool)
    platform.set_members("course-1", _roster(260))
    platform.nrps_page_size = 50 if hasattr(platform, "nrps_page_size") else None
    response = post(trainer, tool, "/programme/roster/sync", {"role": "Learner"}, token_from="/programme")
    job_url = job_url_of(response)
    page = get(trainer, tool, job_url)
    assert "<progress" in page and 'role="status"' in page
    states = wait_for_job(trainer, tool, job_url)
    final = states[-1]
    assert final["status"] == "done", final
    assert "260 participants" in final["text"], final["text"]
    pages = [r for r in platform.nrps_requests if r["context_id"] == "course-1"]
    assert len(pages) >= 3 and all(r["status"] == 200 for r in pages)  # followed Link: rel="next" to the end
    assert all("role=" in r["url"] for r in pages)  # the role filter was sent on every page
    assert _count(app, Participant) == 260
    assert _count(app, Membership, Membership.role == "participant") == 260
    assert _count(app, Person, Person.subject == "gone") == 0  # inactive: not brought in
    assert _count(app, Person, Person.subject == "ta") == 0  # filtered out by role
    overview = text_of(get(trainer, tool, "/programme"))
    assert "Student 3" in overview and "Given Family1" in overview and "Participant " in overview  # names missing: a neutral label
    assert "Course roster" in overview

    # everyone: trainers come in as trainers, and a second sync changes nothing twice
    response = post(trainer, tool, "/programme/roster/sync", {"role": ""}, token_from="/programme")
    assert wait_for_job(trainer, tool, job_url_of(response))[-1]["status"] == "done"
    assert _count(app, Participant) == 260
    assert _count(app, Membership, Membership.role == "trainer") == 2


def test_nrps_failure_changes_nothing_and_says_so(app, platform, tool):
    from plugin.models import Participant, Person

    trainer = _trainer(platform, tool)
    platform.set_members("course-1", _roster(120))
    people = _count(app, Person)
    platform.fail_next("nrps", 20, 503)
    response = post(trainer, tool, "/programme/roster/sync", {"role": "Learner"}, token_from="/programme")
    final = wait_for_job(trainer, tool, job_url_of(response))[-1]
    assert final["status"] == "failed" and "Nothing was changed" in final["text"]
    assert _count(app, Participant) == 0 and _count(app, Person) == people


def test_a_launch_without_nrps_offers_the_csv_import(app, platform, tool):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", nrps=False)
    set_up_programme(trainer, tool)
    response = post(trainer, tool, "/programme/roster/sync", {"role": "Learner"}, status=409, token_from="/programme")
    assert "Import a CSV file instead" in response.text


# ---------------------------------------------------------------- roster: CSV


def test_csv_with_bad_rows_imports_nothing_and_names_each_line(app, platform, tool):
    from plugin.models import Membership, Participant, Person

    trainer = _trainer(platform, tool)
    people = _count(app, Person)
    csv_text = (
        "user_id,name,email,side,languages,capacity,department,manager_user_id,timezone\n"
        "u1,Anna,anna@example.org,digital_mentor,en;nl,1,Sales,,Europe/Amsterdam\n"  # line 2: good
        ",No Id,,senior_expert,en,1,,,\n"  # line 3: no user id
        "u3,Bert,bert@example.org,wizard,en,1,,,\n"  # line 4: bad side
        "u4,Carla,carla@example.org,senior_expert,xx,7,,,\n"  # line 5: bad language and capacity
        "u1,Anna again,,senior_expert,en,1,,,\n"  # line 6: duplicate
        "u6,Dirk,dirk@example.org,senior_expert,en,1,,nobody,Europe/Nowhere\n"  # line 7: bad time zone
    )
    response = post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", csv_text.encode(), "text/csv")}, status=400, token_from="/programme/roster/import")
    shown = text_of(response.text)
    for line, message in ((3, "user_id is empty"), (4, "side must be"), (5, "unknown language code"), (5, "capacity must be"), (6, "also on line 2"), (7, "unknown time zone")):
        assert f"Line {line}:" in shown and message in shown, (line, message, shown[:3000])
    assert "Line 2:" not in shown
    assert "Nothing was imported" in shown
    assert _count(app, Person) == people and _count(app, Participant) == 0

    # a manager nobody knows is a bad line too (checked against the file and Tandem)
    text = "user_id;name;side;manager_user_id\nu1;Anna;digital_mentor;u2\nu2;Bob;senior_expert;ghost\n"
    response = post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", text.encode(), "text/csv")}, status=400, token_from="/programme/roster/import")
    assert "Line 3:" in text_of(response.text) and "ghost" in response.text and "Line 2:" not in text_of(response.text)
    assert _count(app, Participant) == 0

    good = "user_id;name;email;side;languages;capacity;manager_user_id\nu1;Anna;anna@example.org;digital_mentor;en nl;2;u2\nu2;Bob;;senior_expert;nl;1;\n"
    post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", good.encode("utf-8-sig"), "text/csv")}, token_from="/programme/roster/import")
    assert _count(app, Participant) == 2 and _count(app, Membership, Membership.role == "participant") == 2
    overview = text_of(get(trainer, tool, "/programme"))
    assert "Imported 2 participants" in overview and "CSV import" in overview and "Digital mentor" in overview
    not_utf8 = post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", "user_id\nJosé\n".encode("latin-1"), "text/csv")}, status=400, token_from="/programme/roster/import")
    assert "not UTF-8" in not_utf8.text


# ---------------------------------------------------------------- matching, review, publish


def _small_programme(app, platform, tool, **settings):
    """A trainer and six participants with profiles: three digital mentors, three senior experts."""
    trainer = _trainer(platform, tool, **settings)
    learners = {}
    for subject in ("d1", "d2", "d3", "e1", "e2", "e3"):
        learners[subject] = new_browser(verify=False)
        launch(platform, learners[subject], LEARNER, user_id=subject, name=f"Name {subject.upper()}")
    person = ids(app, "d1", "d2", "d3", "e1", "e2", "e3")
    from plugin.extensions import db
    from plugin.models import Participant, Programme
    from plugin.models.base import utcnow

    profiles = {
        "d1": ("digital_mentor", ["en"], {"digcomp:2.6": {"offer": 7}, "entrecomp:2.5": {"want": 6, "current": 1}}),
        "d2": ("digital_mentor", ["nl"], {"digcomp:3.1": {"offer": 6}, "lifecomp:L3": {"want": 5}}),
        "d3": ("digital_mentor", ["en", "nl"], {"digcomp:2.6": {"offer": 5}, "digcomp:3.1": {"offer": 5}, "entrecomp:2.5": {"want": 4}, "lifecomp:L3": {"want": 4}}),
        "e1": ("senior_expert", ["en"], {"entrecomp:2.5": {"offer": 8}, "digcomp:2.6": {"want": 6, "current": 2}}),
        "e2": ("senior_expert", ["nl"], {"lifecomp:L3": {"offer": 7}, "digcomp:3.1": {"want": 5}}),
        "e3": ("senior_expert", ["en", "nl"], {"entrecomp:2.5": {"offer": 5}, "lifecomp:L3": {"offer": 5}, "digcomp:2.6": {"want": 4}, "digcomp:3.1": {"want": 4}}),
    }
    with app.app_context():
        programme_id = db.session.scalar(sa.select(Programme.id))
        for subject, (side, languages, needs) in profiles.items():
            db.session.add(Participant(programme_id=programme_id, person_id=person[subject], side=side, languages=languages, capacity=1, needs=needs, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow()))
        db.session.commit()
    return trainer, learners, person


def _run_matching(trainer, tool) -> list[dict]:
    response = post(trainer, tool, "/programme/match", {}, token_from="/programme")
    states = wait_for_job(trainer, tool, job_url_of(response))
    assert states[-1]["status"] == "done", states[-1]
    return states


def _proposal(app):
    from plugin.extensions import db
    from plugin.models import Proposal

    with app.app_context():
        proposal = db.session.scalar(sa.select(Proposal).where(Proposal.status == "draft"))
        return proposal.id, {(int(p["digital"]), int(p["expert"])) for p in proposal.pairs}, dict(proposal.unmatched)


def _refused_once(trainer, tool, reason: str, path: str = "/programme/proposal", message: str = "Not changed:") -> str:
    """The review page after a refused action: the refusal once, as an alert, and no success message."""
    page = get(trainer, tool, path)
    shown = text_of(page)
    assert shown.count(reason) == 1 and f"{message}" in shown, shown[:2000]
    assert 'role="alert"' in page.split(reason)[0].rsplit("<div", 1)[1]
    assert "was added" not in shown and "were swapped" not in shown and "taken out" not in shown
    assert reason not in text_of(get(trainer, tool, path))  # shown once, not again on the next visit
    return shown


def _succeeded_once(trainer, tool, message: str) -> None:
    shown = text_of(get(trainer, tool, "/programme/proposal"))
    assert shown.count(message) == 1 and "Not changed" not in shown, shown[:2000]


def _publish(trainer, tool, proposal_id: int) -> None:
    """Publish as the trainer does: the job's page, followed until it leads to the participants."""
    response = post(trainer, tool, f"/programme/proposal/{proposal_id}/publish", {}, token_from="/programme/proposal")
    final = wait_for_job(trainer, tool, job_url_of(response))[-1]
    assert final["status"] == "done" and "Published:" in final["text"] and final["next"].endswith("/programme"), final


def test_review_swap_remove_add_then_publish(app, platform, tool):
    from plugin.models import Tandem

    trainer, learners, person = _small_programme(app, platform, tool)
    # nothing before matching, nothing before publish
    assert "You do not have a tandem partner yet" in get(learners["d1"], tool, "/tandem")
    assert "There is no proposal to review" in get(trainer, tool, "/programme/proposal")
    _run_matching(trainer, tool)
    proposal_id, pairs, unmatched = _proposal(app)
    assert pairs == {(person["d1"], person["e1"]), (person["d2"], person["e2"]), (person["d3"], person["e3"])}
    assert unmatched == {}
    review = text_of(get(trainer, tool, "/programme/proposal"))
    assert "Name E1 teaches Name D1" in review and "EntreComp 2.5" in review and "offers level 8, wants level 6 (today 1)" in review
    assert "3 pairs" in review and "proven best overall" in review
    assert "Score" not in review and "Total score" not in review  # fits in words, never raw scores
    for subject in person:
        if subject != "trainer":
            assert "You do not have a tandem partner yet" in get(learners[subject], tool, "/tandem")
    assert _count(app, Tandem) == 0

    # a swap that breaks a rule (d1 and e2 share no language) is refused and changes nothing: one message, back to the review
    refused = post(trainer, tool, f"/programme/proposal/{proposal_id}/swap", {"first": f"{person['d1']}-{person['e1']}", "second": f"{person['d2']}-{person['e2']}"}, token_from="/programme/proposal")
    assert refused.headers["Location"].endswith("/programme/proposal")
    _refused_once(trainer, tool, "share no language")
    assert _proposal(app)[1] == pairs
    # a swap that keeps the rules: d1-e3, d3-e1 (both share English and both learn)
    post(trainer, tool, f"/programme/proposal/{proposal_id}/swap", {"first": f"{person['d1']}-{person['e1']}", "second": f"{person['d3']}-{person['e3']}"}, token_from="/programme/proposal")
    _succeeded_once(trainer, tool, "The partners of the two pairs were swapped.")
    swapped = _proposal(app)[1]
    assert swapped == {(person["d1"], person["e3"]), (person["d3"], person["e1"]), (person["d2"], person["e2"])}
    # remove a pair: both go to the unmatched with the reason
    post(trainer, tool, f"/programme/proposal/{proposal_id}/remove", {"pair": f"{person['d2']}-{person['e2']}"}, token_from="/programme/proposal")
    _, after, unmatched = _proposal(app)
    assert (person["d2"], person["e2"]) not in after and unmatched == {str(person["d2"]): "removed_by_trainer", str(person["e2"]): "removed_by_trainer"}
    assert "Taken out of a pair by the trainer" in text_of(get(trainer, tool, "/programme/proposal"))
    # adding a pair beyond capacity is refused; adding it back is fine
    over = post(trainer, tool, f"/programme/proposal/{proposal_id}/add", {"digital": str(person["d1"]), "expert": str(person["e2"]), "back": "page=1&q=Name"}, token_from="/programme/proposal")
    assert over.headers["Location"].endswith("/programme/proposal?q=Name")  # back to the page and filter the trainer was on
    shown = _refused_once(trainer, tool, "share no language", "/programme/proposal?q=Name")
    assert "The pair was added" not in shown
    assert _proposal(app)[1] == after
    post(trainer, tool, f"/programme/proposal/{proposal_id}/add", {"digital": str(person["d2"]), "expert": str(person["e2"])}, token_from="/programme/proposal")
    _succeeded_once(trainer, tool, "The pair was added to the proposal.")
    final = _proposal(app)[1]
    assert len(final) == 3
    assert _count(app, Tandem) == 0  # still nothing visible

    assert "cannot be unpublished" in get(trainer, tool, f"/programme/proposal/{proposal_id}/publish")
    _publish(trainer, tool, proposal_id)
    assert _count(app, Tandem) == 3
    get(trainer, tool, "/programme/proposal")  # the draft is gone
    assert "There is no proposal to review" in get(trainer, tool, "/programme/proposal")

    # each published pair shows its explanation, in English and in Dutch
    mine = text_of(get(learners["d1"], tool, "/tandem"))
    assert "Your partner: Name E3" in mine and "You are the digital mentor" in mine
    assert "What you learn from Name E3 EntreComp 2.5" in mine and "What Name E3 learns from you DigComp 2.6" in mine
    assert "DigComp 2.6 Managing digital identity" in mine
    post(learners["d1"], tool, "/language", {"language": "nl", "next": "/tandem"}, token_from="/tandem")
    dutch = text_of(get(learners["d1"], tool, "/tandem"))
    assert "Jouw partner: Name E3" in dutch and "Wat je leert van Name E3 EntreComp 2.5 Anderen mobiliseren" in dutch, dutch[:3000]
    assert "Wat Name E3 van jou leert DigComp 2.6 Beheren van de digitale identiteit" in dutch and "Accepteren" in dutch

    # answers: a virtual coffee first, then both accept
    tandem_id = int(get(learners["d1"], tool, "/tandem").split("/tandem/")[1].split("/respond")[0])
    post(learners["d1"], tool, f"/tandem/{tandem_id}/respond", {"response": "coffee"}, token_from="/tandem")
    assert "would like a virtual coffee first" in text_of(get(learners["e3"], tool, "/tandem"))
    post(learners["e3"], tool, f"/tandem/{tandem_id}/respond", {"response": "accepted"}, token_from="/tandem")
    post(learners["d1"], tool, f"/tandem/{tandem_id}/respond", {"response": "accepted"}, token_from="/tandem")
    assert "Your tandem has started" in text_of(get(learners["e3"], tool, "/tandem"))
    # nobody answers for someone else's tandem
    post(learners["d2"], tool, f"/tandem/{tandem_id}/respond", {"response": "declined"}, status=404, token_from="/tandem")


def test_publish_checks_the_rules_again(app, platform, tool):
    """A veto added after the run makes publish refuse (nothing is published)."""
    from plugin.extensions import db
    from plugin.models import Job, Participant, Tandem

    trainer, learners, person = _small_programme(app, platform, tool)
    _run_matching(trainer, tool)
    proposal_id, pairs, _ = _proposal(app)
    with app.app_context():
        row = db.session.scalar(sa.select(Participant).where(Participant.person_id == person["e1"]))
        row.vetoes = [person["d1"]]
        db.session.commit()
    refused = post(trainer, tool, f"/programme/proposal/{proposal_id}/publish", {}, token_from="/programme/proposal")
    assert refused.headers["Location"].endswith("/programme/proposal")  # back to the review, no job started
    _refused_once(trainer, tool, "asked not to be paired", message="Nothing was published:")
    assert _count(app, Tandem) == 0 and _count(app, Job, Job.kind == "publish") == 0


def test_matching_a_thousand_people_shows_progress_and_does_not_block(app, platform, tool):
    trainer = _trainer(platform, tool, max_capacity="3")
    rng = random.Random(11)
    people = []
    for i in range(1000):
        side = "digital_mentor" if i % 2 == 0 else "senior_expert"
        people.append({"subject": f"m{i:04d}", "side": side, "languages": rng.choice([["en"], ["nl"], ["en", "nl"]]), "capacity": rng.choice([1, 1, 2]), "needs": needs_for(side, rng)})
    seed_participants(app, people)
    response = post(trainer, tool, "/programme/match", {}, token_from="/programme")
    job_url = job_url_of(response)
    other = new_browser(verify=False)
    launch(platform, other, LEARNER, user_id="bystander")
    latencies: list[float] = []
    stop = threading.Event()

    def bystander() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            assert other.get(tool.url + "/home").status_code == 200
            latencies.append(time.perf_counter() - start)

    thread = threading.Thread(target=bystander)
    thread.start()
    try:
        states = wait_for_job(trainer, tool, job_url)
    finally:
        stop.set()
        thread.join()
    assert states[-1]["status"] == "done"
    percents = [s["percent"] for s in states]
    assert percents == sorted(percents) and percents[-1] == 100
    # every stage was reported, in order, with a growing percentage (the page shows each one it catches)
    trail = states[-1]["message"]["trail"]
    assert [stage for stage, _ in trail] == ["loading", "scoring", "solving", "certifying", "explaining", "writing", "matched"]
    assert [p for _, p in trail] == sorted(p for _, p in trail)
    assert "pairs proposed" in states[-1]["text"]
    assert latencies and max(latencies) < 2.0, max(latencies)  # other requests kept being answered
    proposal_id, pairs, unmatched = _proposal(app)
    assert len(pairs) >= 300
    review = text_of(get(trainer, tool, "/programme/proposal"))
    assert f"{len(pairs)} pairs, " in review and "strong fit" in review and "Total score" not in review


def test_choice_mode_participants_ask_and_the_other_side_accepts(app, platform, tool):
    from plugin.models import Tandem

    trainer, learners, person = _small_programme(app, platform, tool, matching_mode="choice")
    page = text_of(get(learners["d1"], tool, "/tandem"))
    assert "Choose a partner" in page and "Name E1" in page and "What you learn from Name E1" in page
    assert "Name E2" not in page  # no shared language: never suggested
    post(learners["d1"], tool, "/tandem/request", {"response": str(person["e2"])}, status=409, token_from="/tandem")
    post(learners["d1"], tool, "/tandem/request", {"response": str(person["e1"])}, token_from="/tandem")
    assert _count(app, Tandem, Tandem.status == "requested") == 1
    incoming = text_of(get(learners["e1"], tool, "/tandem"))
    assert "Your partner accepted" in incoming and "Please answer this pairing" in incoming
    tandem_id = int(get(learners["e1"], tool, "/tandem").split("/tandem/")[1].split("/respond")[0])
    post(learners["e1"], tool, f"/tandem/{tandem_id}/respond", {"response": "accepted"}, token_from="/tandem")
    assert _count(app, Tandem, Tandem.status == "active") == 1
    # capacity 1: d1 is no longer suggested to the other experts
    assert "Name D1" not in text_of(get(learners["e3"], tool, "/tandem")).split("Choose a partner")[1]
    # trainers' programmes in other modes refuse requests
    get(trainer, tool, "/tandem", 403)


def test_manual_mode_the_trainer_pairs_people_by_hand(app, platform, tool):
    from plugin.models import Job, Tandem

    trainer, learners, person = _small_programme(app, platform, tool, matching_mode="manual")
    post(trainer, tool, "/programme/manual", {}, token_from="/programme")
    proposal_id, pairs, unmatched = _proposal(app)
    assert pairs == set() and set(unmatched.values()) == {"not_paired_yet"}
    review = get(trainer, tool, "/programme/proposal")
    assert f"/proposal/{proposal_id}/publish" not in review and "Nothing to publish yet" in text_of(review)  # no Publish for an empty proposal
    assert 'id="swap-title"' not in review  # no swap with fewer than two pairs
    assert "nothing to publish" in get(trainer, tool, f"/programme/proposal/{proposal_id}/publish", 409)
    post(trainer, tool, f"/programme/proposal/{proposal_id}/publish", {}, status=409, token_from="/programme/proposal")
    assert _count(app, Job, Job.kind == "publish") == 0
    post(trainer, tool, f"/programme/proposal/{proposal_id}/add", {"digital": str(person["d1"]), "expert": str(person["e2"])}, token_from="/programme/proposal")
    _refused_once(trainer, tool, "share no language")
    post(trainer, tool, f"/programme/proposal/{proposal_id}/add", {"digital": str(person["d1"]), "expert": str(person["e1"])}, token_from="/programme/proposal")
    _publish(trainer, tool, proposal_id)
    assert _count(app, Tandem) == 1
    assert "Your partner: Name E1" in text_of(get(learners["d1"], tool, "/tandem"))
