"""Competence frameworks for the LMS: Moodle's competency framework import format, per language."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.roles import Role
from plugin.services.moodle_competencies import moodle_csv
from plugin.web.auth import current_actor

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")


@bp.route("/<framework_id>/moodle.csv")
def moodle_export(framework_id: str) -> Response:
    """Download a framework as a CSV file for Moodle's "Import competency framework" (trainers and admins).

    :raise 403: the person is not a trainer or organisation administrator.
    :raise 404: no such framework.
    """
    if current_actor().role not in (Role.TRAINER, Role.ORG_ADMIN):
        raise NotAllowed("framework export is for trainers")
    framework = current_app.extensions["tandem_catalogue"].frameworks.get(framework_id)
    if framework is None:
        raise NotFound(framework_id)
    language = request.args.get("lang", "en") if request.args.get("lang") in ("en", "nl") else "en"
    body = moodle_csv(framework, language)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{framework.id}-{language}-moodle.csv"'
    return response
