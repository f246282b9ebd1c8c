"""GDPR erasure and retention: the pages (a participant's erasure request, the administrator's settings).

Who may do what lives in :mod:`plugin.services.erasure`; these views parse, call one service function and
render. Also: pages show an erased person's stored name marker as the translated "erased participant".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Response, flash, make_response, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from plugin.domain import erasure as domain
from plugin.domain.errors import RuleViolation
from plugin.extensions import db
from plugin.services import erasure
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm

bp = Blueprint("erasure", __name__)


@bp.record_once
def _erased_names(state: Any) -> None:
    """Every ``{{ value }}`` that is, or holds, an erased person's name marker (a sentence the name went into, a
    scrubbed note) shows "erased participant" in the page's language."""
    env = state.app.jinja_env
    previous = env.finalize

    def finalize(value: Any) -> Any:
        if isinstance(value, str) and domain.ERASED_NAME in value:  # the marker alone, or inside a translated sentence
            value = _("erased participant") if value == domain.ERASED_NAME else value.replace(domain.ERASED_NAME, _("erased participant"))
        return previous(value) if previous else value

    env.finalize = finalize


class AskForm(TandemForm):
    confirm = BooleanField(
        _l("I understand that my personal data in this organisation will be erased and that this cannot be undone.")
    )


class CancelForm(TandemForm):
    pass


class SettingsForm(TandemForm):
    grace_days = IntegerField(_l("Grace period (days)"), validators=[InputRequired(), NumberRange(0, domain.GRACE_MAX)])
    retention_days = IntegerField(
        _l("Retention after a programme ends (days; empty keeps the data)"),
        validators=[Optional(), NumberRange(domain.RETENTION_MIN, domain.RETENTION_MAX)],
    )


def _moment(at: datetime | None, zone: str) -> str:
    if at is None:
        return ""
    try:
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    return _("%(moment)s (%(zone)s)", moment=format_datetime(local, "medium", rebase=False), zone=zone)


def _mine_page(form: AskForm, status: int = 200, error: str | None = None) -> Response:
    state = erasure.mine(db.session, current_actor())
    db.session.commit()
    page = render_template(
        "erasure/mine.html",
        state=state,
        form=form,
        cancel_form=CancelForm(),
        error=error,
        moment=lambda at: _moment(at, state.zone),
    )
    return make_response(page, status)


@bp.route("/me/erasure", methods=["GET", "POST"])
def mine() -> Response:
    """The participant's erasure page: what goes, what stays; ask (with a tick to confirm) or see the pending request."""
    form = AskForm()
    if not form.is_submitted():
        return _mine_page(form)
    if not form.validate():
        return render_error(400)
    try:
        erasure.ask(db.session, current_actor(), confirmed=bool(form.confirm.data))
    except RuleViolation as exc:
        db.session.rollback()
        message = (
            _("Tick that you understand the erasure cannot be undone.")
            if exc.field == "confirm"
            else _("You have asked for erasure already.")
        )
        return _mine_page(form, 400, message)
    db.session.commit()
    flash(_("Your erasure is asked. You can cancel it here until it is carried out."))
    return redirect(url_for("erasure.mine"), code=303)


@bp.route("/me/erasure/<int:request_id>/cancel", methods=["POST"])
def cancel(request_id: int) -> Response:
    if not CancelForm().validate_on_submit():
        return render_error(400)
    erasure.cancel(db.session, current_actor(), request_id)
    db.session.commit()
    flash(_("Your erasure request is cancelled: nothing was erased."))
    return redirect(url_for("erasure.mine"), code=303)


def _settings_page(form: SettingsForm, status: int = 200) -> Response:
    state = erasure.admin(db.session, current_actor())
    db.session.commit()
    if not form.is_submitted():
        form.grace_days.data, form.retention_days.data = state.settings.grace_days, state.settings.retention_days
    page = render_template(
        "erasure/settings.html", state=state, form=form, run_form=CancelForm(), moment=lambda at: _moment(at, "UTC")
    )
    return make_response(page, status)


@bp.route("/organisation/erasure", methods=["GET", "POST"])
def settings() -> Response:
    """The administrator's page: grace and retention periods, pending requests, the purge audit."""
    form = SettingsForm()
    if not form.is_submitted():
        return _settings_page(form)
    if not form.validate():
        return _settings_page(form, 400)  # its service call refuses anyone but the administrator
    erasure.save_settings(db.session, current_actor(), form.grace_days.data, form.retention_days.data)
    db.session.commit()
    flash(_("The erasure and retention settings are saved."))
    return redirect(url_for("erasure.settings"), code=303)


@bp.route("/organisation/erasure/<int:request_id>/run", methods=["POST"])
def run(request_id: int) -> Response:
    """Carry out a request whose grace period is over, now."""
    if not CancelForm().validate_on_submit():
        return render_error(400)
    try:
        erasure.erase_now(db.session, current_actor(), request_id)
    except RuleViolation:
        db.session.rollback()
        return render_error(400, _("The grace period of this request is not over yet."))
    db.session.commit()
    flash(_("The erasure is carried out."))
    return redirect(url_for("erasure.settings"), code=303)
