"""GDPR erasure (acceptance 6): Dana, with data in every capability, asks for erasure, confirms, and after the
grace period ``run_due`` erases her: none of her personal values is left in any column of any table, nor on
any page she, her partner or the trainer reach, nor in any export; the sign-off chains still verify; her
partner's records are intact; a new launch by the same LTI user starts a fresh, empty account. And the
retention purge of an ended programme, with its audit line."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.erasure_support import DANA, EVERT, FILE, OLGA_COMMITMENT, TEXTS, personal_values, scan, seed_dana_everywhere
from tests.web.programme_support import LEARNER, get, launch, post, text_of


def _pages(s) -> dict[str, list[str]]:
    g, t, e, c = s.ids["group"], s.tandem_id, s.ids["event"], s.ids["circle"]
    return {
        "trainer": [
            "/home",
            "/programme",
            "/tandems",
            f"/tandems/{t}",
            f"/tandems/{t}/sessions",
            f"/groups/{g}",
            f"/groups/{g}/sessions",
            "/groups",
            f"/circles/{c}",
            f"/circles/{c}.json",
            "/coffee",
            f"/events/{e}",
            f"/events/{e}/attendance",
            f"/events/{e}/attendance.csv",
            f"/groups/{g}/signoffs/export.json",
            f"/tandems/{t}/signoffs/export.json",
            "/network",
        ],
        "evert": [
            "/home",
            f"/tandems/{t}",
            f"/tandems/{t}/sessions",
            f"/tandems/{t}/sessions/{s.ids['evert_session']}",
            f"/tandems/{t}/agreement",
            f"/groups/{g}",
            f"/circles/{c}",
            "/coffee",
            "/me/export.json",
            f"/groups/{g}/signoffs/export.json",
            f"/tandems/{t}/signoffs/export.json",
        ],
    }


def test_an_erased_participant_leaves_no_personal_value_anywhere(app, platform, tool, caplog):
    from plugin.extensions import db
    from plugin.models import ErasureAudit, ErasureRequest, Participant, Person, PrivateNote, SignoffRecord
    from plugin.models.base import utcnow
    from plugin.services import erasure

    s = seed_dana_everywhere(app, platform, tool)
    dana = s.browsers["dana"]
    values = personal_values()
    assert scan(app, values, "dana", [FILE]), "the seed holds Dana's values"
    before = {who: {path: get(s.browsers[who], tool, path) for path in paths} for who, paths in _pages(s).items()}
    assert any(DANA["name"] in page for page in before["trainer"].values())  # the trainer saw her name before

    # the page says what goes and what stays; a request without the tick is refused, nothing written
    page = text_of(get(dana, tool, "/me/erasure"))
    assert "What will be removed" in page and "What stays" in page and "14 days" in page
    assert "Erase my account" in get(dana, tool, "/home")
    response = post(dana, tool, "/me/erasure", {}, status=400, token_from="/me/erasure")
    assert "Tick that you understand" in text_of(response.text)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ErasureRequest)) == 0
    post(dana, tool, "/me/erasure", {"confirm": "y"}, token_from="/me/erasure")
    assert "Your erasure is planned" in text_of(get(dana, tool, "/me/erasure"))
    with app.app_context():
        request = db.session.scalar(sa.select(ErasureRequest))
        request_id = request.id
        assert request.person_id == s.person["dana"] and request.status == "pending"
        assert erasure.run_due(db.session, utcnow() + timedelta(days=13)) == 0  # inside the grace period
        assert db.session.get(ErasureRequest, request_id).status == "pending"
        with caplog.at_level(logging.INFO, logger="plugin.services.erasure"):
            assert erasure.run_due(db.session, utcnow() + timedelta(days=14, minutes=1)) == 1
        assert erasure.run_due(db.session, utcnow() + timedelta(days=15)) == 0  # once
        audit = db.session.scalar(sa.select(ErasureAudit))
        assert audit.kind == "erasure" and audit.people == 1 and audit.rows > 15 and audit.tables["evidence"] == 4
    assert f"erasure: request {request_id}" in caplog.text

    # no personal value in any text, JSON or binary column of any table
    assert scan(app, values, "dana", [FILE]) == []
    with app.app_context():
        stub = db.session.get(Person, s.person["dana"])
        assert stub.name == "Erased participant" and stub.subject.startswith("erased:") and stub.email is None
        # the partner's records are intact
        notes = set(db.session.scalars(sa.select(PrivateNote.text)))
        assert notes == {EVERT["private_note"]}
        # the records keep the pseudonymous id
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(SignoffRecord).where(SignoffRecord.actor_id == s.person["dana"])
            )
            == 1
        )
    partner_values = [*EVERT.values(), OLGA_COMMITMENT]
    kept = scan(app, partner_values, "-", [])
    assert all(any(repr(v) in hit for hit in kept) for v in partner_values), kept

    assert dana.get(tool.url + "/calendar/dana-secret-feed-token.ics").status_code == 404  # the iCal feed is revoked

    # nor on any page or export the partner or the trainer reach; the chains still verify; "erased participant" shown
    after = {who: {path: get(s.browsers[who], tool, path) for path in paths} for who, paths in _pages(s).items()}
    for who, pages in after.items():
        for path, body in pages.items():
            leaked = [v for v in values if v in body]
            assert not leaked, (who, path, leaked)
            if path.endswith("signoffs/export.json"):
                assert json.loads(body)["verified"]["ok"] is True, (who, path)
    assert "erased participant" in after["trainer"]["/programme"]
    assert "erased participant" in after["trainer"][f"/groups/{s.ids['group']}"]
    # in Dutch the marker is Dutch, also inside a sentence the name went into
    post(s.browsers["trainer"], tool, "/language", {"language": "nl", "next": "/home"})
    for path in ("/programme", f"/groups/{s.ids['group']}", f"/tandems/{s.tandem_id}"):
        dutch = get(s.browsers["trainer"], tool, path)
        assert 'lang="nl"' in dutch and "gewiste deelnemer" in dutch and "Erased participant" not in dutch, path
    assert EVERT["private_note"] in after["evert"]["/me/export.json"]
    assert EVERT["shared_notes"] in after["evert"][f"/tandems/{s.tandem_id}/sessions/{s.ids['evert_session']}"]

    # her old browser session has nothing left to show (it no longer counts as a launch); a new launch by the
    # same LTI user is a fresh, empty account
    assert dana.get(tool.url + "/me/export.json", allow_redirects=False).status_code == 401
    assert dana.get(tool.url + "/home", allow_redirects=False).status_code == 401
    fresh = new_browser(verify=False)
    launch(platform, fresh, LEARNER, user_id="dana", **DANA)
    with app.app_context():
        new_id = db.session.scalar(sa.select(Person.id).where(Person.subject == "dana"))
        assert new_id != s.person["dana"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(Participant.person_id == new_id)) == 0
    export = json.loads(get(fresh, tool, "/me/export.json"))
    assert not [v for v in [*TEXTS.values()] if v in json.dumps(export)]
    assert "Erase my account" in get(fresh, tool, "/me/erasure")


def test_the_retention_purge_erases_an_ended_programme_and_writes_its_audit_line(app, platform, tool, caplog):
    from plugin.extensions import db
    from plugin.models import ErasureAudit, Participant, Person, PrivateNote
    from plugin.models.base import utcnow
    from plugin.services import erasure

    s = seed_dana_everywhere(app, platform, tool)
    admin = s.browsers["admin"]
    assert "Erasure and retention" in get(admin, tool, "/home")
    post(
        admin,
        tool,
        "/organisation/erasure",
        {"grace_days": "3", "retention_days": "5"},
        status=400,
        token_from="/organisation/erasure",
    )
    post(admin, tool, "/organisation/erasure", {"grace_days": "0", "retention_days": "365"}, token_from="/organisation/erasure")
    with app.app_context():
        assert erasure.settings_of(db.session, db.session.get(Person, s.person["dana"]).organisation_id).retention_days == 365
        assert erasure.run_due(db.session, utcnow() + timedelta(days=300)) == 0  # the programme is still in its retention period
        with caplog.at_level(logging.INFO, logger="plugin.services.erasure"):
            assert erasure.run_due(db.session, utcnow() + timedelta(days=400)) == 1
        assert erasure.run_due(db.session, utcnow() + timedelta(days=500)) == 0  # purged once
        audit = db.session.scalar(sa.select(ErasureAudit))
        assert (audit.kind, audit.programme_id, audit.people) == ("retention", s.programme_id, 4)
        assert audit.tables["private_notes"] == 2 and audit.rows == sum(audit.tables.values())
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PrivateNote)) == 0
        assert set(db.session.scalars(sa.select(Participant.goals))) == {""}
    assert f"retention: programme {s.programme_id}" in caplog.text and "4 people" in caplog.text
    # the texts of the programme are gone (accounts stay: names are the person's, not the programme's)
    assert scan(app, [*TEXTS.values()], "-", [FILE]) == []
    page = text_of(get(admin, tool, "/organisation/erasure"))
    assert f"Retention purge of programme {s.programme_id}" in page
