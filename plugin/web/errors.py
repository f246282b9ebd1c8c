"""Errors become pages that fit the LMS iframe (or JSON for API clients); never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.extensions import db
from plugin.web.auth import NoLaunch

log = logging.getLogger("tandem.web")

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to see this page."),
    404: _l("This page does not exist."),
    405: _l("This page cannot be used that way."),
    413: _l("The upload is too large."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
}


def _wants_json() -> bool:
    if request.path.endswith(".json"):  # a JSON route answers JSON, whoever asks
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str | None = None) -> Response:
    """An error page (or JSON) with ``code``."""
    text = str(message or MESSAGES.get(code, MESSAGES[400]))
    if _wants_json():
        return make_response(jsonify({"error": {"code": code, "message": text}}), code)
    return make_response(render_template("errors/error.html", code=code, message=text), code)


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(NoLaunch)
    def no_launch(exc: NoLaunch) -> Response:
        return make_response(render_template("lti/rejected.html", reason="session_expired", retry_url=None), 401)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        return render_error(400, _l("This form has expired. Reload the page and try again."))

    @app.errorhandler(RuleViolation)
    def rule_violation(exc: RuleViolation) -> Response:
        db.session.rollback()
        return render_error(400, exc.message)

    @app.errorhandler(NotAllowed)
    def not_allowed(exc: NotAllowed) -> Response:
        db.session.rollback()
        return render_error(403)

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> Response:
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        code = exc.code or 500
        return render_error(code, MESSAGES.get(code) or exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
