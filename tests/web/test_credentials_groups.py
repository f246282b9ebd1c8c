"""A group's learner whose track is complete receives the same Open Badges 3.0 credential (valid against
the official schema, verifiable on the public page); a withdrawal in the group revokes it."""

from __future__ import annotations

import json

import sqlalchemy as sa
from jsonschema import Draft201909Validator

from tests.harness.browser import new_browser
from tests.web.credentials_support import credentials_of, schema
from tests.web.groups_support import EXPERTISE, MODULE, world
from tests.web.programme_support import get, text_of


def test_a_group_learner_with_a_complete_track_gets_a_credential_and_loses_it_on_withdrawal(app, platform, tool):
    from plugin.domain.groups import NewGroup
    from plugin.extensions import db
    from plugin.models import SignoffRecord
    from plugin.services import group_membership, group_signoffs
    from plugin.services import groups as service

    w = world(app, platform, tool, keys=("trainer", "mentor", "j1"), groups=False)
    catalogue = app.extensions["tandem_catalogue"]
    with app.app_context():
        gid = service.create(db.session, w.actor("trainer"), catalogue, NewGroup("Badge group", "Seniors and juniors", "closed", 4, (MODULE,)), w.person["mentor"])
        group_membership.invite(db.session, w.actor("trainer"), gid, w.person["j1"])
        group_membership.answer_invitation(db.session, w.actor("j1"), gid, True)
        db.session.commit()
        for objective, criteria in EXPERTISE.items():
            assert credentials_of(app, w.person["j1"]) == []
            group_signoffs.sign(db.session, w.actor("mentor"), catalogue, gid, MODULE, 1, objective, w.person["j1"], range(criteria))
            db.session.commit()
    (cid, status), = credentials_of(app, w.person["j1"])
    assert status == "active" and credentials_of(app, w.person["mentor"]) == []  # the mentor's own track is not complete

    document = json.loads(get(w.browsers["j1"], tool, f"/credentials/{cid}.json"))
    assert [e.message for e in Draft201909Validator(schema(), format_checker=Draft201909Validator.FORMAT_CHECKER).iter_errors(document)] == []
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "Juno Junior"
    assert all(a["targetFramework"].startswith(("EntreComp", "LifeComp")) for a in document["credentialSubject"]["achievement"]["alignment"])
    assert cid in get(w.browsers["trainer"], tool, "/credentials")
    assert get(w.browsers["mentor"], tool, f"/credentials/{cid}.json", status=404)
    visitor = new_browser(verify=False)
    assert "Valid:" in text_of(get(visitor, tool, f"/credentials/verify/{cid}"))

    with app.app_context():
        seq = db.session.scalar(sa.select(SignoffRecord.seq).where(SignoffRecord.group_id == gid, SignoffRecord.objective_id == "e3"))
        group_signoffs.withdraw(db.session, w.actor("mentor"), catalogue, gid, seq, "Too early")
        db.session.commit()
    assert credentials_of(app, w.person["j1"]) == [(cid, "revoked")]
    assert "Revoked:" in text_of(get(visitor, tool, f"/credentials/verify/{cid}"))
