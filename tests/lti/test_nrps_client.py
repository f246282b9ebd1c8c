"""The NRPS roster client against the harness platform over HTTP: paging, role filter, privacy, faults."""

from __future__ import annotations

import pytest

from lti import claims
from lti.http import PlatformSession
from lti.nrps import MEDIA_MEMBERSHIPS, NrpsRoster, roster_for_launch
from lti.services import TandemServiceConnector, TokenCache
from lti.tooling import TandemRegistration
from plugin.domain.errors import NotFound
from plugin.domain.roles import Role
from plugin.domain.roster import RosterUnavailable
from plugin.services.launches import Actor

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
CONTEXT = "course-1"


def _connector(app, platform, timeout: float = 1.0) -> TandemServiceConnector:
    from plugin.extensions import db
    from plugin.services import keys, platforms

    with app.app_context():
        info = platforms.find_registration(db.session, platform.issuer, platform.client_id)
        key = keys.signing_key(db.session)
        db.session.commit()
    assert info is not None
    return TandemServiceConnector(TandemRegistration(info, key), PlatformSession(timeout=timeout, verify=False), TokenCache())


def _roster(app, platform, timeout: float = 1.0) -> NrpsRoster:
    return NrpsRoster(_connector(app, platform, timeout), f"{platform.url}/nrps/{CONTEXT}/memberships")


def _people(count: int) -> list[dict]:
    """``count`` members: every 10th an instructor, every 7th without name or email, a few not active."""
    people = []
    for i in range(count):
        member: dict = {"user_id": f"user-{i:03d}", "roles": [INSTRUCTOR if i % 10 == 0 else LEARNER]}
        if i % 7:
            member.update(name=f"Person {i}", given_name="Person", family_name=str(i), email=f"p{i}@example.org")
        if i in (5, 6):
            member["status"] = "Inactive" if i == 5 else "Deleted"
        people.append(member)
    return people


def test_a_roster_of_260_is_read_over_six_pages_each_member_once(app, platform):
    platform.set_members(CONTEXT, _people(260))
    roster = _roster(app, platform)
    pages = list(roster.pages(limit=50))
    assert [len(page) for page in pages] == [50, 50, 50, 50, 50, 10]
    subjects = [m.subject for page in pages for m in page]
    assert len(subjects) == len(set(subjects)) == 260
    assert set(subjects) == {f"user-{i:03d}" for i in range(260)}
    requests_made = [r for r in platform.nrps_requests if r["context_id"] == CONTEXT]
    assert len(requests_made) == 6
    assert all(r["status"] == 200 and r["accept"] == MEDIA_MEMBERSHIPS for r in requests_made)
    assert all(r["authorization"].startswith("Bearer ") for r in requests_made)
    assert [r["query"].get("from", "0") for r in requests_made] == ["0", "50", "100", "150", "200", "250"]
    assert platform.token_requests == 1  # one token for the whole roster
    by_subject = {m.subject: m for page in pages for m in page}
    assert by_subject["user-010"].role is Role.TRAINER and by_subject["user-011"].role is Role.PARTICIPANT
    assert sum(m.role is Role.TRAINER for m in by_subject.values()) == 26


def test_role_filter_asks_the_platform_for_learners_only(app, platform):
    platform.set_members(CONTEXT, _people(260))
    members = _roster(app, platform).members(role="Learner", limit=100)
    assert len(members) == 234
    assert {m.role for m in members} == {Role.PARTICIPANT}
    assert all(r["query"]["role"] == "Learner" for r in platform.nrps_requests)
    assert len(platform.nrps_requests) == 3


def test_members_without_names_or_emails_and_without_user_id(app, platform):
    platform.set_members(
        CONTEXT,
        [
            {"user_id": "anon-1", "roles": [LEARNER]},
            {"user_id": "half", "roles": ["Learner"], "given_name": "  Grace ", "email": ""},
            {"user_id": None, "roles": [LEARNER], "name": "Nobody"},
            {"user_id": "", "roles": [LEARNER]},
            {"user_id": "odd-roles", "roles": ["urn:unknown", 42]},
        ],
    )
    members = {m.subject: m for m in _roster(app, platform).members()}
    assert set(members) == {"anon-1", "half", "odd-roles"}
    anon = members["anon-1"]
    assert (anon.name, anon.given_name, anon.family_name, anon.email) == (None, None, None, None)
    assert anon.display_name is None and anon.active
    assert members["half"].given_name == "Grace" and members["half"].email is None
    assert members["half"].display_name == "Grace" and members["half"].role is Role.PARTICIPANT
    assert members["odd-roles"].role is Role.OBSERVER


def test_inactive_and_deleted_members_are_kept_as_inactive(app, platform):
    platform.set_members(CONTEXT, _people(12))
    members = {m.subject: m for m in _roster(app, platform).members()}
    assert not members["user-005"].active and not members["user-006"].active
    assert all(m.active for s, m in members.items() if s not in ("user-005", "user-006"))


def test_a_503_is_retried_once_and_the_roster_completes(app, platform):
    platform.set_members(CONTEXT, _people(120))
    roster = _roster(app, platform)
    pages = roster.pages(limit=50)
    first = next(pages)
    platform.fail_next("nrps", 1, 503)
    rest = list(pages)
    assert len(first) + sum(len(p) for p in rest) == 120
    assert [r["status"] for r in platform.nrps_requests] == [200, 503, 200, 200]


def test_a_timeout_is_retried_once(app, platform):
    platform.set_members(CONTEXT, _people(30))
    platform.fail_next("nrps", 1, 503, delay=2.5)
    members = _roster(app, platform, timeout=1.0).members()
    assert len(members) == 30


def test_permanent_failure_raises_roster_unavailable_and_keeps_nothing_half_read(app, platform):
    platform.set_members(CONTEXT, _people(120))
    roster = _roster(app, platform)
    pages = roster.pages(limit=50)
    assert len(next(pages)) == 50  # the caller has this page ...
    platform.fail_next("nrps", 5, 500)
    with pytest.raises(RosterUnavailable) as raised:
        next(pages)
    assert raised.value.message.startswith("The course roster could not be fetched")
    assert "500" in (raised.value.detail or "")
    assert len(platform.nrps_requests) == 3  # first page, then two tries of the second
    platform.fail_next("nrps", 5, 502)
    with pytest.raises(RosterUnavailable):
        roster.members(limit=50)  # ... but members() is all or nothing


def test_client_errors_are_not_retried(app, platform):
    roster = NrpsRoster(_connector(app, platform), f"{platform.url}/nrps/no-such-course/memberships")
    with pytest.raises(RosterUnavailable) as raised:
        roster.members()
    assert "404" in raised.value.detail
    assert len(platform.nrps_requests) == 1


def test_token_endpoint_failure(app, platform):
    platform.set_members(CONTEXT, _people(3))
    platform.fail_next("token", 1, 503)
    assert len(_roster(app, platform).members()) == 3  # one retry gets a token
    platform.fail_next("token", 2, 500)
    with pytest.raises(RosterUnavailable) as raised:
        _roster(app, platform).members()
    assert "token endpoint" in raised.value.detail


def test_a_revoked_token_is_replaced_once(app, platform):
    platform.set_members(CONTEXT, _people(3))
    roster = _roster(app, platform)
    assert len(roster.members()) == 3
    platform.revoke_tokens()
    assert len(roster.members()) == 3
    assert [r["status"] for r in platform.nrps_requests] == [200, 401, 200]
    assert platform.token_requests == 2


def _session_actor(app, browser) -> tuple[str, Actor]:
    """The launch id and actor Tandem keeps in the browser's (signed cookie) session after a launch."""
    raw = browser.cookies.get(app.config.get("SESSION_COOKIE_NAME", "session"))
    data = app.session_interface.get_signing_serializer(app).loads(raw)
    actor = Actor(
        person_id=data["person_id"],
        organisation_id=data["organisation_id"],
        role=Role(data["role"]),
        course_id=data["course_id"],
        registration_id=data["registration_id"],
    )
    return data["launch_id"], actor


def test_roster_for_launch_reads_the_launch_and_its_registration(app, platform, browser):
    result = platform.launch(browser, user_id="teacher-1", roles=[INSTRUCTOR])
    assert result.response.status_code == 200, result.response.text[:300]
    assert claims.nrps_memberships_url(result.payload) == f"{platform.url}/nrps/{CONTEXT}/memberships"
    platform.set_members(CONTEXT, [{"user_id": "teacher-1", "roles": [INSTRUCTOR]}, *_people(60)[1:]])
    launch_id, actor = _session_actor(app, browser)
    from plugin.extensions import db

    with app.app_context():
        roster = roster_for_launch(db.session, launch_id, actor)
        db.session.commit()
        assert roster is not None
        members = roster.members(limit=25)
        again = roster_for_launch(db.session, launch_id, actor)
        with pytest.raises(NotFound):
            roster_for_launch(db.session, launch_id, Actor(actor.person_id + 999, actor.organisation_id, actor.role))
        with pytest.raises(NotFound):
            roster_for_launch(db.session, "no-such-launch", actor)
        db.session.rollback()
    assert len(members) == 60 and members[0].subject == "teacher-1" and members[0].role is Role.TRAINER
    assert len(platform.nrps_requests) == 3
    # the app's token cache: a second roster of the same registration needs no new token
    tokens_before = platform.token_requests
    assert again is not None and len(again.members()) == 60
    assert platform.token_requests == tokens_before


def test_roster_for_launch_without_nrps_claim_is_none(app, platform, browser):
    platform.launch(browser, user_id="teacher-2", roles=[INSTRUCTOR], nrps=False)
    launch_id, actor = _session_actor(app, browser)
    from plugin.extensions import db

    with app.app_context():
        assert roster_for_launch(db.session, launch_id, actor) is None
        db.session.rollback()
