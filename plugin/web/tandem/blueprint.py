"""The tandem blueprint and what its pages share: the catalogue, today's date, titles and labels, the
redirect to the agreement until both members signed it, and a service's RuleViolation on a form."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from plugin.domain.agreements import Principle
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.health import Flag, FlagKind
from plugin.domain.plans import ItemKind, PlanItem
from plugin.domain.roles import Role
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import modules
from plugin.services.tandem_access import AgreementPending, TandemAccess
from plugin.web.forms import TandemForm
from plugin.web.tandem.labels import CADENCES, ERRORS, PRINCIPLES, SIDE_NAMES, SIDE_TRACK

bp = Blueprint("tandem", __name__)


def catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def language() -> str:
    return str(get_locale() or "en")


def today() -> date:
    return utcnow().date()


def is_trainer(role: Role) -> bool:
    return role in (Role.TRAINER, Role.ORG_ADMIN)


@bp.errorhandler(AgreementPending)
def agreement_first(exc: AgreementPending) -> Response:
    db.session.rollback()
    return redirect(url_for("tandem.agreement", tandem_id=(request.view_args or {}).get("tandem_id")), code=303)


@bp.app_context_processor
def tandem_helpers() -> dict:
    return {"principles": PRINCIPLES, "cadences": CADENCES, "current_role": lambda: session.get("role"), "side_track": SIDE_TRACK, "side_names": SIDE_NAMES, "module_title": module_title, "flag_text": flag_text, "person_name": person_name}


def module_title(slug: str | None) -> str:
    """A module's title in the page language: shipped modules, else the organisation's own (the slug when gone)."""
    if not slug:
        return ""
    module = catalogue().get(slug)
    if module is None and session.get("organisation_id") is not None:
        try:
            module = modules.find(db.session, int(session["organisation_id"]), catalogue(), slug).module
        except NotFound:
            module = None
    return module.title.get(language()) if module is not None else slug


def person_name(view: TandemAccess, person_id: int) -> str:
    return view.name_of(person_id) or (_("Digital mentor") if person_id == view.digital_id else _("Senior expert") if person_id == view.expert_id else _("Trainer"))


def item_label(item: PlanItem) -> str:
    number = item.key.partition(":")[2]
    if item.kind is ItemKind.SESSION:
        return _("Session %(number)s", number=number)
    if item.kind is ItemKind.CHECKIN:
        return _("Check-in with the trainer %(number)s", number=number)
    if item.kind is ItemKind.FOLLOWUP:
        return _("Follow-up of an event: %(text)s", text=item.text or "")
    return _("Module complete: %(title)s", title=module_title(item.module_slug))


def flag_text(flag: Flag) -> str:
    d = flag.detail
    if flag.kind is FlagKind.NO_SESSION:
        return _("Quiet: no session for %(days)s days.", days=d["days"])
    if flag.kind is FlagKind.ONE_DIRECTION:
        return _("One way only: the %(track)s has had no sign-off for %(days)s days.", track=SIDE_TRACK[d["stalled"]], days=d["days"])
    if flag.kind is FlagKind.LOW_REFLECTION:
        return _("Low reflections: %(principle)s averages %(average)s out of 5 for the %(side)s.", principle=PRINCIPLES[d["principle"]][0], average=d["average"], side=SIDE_NAMES[d["side"]].lower())
    return ngettext("Overdue: %(num)d plan item, the oldest %(days)s days late.", "Overdue: %(num)d plan items, the oldest %(days)s days late.", len(d["items"]), days=d["days_late"])


def form_error(form: TandemForm, exc: RuleViolation, default: str) -> None:
    """Attach a service's RuleViolation to the form field it names (or to the form)."""
    field = exc.field if exc.field in ERRORS else ("reflection" if exc.field in set(Principle) else None)
    message = str(ERRORS.get(field, exc.message)) if field else exc.message
    target = getattr(form, exc.field or default, None) or getattr(form, default, None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*(target.errors or []), message]
    else:
        form.form_errors.append(message)


def render_page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)
