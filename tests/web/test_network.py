"""The mentor network over real HTTPS after real LTI launches: a participant's network page (partner and what
each helps with, suggestions for the needs nobody covers, the matching's suggestion first), asking for a
focused mentoring, the mentor accepting or declining with a reason, taking a request back, the trainer's
read-only view, and every rule's refusal (a 4xx, nothing written)."""

from __future__ import annotations

import re

from tests.harness.browser import new_browser
from tests.web.network_support import COVERED, DANA_TEACHES, ONE_MODULE, OTHER_NEED, SEVERAL, counts, focused_status, network_scenario
from tests.web.programme_support import LEARNER, get, launch, post, text_of


def _ask(browser, tool, mentor: int, competence: str, status: int = 303, **extra):
    data = {"mentor": str(mentor), "competence": competence, "message": extra.pop("message", ""), **extra}
    return post(browser, tool, "/network/ask", data, status=status, token_from="/network")


def _id_of(response) -> int:
    match = re.search(r"/network/focused/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def test_ask_accept_decline_and_the_network_page(app, platform, tool):
    s = network_scenario(app, platform, tool, admin=False)
    dana, mara, pia, evert, trainer = (s.browsers[k] for k in ("dana", "mara", "pia", "evert", "trainer"))

    page = text_of(get(dana, tool, "/network"))
    assert "My tandem partner" in page and "Evert Expert" in page
    helps, _, rest = page.partition("You help them with:")
    assert "Helps you with:" in helps and "LifeComp S1" in helps and "to level 3" in helps  # Evert takes Dana to the level she wants
    assert "DigComp 2.6" in rest.partition("My focused mentors")[0]  # two-way: Dana teaches Evert
    open_needs = page.partition("Needs nobody covers yet")[2]
    assert "LifeComp S1" not in open_needs  # covered by the partner
    assert "Ask Mara Mentor for a focused mentoring on LifeComp L2" in open_needs and "Suggested by the matching" in open_needs
    assert "Max Manager" not in open_needs  # Dana's manager: the programme forbids one reporting line
    assert "Nolan Nolang" not in open_needs  # no shared language
    assert "Ask Pia Peer for a focused mentoring on LifeComp P3" in open_needs
    raw = get(dana, tool, "/network")
    assert 'name="module" value="e-reputation"' in raw  # the one module whose expertise track teaches L2
    assert '<select id="module-' in raw  # several modules teach entrecomp:2.5: Dana chooses

    # ask, the mentor sees the request, accepts; the need leaves the suggestions
    asked = _ask(dana, tool, s.person["mara"], ONE_MODULE, message="Could you help me with my online reputation?", module="e-reputation")
    gid = _id_of(asked)
    detail = text_of(get(dana, tool, f"/network/focused/{gid}"))
    assert "(Europe/Amsterdam)" in detail  # the asking moment in Dana's time zone, named
    assert "Asked, waiting for an answer" in detail and "Could you help me with my online reputation?" in detail and "E-reputation and trust" in detail
    mentor_page = text_of(get(mara, tool, "/network"))
    assert "Requests to answer" in mentor_page and "Dana Digital asks you for a focused mentoring on LifeComp L2" in mentor_page
    assert "Accept: mentor Dana Digital" in text_of(get(mara, tool, f"/network/focused/{gid}")) and "(UTC)" in text_of(get(mara, tool, f"/network/focused/{gid}"))
    get(evert, tool, f"/network/focused/{gid}", 404)  # Dana's own partner does not see it
    post(mara, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, token_from="/network")
    assert focused_status(app, gid) == "member"
    page = text_of(get(dana, tool, "/network"))
    mine = page.partition("My focused mentors")[2].partition("Needs nobody covers yet")
    assert "LifeComp L2" in mine[0] and "Mara Mentor" in mine[0] and "Active" in mine[0]
    assert "on LifeComp L2" not in mine[2]
    mentoring = text_of(get(mara, tool, "/network")).partition("People I mentor")[2]
    assert "Dana Digital" in mentoring and "LifeComp L2" in mentoring
    assert "Requests to answer" not in text_of(get(mara, tool, "/network"))

    # decline with a reason; Dana reads it; the same mentor is not asked again for that need
    gid2 = _id_of(_ask(dana, tool, s.person["pia"], OTHER_NEED, message="Please?"))
    post(pia, tool, f"/network/focused/{gid2}/answer", {"response": "decline", "reason": "I have no time this quarter."}, token_from="/network")
    assert "Nobody in the programme who is free to mentor can take you further in this yet." in text_of(get(dana, tool, "/network"))  # Nolan shares no language
    declined = text_of(get(dana, tool, f"/network/focused/{gid2}"))
    assert "Declined" in declined and "I have no time this quarter." in declined
    before = counts(app)
    again = _ask(dana, tool, s.person["pia"], OTHER_NEED, status=400)
    assert "declined a focused mentoring on this need" in text_of(again.text) and counts(app) == before

    # several modules: a choice; then Dana takes her request back
    gid3 = _id_of(_ask(dana, tool, s.person["mara"], SEVERAL, module="personal-branding"))
    assert "Personal branding" in text_of(get(dana, tool, f"/network/focused/{gid3}"))
    post(dana, tool, f"/network/focused/{gid3}/withdraw", {}, token_from="/network")
    assert focused_status(app, gid3) == "left"
    assert "Taken back" in text_of(get(dana, tool, "/network"))

    # the trainer reads the programme's network
    overview = text_of(get(trainer, tool, "/network"))
    assert "The programme's mentor network" in overview and "Dana Digital" in overview and "Mara Mentor" in overview and "Pia Peer" in overview
    assert "Declined" in overview and "Active" in overview and "Dana Digital and Evert Expert" in overview
    assert "Your answer" not in text_of(get(trainer, tool, f"/network/focused/{gid}"))
    assert DANA_TEACHES and COVERED


def test_every_rule_refuses_with_a_4xx_and_writes_nothing(app, platform, tool):
    s = network_scenario(app, platform, tool, admin=False)
    dana, mara, olga, trainer = (s.browsers[k] for k in ("dana", "mara", "olga", "trainer"))
    p = s.person

    def refused(browser, mentor, competence, text, status=400, **extra):
        before = counts(app)
        response = _ask(browser, tool, mentor, competence, status=status, **extra)
        assert counts(app) == before, text
        if text:
            assert text in text_of(response.text), (text, text_of(response.text)[:600])

    refused(trainer, p["mara"], ONE_MODULE, "", status=403)  # only participants ask
    refused(dana, p["dana"], ONE_MODULE, "You cannot be your own mentor.")
    refused(dana, p["evert"], ONE_MODULE, "This person is your tandem partner already.")
    refused(dana, p["max"], ONE_MODULE, "one reporting line")
    refused(dana, p["nolan"], OTHER_NEED, "share no language")
    refused(dana, p["olga"], OTHER_NEED, "does not offer this competence")  # same side
    refused(dana, p["mara"], COVERED, "not one of your needs that your tandem partner leaves open")
    refused(dana, p["mara"], "digcomp:9.9", "not one of your needs")
    refused(dana, 999999, ONE_MODULE, "does not offer this competence")
    refused(dana, p["mara"], SEVERAL, "Choose the module to work on.")
    refused(dana, p["mara"], SEVERAL, "Choose the module to work on.", module="mobile-first")  # not aligned to 2.5
    refused(dana, p["mara"], ONE_MODULE, "at most 1000 characters", message="x" * 1001)
    refused(dana, "abc", ONE_MODULE, "could not be understood")
    refused(dana, p["mara"], "x" * 200, "could not be understood")
    no_profile = new_browser(verify=False)
    launch(platform, no_profile, LEARNER, user_id="zed", name="Zed Noprofile")
    refused(no_profile, p["mara"], ONE_MODULE, "Fill in your profile and needs map first.")
    assert "Fill in your profile and needs map to see who could mentor you." in text_of(get(no_profile, tool, "/network"))

    # not twice for one need while open; a mentor's capacity (Pia takes 1) counts open requests
    gid = _id_of(_ask(dana, tool, p["mara"], ONE_MODULE))
    refused(dana, p["mara"], ONE_MODULE, "already have a request or a focused mentoring on this need")
    _ask(olga, tool, p["pia"], OTHER_NEED)
    refused(dana, p["pia"], "lifecomp:L3", "mentors as many people as they can take")
    assert "Ask Pia Peer" not in text_of(get(dana, tool, "/network"))  # a full mentor is not offered

    # answering: only the asked mentor, a known answer, a reason of bounded length, once
    before = counts(app)
    post(dana, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, status=403, token_from="/network")
    post(trainer, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, status=403, token_from="/network")
    post(olga, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, status=404, token_from="/network")
    post(mara, tool, f"/network/focused/{gid}/answer", {"response": "maybe"}, status=400, token_from="/network")
    post(mara, tool, f"/network/focused/{gid}/answer", {"response": "decline", "reason": "y" * 501}, status=400, token_from="/network")
    post(mara, tool, f"/network/focused/{gid}/withdraw", {}, status=403, token_from="/network")
    assert focused_status(app, gid) == "pending" and counts(app) == before
    post(mara, tool, f"/network/focused/{gid}/answer", {"response": "accept"}, token_from="/network")
    again = post(mara, tool, f"/network/focused/{gid}/answer", {"response": "decline"}, status=400, token_from="/network")
    assert "answered already" in text_of(again.text) and focused_status(app, gid) == "member"
    post(dana, tool, f"/network/focused/{gid}/withdraw", {}, status=400, token_from="/network")
    assert focused_status(app, gid) == "member"
