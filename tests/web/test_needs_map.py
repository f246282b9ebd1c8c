"""The needs map in steps over real HTTPS after real launches: each step saved on its own with
POST-redirect-GET and one outcome message, bad values refused with a clear message and nothing written,
the quick start pre-filling the map, and the summary saying what matching still needs."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, get, ids, launch, post, set_up_programme, text_of


def _participant(app, platform, tool, subject: str = "np1"):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    set_up_programme(trainer, tool)
    browser = new_browser(verify=False)
    launch(platform, browser, LEARNER, user_id=subject, name="Nina Needs")
    return browser


def _row(app, subject: str = "np1"):
    from plugin.extensions import db
    from plugin.models import Participant

    with app.app_context():
        row = db.session.scalar(sa.select(Participant).where(Participant.person_id == ids(app, subject)[subject]))
        db.session.expunge_all()
        return row


def _basics(browser, tool, side: str = "digital_mentor"):
    return post(browser, tool, "/profile/basics", [("side", side), ("languages", "en"), ("capacity", "1")], token_from="/profile/basics")


def test_a_step_saves_then_redirects_to_the_next_with_one_message(app, platform, tool):
    browser = _participant(app, platform, tool)
    _basics(browser, tool)
    first = get(browser, tool, "/profile/needs/digcomp-1")
    assert "Step 3 of 15" in text_of(first) and "What I can teach: Information and data literacy (DigComp)" in text_of(first)
    assert "What the levels mean" in first and "Foundation 1" in first and "Carries out simple tasks with guidance" in first  # the legend
    response = post(browser, tool, "/profile/needs/digcomp-1", [("offer-digcomp-1_1", "6"), ("offer-digcomp-1_3", "4"), ("go", "next")], token_from="/profile/needs/digcomp-1")
    assert response.headers["Location"].endswith("/profile/needs/digcomp-2")  # POST-redirect-GET to the next step
    page = browser.get(tool.url + response.headers["Location"]).text
    assert text_of(page).count("Saved: What I can teach: Information and data literacy (DigComp).") == 1 and 'role="status"' in page
    assert "Saved:" not in text_of(get(browser, tool, "/profile/needs/digcomp-2"))  # the message is shown once
    assert _row(app).needs == {"digcomp:1.1": {"offer": 6}, "digcomp:1.3": {"offer": 4}}
    # saving a step again replaces only that step's entries; "back" goes to the step before
    post(browser, tool, "/profile/needs/entrecomp-1", [("want-entrecomp-1_2", "5"), ("current-entrecomp-1_2", "2")], token_from="/profile/needs/entrecomp-1")
    back = post(browser, tool, "/profile/needs/digcomp-1", [("offer-digcomp-1_2", "3"), ("go", "back")], token_from="/profile/needs/digcomp-1")
    assert back.headers["Location"].endswith("/profile/quick-start")
    assert _row(app).needs == {"digcomp:1.2": {"offer": 3}, "entrecomp:1.2": {"want": 5, "current": 2}}
    last = post(browser, tool, "/profile/needs/lifecomp-L", [], token_from="/profile/needs/lifecomp-L")
    assert last.headers["Location"].endswith("/profile/goals")


def test_a_bad_value_is_refused_with_a_clear_message_and_nothing_is_written(app, platform, tool):
    browser = _participant(app, platform, tool)
    _basics(browser, tool)
    post(browser, tool, "/profile/needs/entrecomp-2", [("want-entrecomp-2_5", "5")], token_from="/profile/needs/entrecomp-2")
    before = _row(app)
    cases = [
        ("/profile/needs/entrecomp-2", [("want-entrecomp-2_5", "3"), ("current-entrecomp-2_5", "4")], "EntreComp 2.5"),  # want below today
        ("/profile/needs/entrecomp-2", [("want-entrecomp-2_1", "lots")], "EntreComp 2.1"),  # no number
        ("/profile/needs/entrecomp-2", [("want-entrecomp-2_1", "12")], "EntreComp 2.1"),  # no such level
        ("/profile/needs/digcomp-1", [("want-digcomp-1_1", "4")], "DigComp 1.1"),  # learning what one teaches
        ("/profile/needs/digcomp-1", [("current-digcomp-1_1", "4"), ("offer-digcomp-1_2", "4")], "DigComp 1.1"),  # today without a wanted level
    ]
    for path, fields, competence in cases:
        response = post(browser, tool, path, fields, status=400, token_from=path)
        text = text_of(response.text)
        assert "Nothing was saved." in text and f"Check the levels of {competence}" in text, text[:1500]
        assert 'role="alert"' in response.text and 'aria-invalid="true"' in response.text
        after = _row(app)
        assert (after.needs, after.profile_saved_at) == (before.needs, before.profile_saved_at)
    assert browser.post(tool.url + "/profile/needs/entrecomp-2", data={"want-entrecomp-2_1": "3"}, allow_redirects=False).status_code == 400  # no CSRF token
    assert _row(app).needs == before.needs
    get(browser, tool, "/profile/needs/no-such-area", 404)


def test_the_quick_start_fills_the_map_and_the_summary_says_ready(app, platform, tool):
    browser = _participant(app, platform, tool)
    assert get(browser, tool, "/profile", 303)
    saved = _basics(browser, tool, "senior_expert")
    assert saved.headers["Location"].endswith("/profile/quick-start")
    page = get(browser, tool, "/profile/quick-start")
    assert "Step 2 of 15" in text_of(page) and page.count("<fieldset") == 8 and "How at ease are you with" in page
    summary = text_of(get(browser, tool, "/profile"))
    assert "Not ready for matching yet" in summary and "at least one competence you can teach" in summary and "want to learn from the other side" in summary
    answers = [("information", "0"), ("communication", "1"), ("creating", "0"), ("safety", "3"), ("ideas", "3"), ("resources", "2"), ("action", "3")]
    refused = post(browser, tool, "/profile/quick-start", answers, status=400, token_from="/profile/quick-start")
    assert "Answer every question" in text_of(refused.text) and _row(app).needs == {}
    done = post(browser, tool, "/profile/quick-start", [*answers, ("life", "1")], token_from="/profile/quick-start")
    assert done.headers["Location"].endswith("/profile/needs/entrecomp-1")  # the senior expert's first step: what they teach
    needs = _row(app).needs
    assert needs["entrecomp:1.1"] == {"offer": 6} and needs["entrecomp:2.1"] == {"offer": 4} and "lifecomp:P1" not in needs
    assert needs["digcomp:1.1"] == {"want": 3} and needs["digcomp:2.6"] == {"want": 4, "current": 2} and "digcomp:4.1" not in needs
    step = get(browser, tool, "/profile/needs/digcomp-2")
    assert '<option value="4" selected>' in step and '<option value="2" selected>' in step  # pre-filled, to review
    summary = text_of(get(browser, tool, "/profile"))
    assert "Ready for matching" in summary and "Not ready" not in summary and "from Foundation 2 to Intermediate 4" in summary
    # a new side: the old map no longer fits and starts afresh
    _basics(browser, tool, "digital_mentor")
    assert _row(app).needs == {}
    assert "Not ready for matching yet" in text_of(get(browser, tool, "/profile"))


def test_only_participants_have_a_needs_map(app, platform, tool):
    _participant(app, platform, tool)
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", name="Tess Trainer")
    get(trainer, tool, "/profile/needs/digcomp-1", 403)
    get(trainer, tool, "/profile/quick-start", 403)
