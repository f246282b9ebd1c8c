"""A tandem's year over real HTTPS after real LTI launches: the agreement first (and nothing else before it),
the plan from each template with rescheduling history and overdue items, the session log with its
validation, the trainer's health flags and the organisation's long-term plan with progress and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.programme_support import INSTRUCTOR, LEARNER, active_tandem, get, launch, post, text_of

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
PRINCIPLES = ["space", "respect", "patience", "perseverance", "acceptance"]
DRAFT = {"goals": "Dana learns how our sector works\nEvert learns to keep his online reputation in order", "cadence": "monthly", "duration_minutes": "60", "confidentiality": "What we say stays between us."}


def today() -> date:
    return datetime.now(UTC).date()


def count(app, model, *where) -> int:
    from plugin.extensions import db

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def sign(browser, tool, tandem_id: int, status: int = 303):
    """Both steps of signing: acknowledge every principle, then confirm."""
    fields = [("principles", p) for p in PRINCIPLES]
    confirm = post(browser, tool, f"/tandems/{tandem_id}/agreement/sign", fields, status=200)
    assert "cannot be undone" in text_of(confirm.text) or "niet ongedaan" in text_of(confirm.text)  # the page's language
    return post(browser, tool, f"/tandems/{tandem_id}/agreement/sign", [*fields, ("confirmed", "1")], status=status)


def make_plan(browser, tool, tandem_id: int, template: str = "six-sessions", start: date | None = None, modules=("e-reputation", "personal-branding")):
    fields = [("template", template), ("start", (start or today()).isoformat()), *(("modules", m) for m in modules)]
    return post(browser, tool, f"/tandems/{tandem_id}/plan", fields)


def add_signoffs(app, tandem_id: int, slug: str, at: datetime, sides=("digital_mentor", "senior_expert"), objectives: int | None = None) -> None:
    """Signed records for the objectives of a module's tracks, as the teacher of each track writes them."""
    from plugin.extensions import db
    from plugin.models import SignoffRecord, Tandem
    from plugin.services import signoff_facts

    with app.app_context():
        module = app.extensions["tandem_catalogue"].get(slug)
        tandem = db.session.get(Tandem, tandem_id)
        seq = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(SignoffRecord.seq), 0)).where(SignoffRecord.tandem_id == tandem_id))
        for track in module.tracks:
            if track.taught_by.value not in sides:
                continue
            teacher = tandem.digital_person_id if track.taught_by.value == "digital_mentor" else tandem.expert_person_id
            for objective in track.objectives[:objectives]:
                seq += 1
                db.session.add(
                    SignoffRecord(
                        tandem_id=tandem_id, seq=seq, module_slug=slug, module_version=module.version, side=track.taught_by.value, objective_id=objective.id,
                        actor_id=teacher, kind="signed", payload={"criteria": list(range(len(objective.criteria)))}, timestamp=at.isoformat(timespec="microseconds"),
                        prev_hash="0" * 64, hash=f"{seq:064x}",
                    )
                )  # fmt: skip
        db.session.flush()
        signoff_facts.rebuild(db.session, [tandem_id])  # as appending through the service would have
        db.session.commit()


# ---------------------------------------------------------------- agreement


def test_the_agreement_comes_first_and_both_sign_it(app, platform, tool):
    from plugin.models import Agreement, Plan

    browsers, person, tid = active_tandem(app, platform, tool)
    digital, expert, trainer = browsers["digital"], browsers["expert"], browsers["trainer"]
    base = f"/tandems/{tid}"

    def gated(browser):
        for path in ("", "/plan", "/sessions", "/sessions/1"):
            response = browser.get(tool.url + base + path, allow_redirects=False)
            assert response.status_code == 303 and response.headers["Location"].endswith(f"{base}/agreement"), (path, response.status_code)
        assert post(browser, tool, base + "/plan", {"template": "scratch", "start": today().isoformat()}).headers["Location"].endswith(f"{base}/agreement")
        assert post(browser, tool, base + "/sessions", {"held_on": today().isoformat(), "minutes": "60"}).headers["Location"].endswith(f"{base}/agreement")

    for browser in (digital, expert, trainer):
        gated(browser)
    page = text_of(get(digital, tool, base + "/agreement"))
    assert "Draft your agreement" in page and "Space : give each other room and a sense of comfort." in page
    assert "stays between us" in page  # a sensible default for the confidentiality terms
    assert "The partners have not drafted their agreement yet" in text_of(get(trainer, tool, base + "/agreement"))
    post(trainer, tool, base + "/agreement", DRAFT, status=403)
    assert "draft it first" in text_of(post(digital, tool, base + "/agreement/sign", [("principles", p) for p in PRINCIPLES], status=409).text)

    refused = post(digital, tool, base + "/agreement", {**DRAFT, "goals": "  "}, status=400)
    assert "Write down at least one goal" in text_of(refused.text)
    post(digital, tool, base + "/agreement", {**DRAFT, "duration_minutes": "5"}, status=400)
    assert count(app, Agreement) == 0
    post(digital, tool, base + "/agreement", DRAFT)
    post(expert, tool, base + "/agreement", {**DRAFT, "cadence": "fortnightly"})  # either member may change the draft before anyone signs
    with app.app_context():
        from plugin.extensions import db

        row = db.session.scalar(sa.select(Agreement))
        assert (row.goals.splitlines(), row.cadence, row.signatures) == (DRAFT["goals"].splitlines(), "fortnightly", [])

    post(trainer, tool, base + "/agreement/sign", [("principles", p) for p in PRINCIPLES] + [("confirmed", "1")], status=403)
    missing = post(digital, tool, base + "/agreement/sign", [("principles", p) for p in PRINCIPLES[:4]], status=400)
    assert "Acknowledge every principle" in text_of(missing.text)
    assert sign(digital, tool, tid).headers["Location"].endswith(f"{base}/agreement")
    post(digital, tool, base + "/agreement/sign", [("principles", p) for p in PRINCIPLES] + [("confirmed", "1")], status=409)
    assert "can no longer be changed" in text_of(post(expert, tool, base + "/agreement", DRAFT, status=409).text)  # signed by one: fixed

    seen_by_partner = text_of(get(expert, tool, base + "/agreement"))
    assert "Dana Digital signed on" in seen_by_partner and "Evert Expert has not signed yet" in seen_by_partner
    assert "Dana Digital signed on" in text_of(get(trainer, tool, base + "/agreement"))
    for browser in (digital, expert, trainer):
        gated(browser)  # one signature opens nothing
    assert count(app, Plan) == 0

    assert sign(expert, tool, tid).headers["Location"].endswith(base)
    for browser in (digital, expert, trainer):
        hub = text_of(get(browser, tool, base))
        assert "Dana Digital is the digital mentor" in hub and "Modules and sign-offs" in hub
        assert f'href="/tandems/{tid}/modules"' in get(browser, tool, base)
        assert "signed on" in text_of(get(browser, tool, base + "/agreement"))
    assert "Health" in text_of(get(trainer, tool, base)) and "Health" not in text_of(get(digital, tool, base))


def test_strangers_and_other_organisations_do_not_find_the_tandem(app, platform, tool):
    _browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    stranger = new_browser(verify=False)
    launch(platform, stranger, LEARNER, user_id="stranger", name="Sam Stranger")
    for path in ("", "/agreement", "/plan", "/sessions"):
        get(stranger, tool, f"/tandems/{tid}{path}", 404)
    post(stranger, tool, f"/tandems/{tid}/agreement/sign", [("principles", p) for p in PRINCIPLES] + [("confirmed", "1")], status=404)
    assert "You have no tandem yet" in text_of(get(stranger, tool, "/tandems"))

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        for role, user in ((LEARNER, "b-learner"), (INSTRUCTOR, "b-trainer"), (ADMIN, "b-admin")):
            outsider = new_browser(verify=False)
            launch(other, outsider, role, user_id=user)
            for path in ("", "/agreement", "/plan", "/sessions"):
                get(outsider, tool, f"/tandems/{tid}{path}", 404)
            assert "Dana Digital" not in get(outsider, tool, "/tandems")


def test_the_tandem_list_of_a_participant_and_of_a_trainer(app, platform, tool):
    browsers, _person, tid = active_tandem(app, platform, tool)
    mine = text_of(get(browsers["digital"], tool, "/tandems"))
    assert "With Evert Expert" in mine and "Go to the agreement" in mine
    listed = text_of(get(browsers["trainer"], tool, "/tandems"))
    assert "Dana Digital and Evert Expert" in listed and "Not signed by both yet" in listed and "Not started" in listed


# ---------------------------------------------------------------- plan


@pytest.mark.parametrize(("template", "sessions", "checkins"), [("six-sessions", 6, 0), ("twelve-month-managed", 12, 4), ("scratch", 0, 0)])
def test_a_plan_from_each_template(app, platform, tool, template, sessions, checkins):
    from plugin.extensions import db
    from plugin.models import Plan

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    page = text_of(get(browsers["digital"], tool, f"/tandems/{tid}/plan"))
    assert "Six sessions over six months" in page and "A managed year" in page and "From scratch" in page
    assert "The partners have not made their plan yet" in text_of(get(browsers["trainer"], tool, f"/tandems/{tid}/plan"))
    post(browsers["trainer"], tool, f"/tandems/{tid}/plan", {"template": template, "start": "2027-01-15"}, status=403)
    make_plan(browsers["digital"], tool, tid, template, date(2027, 1, 15))
    with app.app_context():
        row = db.session.scalar(sa.select(Plan))
        kinds = [i["kind"] for i in row.items]
        assert (row.template, row.start, kinds.count("session"), kinds.count("checkin"), kinds.count("module")) == (template, date(2027, 1, 15), sessions, checkins, 2)
        due = {i["key"]: i["due"] for i in row.items}
    months = 12 if template == "twelve-month-managed" else 6
    assert due["module:personal-branding"] == (date(2027, 1, 15) + timedelta(days=30 * months)).isoformat()
    if sessions:
        assert due["session:1"] == "2027-01-15" and due["session:2"] == "2027-02-15"
    shown = text_of(get(browsers["expert"], tool, f"/tandems/{tid}/plan"))
    assert "Module complete: E-reputation and trust" in shown
    assert (f"Session {sessions}" in shown) is bool(sessions) and ("Check-in with the trainer 4" in shown) is bool(checkins)
    post(browsers["expert"], tool, f"/tandems/{tid}/plan", {"template": "scratch", "start": "2027-01-15"}, status=400)  # one plan per tandem
    assert count(app, Plan) == 1


def test_rescheduling_keeps_the_history_and_overdue_items_are_marked(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Plan

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    digital, expert = browsers["digital"], browsers["expert"]
    start = today() - timedelta(days=75)
    make_plan(digital, tool, tid, "six-sessions", start, modules=("e-reputation",))
    page = text_of(get(digital, tool, f"/tandems/{tid}/plan"))
    assert "3 items are overdue" in page and page.count("Overdue") >= 3  # sessions 1-3 lie in the past: said in words, not colour
    assert "No changes yet" in page

    later = today() + timedelta(days=3)
    post(digital, tool, f"/tandems/{tid}/plan/reschedule", {"item": "session:1", "due": later.isoformat(), "reason": "Dana was ill"})
    post(expert, tool, f"/tandems/{tid}/plan/reschedule", {"item": "session:1", "due": (later + timedelta(days=1)).isoformat(), "reason": "Evert travels"})
    post(expert, tool, f"/tandems/{tid}/plan/done", {"item": "session:2", "on": today().isoformat()})
    with app.app_context():
        row = db.session.scalar(sa.select(Plan))
        history = [(h["item_key"], h["what"], h["old"], h["new"], h["reason"]) for h in row.history]
    assert history == [
        ("session:1", "due", start.isoformat(), later.isoformat(), "Dana was ill"),
        ("session:1", "due", later.isoformat(), (later + timedelta(days=1)).isoformat(), "Evert travels"),
        ("session:2", "done_on", None, today().isoformat(), ""),
    ]
    page = text_of(get(browsers["trainer"], tool, f"/tandems/{tid}/plan"))  # the trainer reads the plan and its history
    assert "1 item is overdue" in page and "Done on" in page
    assert "Session 1 moved from" in page and "Why: Dana was ill" in page and "Why: Evert travels" in page
    assert "Dana Digital" in page and "Evert Expert" in page and "Session 2 marked as done on" in page

    def refused(fields, status=400, message="Choose a new date"):
        response = post(digital, tool, f"/tandems/{tid}/plan/reschedule", fields, status=status)
        if status == 400:
            assert message in text_of(response.text)

    refused({"item": "session:3", "due": (start - timedelta(days=1)).isoformat()})  # before the start
    refused({"item": "session:2", "due": later.isoformat()})  # done already
    refused({"item": "session:3", "due": "not a date"}, message="Not a valid date")
    refused({"item": "session:99", "due": later.isoformat()}, status=404)
    post(browsers["trainer"], tool, f"/tandems/{tid}/plan/reschedule", {"item": "session:3", "due": later.isoformat()}, status=403)
    with app.app_context():
        assert len(db.session.scalar(sa.select(Plan)).history) == 3


def test_a_plan_takes_only_modules_on_offer(app, platform, tool):
    from plugin.models import Plan

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True, programme={"modules": "e-reputation"})
    page = get(browsers["digital"], tool, f"/tandems/{tid}/plan")
    assert 'value="e-reputation"' in page and 'value="personal-branding"' not in page
    response = post(browsers["digital"], tool, f"/tandems/{tid}/plan", [("template", "scratch"), ("start", "2027-01-01"), ("modules", "personal-branding")], status=400)
    assert "Choose modules on offer in this programme" in text_of(response.text)
    assert count(app, Plan) == 0


# ---------------------------------------------------------------- sessions


def test_logging_sessions_validates_and_writes_nothing_on_errors(app, platform, tool):
    from plugin.models import MentoringSession, PrivateNote, Reflection

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    digital = browsers["digital"]
    page = get(digital, tool, f"/tandems/{tid}/sessions")
    assert "No session logged yet" in page and 'value="e-reputation|digital_mentor"' in page
    good = [
        ("held_on", (today() - timedelta(days=1)).isoformat()), ("minutes", "55"), ("tracks", "e-reputation|digital_mentor"), ("tracks", "e-reputation|senior_expert"),
        ("agenda", "Privacy settings; how the board works"), ("shared_notes", "We set up two-factor login."), ("private_note", "I felt rushed."),
        *((p, "4") for p in PRINCIPLES),
    ]  # fmt: skip

    def refused(fields, message):
        response = post(digital, tool, f"/tandems/{tid}/sessions", fields, status=400)
        assert message in text_of(response.text), text_of(response.text)[:1500]
        assert (count(app, MentoringSession), count(app, PrivateNote), count(app, Reflection)) == (0, 0, 0)

    def without(name):
        return [f for f in good if f[0] != name]

    refused(without("held_on"), "This field is required")
    refused([*without("held_on"), ("held_on", (today() + timedelta(days=2)).isoformat())], "not in the future")
    refused([*without("minutes"), ("minutes", "0")], "Number must be between 5 and 480")
    refused([*without("minutes"), ("minutes", "many")], "Not a valid integer")
    refused([*without("space"), ("space", "7")], "Score every principle from 1 to 5")
    refused([f for f in good if f[0] not in ("respect", "patience")], "Score every principle from 1 to 5")
    refused([*good, ("tracks", "no-such-module|digital_mentor")], "Choose tracks of this tandem")
    refused([*good, ("tracks", "e-reputation|wizard")], "Choose tracks of this tandem")
    refused([*without("agenda"), ("agenda", "x" * 5001)], "The agenda is too long")
    post(browsers["trainer"], tool, f"/tandems/{tid}/sessions", good, status=403)
    assert count(app, MentoringSession) == 0

    logged = post(digital, tool, f"/tandems/{tid}/sessions", good)
    assert "/sessions/" in logged.headers["Location"]
    assert (count(app, MentoringSession), count(app, PrivateNote), count(app, Reflection)) == (1, 1, 1)
    post(digital, tool, f"/tandems/{tid}/sessions", [f for f in good if f[0] not in PRINCIPLES and f[0] != "private_note"])  # reflection and note are optional
    assert (count(app, MentoringSession), count(app, PrivateNote), count(app, Reflection)) == (2, 1, 1)
    listed = text_of(get(browsers["expert"], tool, f"/tandems/{tid}/sessions"))
    assert "We set up two-factor login." in listed and "E-reputation and trust: digital track (Dana Digital teaches)" in listed and "expertise track (Evert Expert teaches)" in listed


def test_each_member_adds_their_own_note_and_reflection(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import MentoringSession, PrivateNote, Reflection

    browsers, person, tid = active_tandem(app, platform, tool, agreement=True)
    post(browsers["digital"], tool, f"/tandems/{tid}/sessions", {"held_on": today().isoformat(), "minutes": "60"})
    with app.app_context():
        sid = db.session.scalar(sa.select(MentoringSession.id))
    path = f"/tandems/{tid}/sessions/{sid}"
    post(browsers["expert"], tool, path, [("private_note", "Evert's own thoughts"), *((p, "2") for p in PRINCIPLES)])
    post(browsers["expert"], tool, path, [("private_note", "Evert's second thoughts"), *((p, "3") for p in PRINCIPLES)])  # changing both is fine
    post(browsers["expert"], tool, path, [("private_note", "x"), ("space", "9")], status=400)
    post(browsers["trainer"], tool, path, [("private_note", "a trainer's note")], status=403)
    with app.app_context():
        notes = db.session.execute(sa.select(PrivateNote.author_id, PrivateNote.text)).all()
        assert notes == [(person["expert"], "Evert's second thoughts")]
        assert db.session.scalar(sa.select(Reflection.space).where(Reflection.person_id == person["expert"])) == 3
    assert "Reflected Evert Expert" in text_of(get(browsers["digital"], tool, path))
    get(browsers["digital"], tool, f"/tandems/{tid}/sessions/{sid + 100}", 404)
    assert count(app, Reflection) == 1


# ---------------------------------------------------------------- health


def test_the_trainer_sees_health_flags_for_a_quiet_one_way_tandem(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Agreement, MentoringSession, Reflection

    browsers, person, tid = active_tandem(app, platform, tool, agreement=True)
    healthy = text_of(get(browsers["trainer"], tool, "/tandems"))
    assert "No flags" in healthy
    long_ago = datetime.now(UTC) - timedelta(days=120)
    with app.app_context():
        agreement = db.session.scalar(sa.select(Agreement))
        agreement.signatures = [{"person_id": s["person_id"], "at": long_ago.isoformat()} for s in agreement.signatures]
        for days in (100, 70, 60):
            held = MentoringSession(tandem_id=tid, held_on=today() - timedelta(days=days), minutes=60, tracks=[], agenda="", shared_notes="", created_by=person["digital"])
            db.session.add(held)
            db.session.flush()
            db.session.add(Reflection(session_id=held.id, person_id=person["expert"], space=1, respect=4, patience=4, perseverance=4, acceptance=4))
        db.session.commit()
    make_plan(browsers["digital"], tool, tid, "six-sessions", today() - timedelta(days=45), modules=())
    add_signoffs(app, tid, "e-reputation", datetime.now(UTC) - timedelta(days=3), sides=("digital_mentor",), objectives=1)

    page = text_of(get(browsers["trainer"], tool, "/tandems"))
    assert "Quiet: no session for 60 days." in page
    assert "One way only: the expertise track has had no sign-off for 120 days." in page
    assert "Low reflections: Space averages 1.0 out of 5 for the senior expert." in page
    assert "Overdue: 2 plan items, the oldest 45 days late." in page
    assert "Quiet: no session for 60 days." in text_of(get(browsers["trainer"], tool, f"/tandems/{tid}"))
    assert "Quiet" not in text_of(get(browsers["digital"], tool, "/tandems"))  # flags are the trainer's
    assert "Quiet" not in text_of(get(browsers["digital"], tool, f"/tandems/{tid}"))


# ---------------------------------------------------------------- the organisation's long-term plan


def test_the_organisation_plan_is_for_administrators_and_shows_progress(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import CohortPlan, Course

    browsers, _person, tid = active_tandem(app, platform, tool, agreement=True)
    admin = new_browser(verify=False)
    launch(platform, admin, ADMIN, user_id="admin", name="Ada Admin")
    for browser in (browsers["trainer"], browsers["digital"]):
        get(browser, tool, "/organisation/plan", 403)
        post(browser, tool, "/organisation/plan", {"cohort": "1", "quarter": "2027-Q1", "module": "e-reputation"}, status=403)
        get(browser, tool, "/organisation/plan.csv", 403)
    assert "Nothing is planned yet" in text_of(get(admin, tool, "/organisation/plan"))
    with app.app_context():
        course = db.session.scalar(sa.select(Course.id))

    def add(quarter, module, status=303):
        return post(admin, tool, "/organisation/plan", {"cohort": str(course), "quarter": quarter, "module": module}, status=status)

    add("2026-Q1", "e-reputation")
    add("2026-Q2", "personal-branding")
    add("2099-Q4", "mobile-first")
    assert "Write the quarter like 2027-Q1" in text_of(add("2027-Q5", "new-software", 400).text)
    assert "this cohort does not have yet" in text_of(add("2027-Q1", "e-reputation", 400).text)
    add("2027-Q1", "no-such-module", 400)
    assert "Choose a course of your organisation" in text_of(post(admin, tool, "/organisation/plan", {"cohort": str(course + 99), "quarter": "2027-Q1", "module": "new-software"}, status=400).text)
    assert count(app, CohortPlan) == 3

    add_signoffs(app, tid, "e-reputation", datetime(2026, 2, 10, 12, tzinfo=UTC))
    add_signoffs(app, tid, "personal-branding", datetime(2026, 5, 1, 12, tzinfo=UTC), sides=("digital_mentor",))  # one way only: not complete
    page = text_of(get(admin, tool, "/organisation/plan"))
    assert "2026-Q1 E-reputation and trust ✓ Completed on Feb 10, 2026" in page and "1 of 1 tandems completed it" in page
    assert "Late: not completed by the end of the quarter" in page and "0 of 1 tandems completed it" in page
    assert "2099-Q4" in page and "Open" in page

    exported = get(admin, tool, "/organisation/plan.csv")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["quarter"], r["module"], r["status"], r["completed_on"], r["completed_tandems"], r["tandems"]) for r in rows] == [
        ("2026-Q1", "e-reputation", "completed", "2026-02-10", "1", "1"),
        ("2026-Q2", "personal-branding", "late", "", "0", "1"),
        ("2099-Q4", "mobile-first", "open", "", "0", "1"),
    ]
    with app.app_context():
        row_id = db.session.scalar(sa.select(CohortPlan.id).where(CohortPlan.module_slug == "mobile-first"))
    post(browsers["trainer"], tool, f"/organisation/plan/{row_id}/remove", {}, status=403)
    post(admin, tool, f"/organisation/plan/{row_id}/remove", {})
    assert count(app, CohortPlan) == 2
