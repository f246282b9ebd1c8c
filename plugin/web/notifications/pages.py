"""The notification pages: /notifications/preferences (the actor's own choices) and the unsubscribe link
of every email (no login: a signed token), plus the "what needs you" list the home pages include."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from plugin.domain import notifications as kinds
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import notifications
from plugin.web.auth import NoLaunch, current_actor
from plugin.web.forms import TandemForm
from plugin.web.notifications.common import LABELS, MODES, bp, subject

#: longer than any token Tandem signs
MAX_TOKEN = 400


class ActionForm(TandemForm):
    """A button's form: CSRF only (the preferences' fields are read by kind)."""


def _preferences_page(status: int = 200, error: str | None = None) -> Response:
    choices = notifications.choices(db.session, current_actor())
    db.session.commit()
    return make_response(render_template("notifications/preferences.html", choices=choices, labels=LABELS, modes=MODES, form=ActionForm(), error=error), status)


@bp.route("/notifications/preferences", methods=["GET", "POST"])
def preferences() -> Response:
    if request.method == "GET":
        return _preferences_page()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = {k: (request.form.get(f"on-{k}") == "y", request.form.get(f"mode-{k}", "immediate")) for k in kinds.KINDS}
    try:
        notifications.save(db.session, current_actor(), wanted)
    except RuleViolation:
        db.session.rollback()
        return _preferences_page(400, _("Choose at once or a daily digest for each kind."))
    db.session.commit()
    flash(_("Your notification choices are saved."))
    return redirect(url_for("notifications.preferences"), code=303)


def _token(token: str) -> str:
    if len(token) > MAX_TOKEN or "\x00" in token:
        raise RuleViolation("this unsubscribe link is not valid", "token")
    return token


def _refused() -> Response:
    db.session.rollback()
    return make_response(render_template("notifications/unsubscribe.html", found=None, done=False, form=None, labels=LABELS), 400)


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response:
    """Works without a launch: the signed token names the person and the kind; a POST turns it off."""
    secret = current_app.config["SECRET_KEY"]
    form = ActionForm()
    try:
        if request.method == "POST":
            if not form.validate_on_submit():
                abort(400)
            found = notifications.unsubscribe(db.session, secret, _token(token))
            db.session.commit()
        else:
            found = notifications.unsubscribe_preview(db.session, secret, _token(token))
            db.session.commit()
    except RuleViolation:
        return _refused()
    with force_locale(found.language):  # the language of the email the link came from
        return make_response(render_template("notifications/unsubscribe.html", found=found, done=request.method == "POST", form=form, labels=LABELS))


@bp.app_context_processor
def _needs_you() -> dict:
    """``needs_you()`` in templates: the actor's recent notifications, each with a title and a link."""

    def needs_you() -> list[dict]:
        try:
            actor = current_actor()
        except NoLaunch:
            return []
        return [{"title": subject(n.kind, n.values), "link": n.link, "at": n.created_at} for n in notifications.needs_you(db.session, actor)]

    return {"needs_you": needs_you}
