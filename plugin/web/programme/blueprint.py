"""The programme blueprint and what its pages share: labels of people and competences, the trainer's programme."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from plugin.domain.matching import MAX_LEVEL
from plugin.extensions import db
from plugin.services import programmes
from plugin.web.auth import current_actor
from plugin.web.programme.labels import REASONS, SIDES

bp = Blueprint("programme", __name__)


def language() -> str:
    return str(get_locale() or "en")


def catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


@bp.app_context_processor
def programme_helpers() -> dict:
    return {"side_labels": SIDES, "reason_labels": REASONS, "competence_label": competence_label}


def competence_label(key: str) -> str:
    """``digcomp:2.6`` as people read it: ``DigComp 2.6 Managing digital identity``."""
    framework_id, _sep, competence_id = key.partition(":")
    framework = catalogue().frameworks.get(framework_id)
    if framework is None:
        return key
    competence = framework.competences.get(competence_id)
    name = {"digcomp": "DigComp", "entrecomp": "EntreComp", "lifecomp": "LifeComp"}.get(framework_id, framework_id)
    return f"{name} {competence_id} {competence.title.get(language()) if competence else ''}".strip()


def level_names(framework_id: str) -> list[str]:
    framework = catalogue().frameworks.get(framework_id)
    levels = framework.levels if framework else ()
    return [levels[i].name.get(language()) if i < len(levels) else str(i + 1) for i in range(MAX_LEVEL)]


def person_label(name: str | None, person_id: int) -> str:
    return name or _("Participant %(number)s", number=person_id)


def programme_or_setup() -> Any:
    actor = current_actor()
    programmes.require_trainer(actor)
    return actor, programmes.find(db.session, actor)


def runner() -> Any:
    return current_app.extensions["tandem_jobs"]

