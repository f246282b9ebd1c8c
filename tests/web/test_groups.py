"""Groups' flows: who creates a group (the programme's setting), the create form's errors, joining an
open group up to its capacity, a closed group's requests, a private group's invitations, removing and
leaving; a focused mentoring (the mentor network's) is never listed and works on the mentor's track only;
group sessions in the calendar; the demo's example group."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.web.groups_support import EXPERTISE, MODULE, world
from tests.web.programme_support import get, post, text_of


def _group_count(app) -> int:
    from plugin.extensions import db
    from plugin.models import Group

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Group))


def test_creating_joining_requests_invitations_and_capacity(app, platform, tool):
    w = world(app, platform, tool, keys=("trainer", "mentor", "j1", "j2", "j3", "outsider"), groups=False)
    j1, j2, j3, outsider = (w.browsers[k] for k in ("j1", "j2", "j3", "outsider"))

    # participants create groups only when the trainer allows it
    get(j1, tool, "/groups/new", 403)
    assert "Create a group" not in text_of(get(j1, tool, "/groups"))
    post(w.browsers["trainer"], tool, "/groups/settings", {"participant_groups": "y"}, token_from="/groups")
    form = get(j1, tool, "/groups/new")
    assert "You will be the group's mentor" in text_of(form)
    # errors: named on the form, nothing written
    bad = post(j1, tool, "/groups/new", {"name": "", "modules": MODULE, "capacity": "2", "kind": "open"}, status=400, token_from="/groups/new")
    assert "Some parts need correcting" in text_of(bad.text)
    bad = post(j1, tool, "/groups/new", {"name": "Elsewhere", "modules": "no-such-module", "capacity": "2", "kind": "open"}, status=400, token_from="/groups/new")
    assert "Choose one to three modules the programme offers" in text_of(bad.text)
    post(j1, tool, "/groups/new", {"name": "Secret kind", "modules": MODULE, "capacity": "2", "kind": "focused"}, status=400, token_from="/groups/new")
    post(j1, tool, "/groups/new", {"name": "x" * 201, "modules": MODULE, "capacity": "2", "kind": "open"}, status=400, token_from="/groups/new")
    post(j1, tool, "/groups/new", {"name": "Zero", "modules": MODULE, "capacity": "0", "kind": "open"}, status=400, token_from="/groups/new")
    assert _group_count(app) == 0

    # an open group of capacity 1, created by a participant who is its mentor: the first joins, the second finds it full
    created = post(j1, tool, "/groups/new", {"name": "Juno's open table", "purpose": "Social media basics", "modules": MODULE, "capacity": "1", "kind": "open"}, token_from="/groups/new")
    open_id = int(re.search(r"/groups/(\d+)$", created.headers["Location"]).group(1))
    assert "You mentor this group" in text_of(get(j1, tool, f"/groups/{open_id}"))
    assert "Juno's open table" in text_of(get(j2, tool, "/groups"))
    post(w.browsers["mentor"], tool, f"/groups/{open_id}/join", {})
    full = post(j2, tool, f"/groups/{open_id}/join", {}, status=400)
    assert "no place left" in text_of(full.text)
    post(w.browsers["mentor"], tool, f"/groups/{open_id}/leave", {})
    post(j2, tool, f"/groups/{open_id}/join", {})  # the freed place
    post(j1, tool, f"/groups/{open_id}/leave", {}, status=400)  # the mentor stays

    # a closed group: a request the mentor declines or approves; the mentor removes a member
    post(w.browsers["trainer"], tool, "/groups/settings", {}, token_from="/groups")
    get(j1, tool, "/groups/new", 403)
    created = post(w.browsers["trainer"], tool, "/groups/new", {"name": "Board practice", "modules": MODULE, "capacity": "2", "kind": "closed", "mentor": w.person["mentor"]}, token_from="/groups/new")
    closed_id = int(re.search(r"/groups/(\d+)$", created.headers["Location"]).group(1))
    post(j3, tool, f"/groups/{closed_id}/join", {})
    post(j3, tool, f"/groups/{closed_id}/join", {}, status=400)  # asked already
    post(j2, tool, f"/groups/{closed_id}/join", {})
    manage = text_of(get(w.browsers["mentor"], tool, f"/groups/{closed_id}"))
    assert "Requests to join" in manage and "Jade Junior" in manage
    post(w.browsers["mentor"], tool, f"/groups/{closed_id}/requests/decline", {"person": w.person["j2"]}, token_from=f"/groups/{closed_id}")
    post(w.browsers["mentor"], tool, f"/groups/{closed_id}/requests/approve", {"person": w.person["j3"]}, token_from=f"/groups/{closed_id}")
    post(w.browsers["mentor"], tool, f"/groups/{closed_id}/requests/approve", {"person": w.person["j2"]}, status=404, token_from=f"/groups/{closed_id}")
    assert "You are a member" in text_of(get(j3, tool, f"/groups/{closed_id}"))
    post(w.browsers["mentor"], tool, f"/groups/{closed_id}/members/remove", {"person": w.person["j3"]}, token_from=f"/groups/{closed_id}")
    get(j3, tool, f"/groups/{closed_id}/sessions", 403)

    # a private group: invisible to the outsider until invited; declined, then invited again and accepted
    created = post(w.browsers["trainer"], tool, "/groups/new", {"name": "Quiet table", "modules": MODULE, "capacity": "1", "kind": "private", "mentor": w.person["mentor"]}, token_from="/groups/new")
    private_id = int(re.search(r"/groups/(\d+)$", created.headers["Location"]).group(1))
    get(outsider, tool, f"/groups/{private_id}", 404)
    post(outsider, tool, f"/groups/{private_id}/join", {}, status=404)
    post(w.browsers["mentor"], tool, f"/groups/{private_id}/invite", {"person": w.person["outsider"]}, token_from=f"/groups/{private_id}")
    assert "Quiet table" in text_of(get(outsider, tool, "/groups"))
    assert "The mentor invites you" in text_of(get(outsider, tool, f"/groups/{private_id}"))
    get(outsider, tool, f"/groups/{private_id}/sessions", 403)  # invited is not a member yet
    post(outsider, tool, f"/groups/{private_id}/invitation/decline", {})
    get(outsider, tool, f"/groups/{private_id}", 404)
    post(w.browsers["mentor"], tool, f"/groups/{private_id}/invite", {"person": w.person["outsider"]}, token_from=f"/groups/{private_id}")
    post(w.browsers["mentor"], tool, f"/groups/{private_id}/invite", {"person": w.person["j2"]}, token_from=f"/groups/{private_id}")
    post(outsider, tool, f"/groups/{private_id}/invitation/accept", {})
    full = post(j2, tool, f"/groups/{private_id}/invitation/accept", {}, status=400)  # capacity 1, taken
    assert "no place left" in text_of(full.text)
    assert "Otto Outsider" in text_of(get(w.browsers["mentor"], tool, f"/groups/{private_id}"))

    # sessions: planned by the mentor in their time zone, in the members' calendar feeds
    post(w.browsers["mentor"], tool, f"/groups/{private_id}/sessions", {"starts": "2030-03-04T09:30", "minutes": "60", "agenda": "First meeting"}, token_from=f"/groups/{private_id}/sessions")
    post(w.browsers["mentor"], tool, f"/groups/{private_id}/sessions", {"starts": "", "minutes": "5"}, status=400, token_from=f"/groups/{private_id}/sessions")
    page = text_of(get(outsider, tool, f"/groups/{private_id}/sessions"))
    assert "Europe/Amsterdam" in page and "9:30" in page
    from plugin.extensions import db
    from plugin.services import groups

    with app.app_context():
        entries = groups.calendar_entries(db.session, w.person["outsider"], w.course_id)
        assert [(e.kind, e.title, e.start.isoformat()) for e in entries] == [("group_session", "Quiet table", "2030-03-04T08:30:00+00:00")]
        assert groups.calendar_entries(db.session, w.person["j2"], w.course_id) == []


def test_a_focused_mentoring_is_never_listed_and_works_on_the_mentors_track(app, platform, tool):
    from plugin.domain.catalogue import Side
    from plugin.domain.errors import NotAllowed
    from plugin.extensions import db
    from plugin.models import Group, GroupMember
    from plugin.models.base import utcnow
    from plugin.services import group_signoffs, groups

    w = world(app, platform, tool, keys=("trainer", "mentor", "j1", "j2"), groups=False)
    catalogue = app.extensions["tandem_catalogue"]
    with app.app_context():
        focused = Group(organisation_id=w.organisation_id, programme_id=w.programme_id, name="Focused: board work", purpose="", kind="focused", focus="board", capacity=1, modules=[MODULE], mentor_person_id=w.person["mentor"], created_by=w.person["j1"], status="active")
        db.session.add(focused)
        db.session.flush()
        db.session.add(GroupMember(group_id=focused.id, person_id=w.person["j1"], status="member", joined_at=utcnow()))
        db.session.commit()
        roster = groups.roster(db.session, focused)
        assert roster.taught == frozenset({Side.SENIOR_EXPERT})
        assert roster.learners(Side.SENIOR_EXPERT) == {w.person["j1"]} and roster.learners(Side.DIGITAL_MENTOR) == frozenset()
        with pytest.raises(NotAllowed):  # no digital track in a focused mentoring
            group_signoffs.sign(db.session, w.actor("j1"), catalogue, focused.id, MODULE, 1, "d1", w.person["mentor"], range(3))
        db.session.rollback()
        group_signoffs.sign(db.session, w.actor("mentor"), catalogue, focused.id, MODULE, 1, "e1", w.person["j1"], range(EXPERTISE["e1"]))
        seq = group_signoffs.withdraw(db.session, w.actor("mentor"), catalogue, focused.id, 1, "Too early").seq
        assert seq == 2
        db.session.commit()
        gid = focused.id
    for key in ("j1", "mentor", "trainer"):
        assert "Focused: board work" not in text_of(get(w.browsers[key], tool, "/groups"))
    get(w.browsers["j2"], tool, f"/groups/{gid}", 404)
    assert "Focused mentoring" in text_of(get(w.browsers["j1"], tool, f"/groups/{gid}"))
    page = text_of(get(w.browsers["mentor"], tool, f"/groups/{gid}/modules/{MODULE}/v1"))
    assert "Expertise track" in page and "Digital track" not in page
    post(w.browsers["j2"], tool, f"/groups/{gid}/join", {}, status=404)


def test_the_demo_example_group(app, platform, tool):
    from plugin.extensions import db
    from plugin.services import groups

    w = world(app, platform, tool, keys=("trainer", "mentor", "j1", "j2"), groups=False)
    with app.app_context():
        group = groups.seed_example(db.session, w.programme_id, w.person["mentor"], [w.person["j1"], w.person["j2"]])
        db.session.commit()
        gid = group.id
    page = text_of(get(w.browsers["j1"], tool, f"/groups/{gid}"))
    assert "Digital basics circle" in page and "Jip Junior" in page and "0 of 4 objectives" in page


def test_two_people_taking_the_last_place_at_once_leave_one_member(app, platform, tool):
    """The group row is locked while a place is taken: of two simultaneous joins for the last place one wins."""
    import threading

    from sqlalchemy.orm import sessionmaker

    from plugin.domain.groups import NewGroup
    from plugin.extensions import db
    from plugin.models import GroupMember
    from plugin.services import group_membership, groups

    w = world(app, platform, tool, keys=("trainer", "mentor", "j1", "j2"), groups=False)
    with app.app_context():
        gid = groups.create(db.session, w.actor("trainer"), app.extensions["tandem_catalogue"], NewGroup("Last seat", "", "open", 1, (MODULE,)), w.person["mentor"])
        db.session.commit()
        factory = sessionmaker(bind=db.engine)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def join(key: str) -> None:
        session = factory()
        try:
            start.wait()
            group_membership.join(session, w.actor(key), gid)
            session.commit()
            outcomes.append("joined")
        except Exception as exc:  # noqa: BLE001 - the loser is refused: full, or the database's lock
            session.rollback()
            outcomes.append(type(exc).__name__)
        finally:
            session.close()

    threads = [threading.Thread(target=join, args=(key,)) for key in ("j1", "j2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["RuleViolation", "joined"], outcomes  # the second finds the group full
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember).where(GroupMember.group_id == gid, GroupMember.status == "member")) == 1
