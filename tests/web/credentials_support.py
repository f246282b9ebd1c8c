"""Helpers for the credentials tests: a tandem's module completed both ways (and reopened) through the
sign-off services, the credentials' public ids, and the vendored Open Badges 3.0 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.web.events_support import actor

SLUG, VERSION = "e-reputation", 1
#: objective -> criteria count, per track (the digital mentor teaches d*, the senior expert e*)
DIGITAL = {"d1": 3, "d2": 3, "d3": 4, "d4": 2}
EXPERTISE = {"e1": 3, "e2": 3, "e3": 3, "e4": 2}
SCHEMA = Path(__file__).resolve().parents[1] / "vendor" / "openbadges" / "ob_v3p0_achievementcredential_schema.json"


def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def sign_track(app, teacher_id: int, tandem_id: int, objectives: dict[str, int]) -> None:
    """The teacher signs off every objective of their track (one transaction each, as the sign button does)."""
    from plugin.extensions import db
    from plugin.services import signoffs

    who = actor(app, teacher_id)
    with app.app_context():
        catalogue = app.extensions["tandem_catalogue"]
        for objective, criteria in objectives.items():
            signoffs.sign(db.session, who, catalogue, tandem_id, SLUG, VERSION, objective, range(criteria))
            db.session.commit()


def complete_module(app, person: dict[str, int], tandem_id: int) -> None:
    sign_track(app, person["digital"], tandem_id, DIGITAL)
    sign_track(app, person["expert"], tandem_id, EXPERTISE)


def withdraw(app, teacher_id: int, tandem_id: int, objective: str, reason: str = "We signed this too early.") -> None:
    """The teacher withdraws their active sign-off of ``objective``."""
    from plugin.extensions import db
    from plugin.models import SignoffRecord
    from plugin.services import signoffs

    with app.app_context():
        seq = db.session.scalar(
            sa.select(SignoffRecord.seq).where(SignoffRecord.tandem_id == tandem_id, SignoffRecord.objective_id == objective, SignoffRecord.kind == "signed").order_by(SignoffRecord.seq.desc()).limit(1)
        )
        signoffs.withdraw(db.session, actor(app, teacher_id), app.extensions["tandem_catalogue"], tandem_id, seq, reason)
        db.session.commit()


def credentials_of(app, learner_id: int) -> list[tuple[str, str]]:
    """(public id, status) of the learner's credentials, oldest first."""
    from plugin.extensions import db
    from plugin.models import Credential

    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(Credential.public_id, Credential.status).where(Credential.learner_id == learner_id).order_by(Credential.id))]
