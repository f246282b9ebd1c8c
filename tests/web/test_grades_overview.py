"""The trainers' grades overview over HTTP: every latest score of the course, whatever it is for (a tandem's or a
group's module track, an event's attendance), and a failed event delivery sent again by the trainer, through the
outbox worker to the harness platform's gradebook. Participants may not resend (403); another organisation's
trainer does not even learn the delivery exists (404)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.events_support import create_event, move, register
from tests.web.programme_support import INSTRUCTOR, active_tandem, get, launch, post, text_of
from tests.web.test_signoffs import _accepted, _wait

TITLE = "Webinar: safe passwords"
GROUP = "Reputation circle of Evert"


def _statuses(app) -> dict[str, list[str]]:
    """Outbox statuses by owner (tandem, group, event), in order."""
    from plugin.extensions import db
    from plugin.models import ScoreOutbox

    out: dict[str, list[str]] = {"group": [], "event": []}
    with app.app_context():
        for group_id, event_id, status in db.session.execute(sa.select(ScoreOutbox.group_id, ScoreOutbox.event_id, ScoreOutbox.status).order_by(ScoreOutbox.id)):
            out.setdefault("group" if group_id else "event" if event_id else "tandem", []).append(status)
    return out


def _group_score(app, person: dict[str, int]) -> int:
    """Evert mentors a group with Dana in it and signs off an objective Dana learned (her group track's score)."""
    from plugin.domain.groups import NewGroup
    from plugin.domain.roles import Role
    from plugin.extensions import db
    from plugin.models import Programme
    from plugin.services import group_membership, group_signoffs, groups
    from plugin.services.launches import Actor

    catalogue = app.extensions["tandem_catalogue"]
    with app.app_context():
        prog = db.session.scalar(sa.select(Programme))
        trainer = Actor(person["trainer"], prog.organisation_id, Role.TRAINER, prog.course_id)
        expert = Actor(person["expert"], prog.organisation_id, Role.PARTICIPANT, prog.course_id)
        digital = Actor(person["digital"], prog.organisation_id, Role.PARTICIPANT, prog.course_id)
        group_id = groups.create(db.session, trainer, catalogue, NewGroup(GROUP, "Online reputation, together", "open", 6, ("e-reputation",)), person["expert"])
        group_membership.invite(db.session, trainer, group_id, person["digital"])
        group_membership.answer_invitation(db.session, digital, group_id, True)
        group_signoffs.sign(db.session, expert, catalogue, group_id, "e-reputation", 1, "e1", person["digital"], range(3))
        db.session.commit()
    app.extensions["tandem_outbox_wake"]()  # as the sign-off page does after its commit
    return group_id


def test_the_overview_lists_group_and_event_scores_and_the_trainer_resends_a_failed_event_score(app, platform, tool):
    browsers, person, _tandem_id = active_tandem(app, platform, tool, agreement=True)
    trainer, digital = browsers["trainer"], browsers["digital"]

    # a group's score, delivered
    _group_score(app, person)
    _wait(lambda: _statuses(app)["group"] == ["sent"], what="the group score")

    # an event's attendance, refused by the gradebook (Evert came, Dana did not)
    event_id = create_event(trainer, tool, title=TITLE)
    register(app, event_id, [person["digital"], person["expert"]])
    move(app, event_id, start=timedelta(hours=-2), end=timedelta(hours=-1))
    post(trainer, tool, f"/events/{event_id}/attendance", {"attended": str(person["expert"])}, token_from=f"/events/{event_id}/attendance")
    platform.fail_next("scores", 2, 400)
    post(trainer, tool, f"/events/{event_id}/grades", {}, token_from=f"/events/{event_id}/attendance")
    _wait(lambda: _statuses(app)["event"] == ["failed", "failed"], what="the refused event scores")

    page = get(trainer, tool, "/programme/grades")
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    assert any("Dana Digital" in r and "E-reputation" in r and f"group {GROUP}" in r and "Synced" in r for r in rows), rows
    assert any("Evert Expert" in r and TITLE in r and "event" in r and "100/100" in r and "Failed" in r for r in rows), rows
    assert any("Dana Digital" in r and TITLE in r and "0/100" in r and "Failed" in r for r in rows), rows
    assert "/groups/" in page and f"/events/{event_id}/attendance" in page
    expert_row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "Evert Expert" in r and TITLE in r)
    outbox_id = int(re.search(r"/programme/grades/(\d+)/resend", expert_row).group(1))

    # only the course's trainers resend: a participant is refused, another organisation's trainer finds nothing
    post(digital, tool, f"/programme/grades/{outbox_id}/resend", {}, status=403)
    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other_org:
        from tests.conftest import register_platform

        register_platform(app, other_org, organisation="Org B")
        outsider = new_browser(verify=False)
        launch(other_org, outsider, INSTRUCTOR, user_id="olga", name="Olga Other")
        post(outsider, tool, f"/programme/grades/{outbox_id}/resend", {}, status=404)
        assert "Evert Expert" not in text_of(get(outsider, tool, "/programme/grades"))
    assert _statuses(app)["event"] == ["failed", "failed"]  # nothing written

    response = post(trainer, tool, f"/programme/grades/{outbox_id}/resend", {}, token_from="/programme/grades")
    assert response.headers["Location"].endswith("/programme/grades")
    assert "The score will be sent again." in text_of(get(trainer, tool, "/programme/grades"))
    got = _wait(lambda: _accepted(platform, "expert"), what="the resent event score")
    assert got[-1]["scoreGiven"] == 100
    _wait(lambda: "sent" in _statuses(app)["event"], what="the delivery recorded")
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", get(trainer, tool, "/programme/grades"), re.S)]
    assert any("Evert Expert" in r and TITLE in r and "Synced" in r for r in rows), rows
    post(trainer, tool, f"/programme/grades/{outbox_id}/resend", {}, status=400, token_from="/programme/grades")  # superseded: not failed any more
