"""A tandem's year: the list of tandems (with health flags for trainers), the tandem's hub, its agreement,
plan and session log; the personal calendar feed and data export; the organisation's long-term plan.

Every tandem page but the agreement answers 303 to the agreement until both members signed it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.agreements import Principle
from plugin.domain.catalogue import Side
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.health import Flag, FlagKind
from plugin.domain.plans import Cadence, ItemKind, PlanItem
from plugin.domain.roles import Role
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import agreements, health, modules, plans, sessions
from plugin.services.tandem_access import AgreementPending, TandemAccess
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices

bp = Blueprint("tandem", __name__)

PRINCIPLES = {
    Principle.SPACE: (_l("Space"), _l("give each other room and a sense of comfort.")),
    Principle.RESPECT: (_l("Respect"), _l("for each other's views and expectations, to reach a shared understanding.")),
    Principle.PATIENCE: (_l("Patience"), _l("take the time the results need.")),
    Principle.PERSEVERANCE: (_l("Perseverance"), _l("keep working together, even when progress is slow.")),
    Principle.ACCEPTANCE: (_l("Acceptance"), _l("accept each other's views and expectations to find common ground.")),
}
CADENCES = {Cadence.WEEKLY: _l("Weekly"), Cadence.FORTNIGHTLY: _l("Every two weeks"), Cadence.MONTHLY: _l("Monthly"), Cadence.QUARTERLY: _l("Every quarter")}
TEMPLATES = {
    "six-sessions": (_l("Six sessions over six months"), _l("Six sessions of about an hour, one a month; the modules spread over six months.")),
    "twelve-month-managed": (_l("A managed year"), _l("Twelve monthly sessions and a check-in with your trainer every quarter; the modules spread over the year.")),
    "scratch": (_l("From scratch"), _l("Only the modules, due over six months; you plan your sessions yourselves.")),
}
SIDE_TRACK = {Side.DIGITAL_MENTOR: _l("digital track"), Side.SENIOR_EXPERT: _l("expertise track")}
SIDE_NAMES = {Side.DIGITAL_MENTOR: _l("Digital mentor"), Side.SENIOR_EXPERT: _l("Senior expert")}
DEFAULT_CONFIDENTIALITY = _l(
    "What we tell each other in our sessions stays between us. We share with our trainer only what we agree on together, "
    "and our private notes stay private. Shared notes are for the two of us and our trainer."
)
ERRORS = {
    "goals": _l("Write down at least one goal, at most ten, each at most 500 characters."),
    "duration_minutes": _l("A session lasts from 15 to 480 minutes."),
    "confidentiality": _l("Write down what stays confidential between you (at most 5000 characters)."),
    "cadence": _l("Choose how often you meet."),
    "signed": _l("The agreement is signed already; it can no longer be changed."),
    "draft": _l("There is no agreement to sign yet: draft it first."),
    "principles": _l("Acknowledge every principle before you sign."),
    "template": _l("Choose a plan template."),
    "modules": _l("Choose modules on offer in this programme."),
    "plan": _l("This tandem has a plan already."),
    "due": _l("Choose a new date on or after the start of the plan, different from the current one, for an item not done yet."),
    "reason": _l("The reason is too long: at most 500 characters."),
    "done_on": _l("This item is done already, or the date is before the start of the plan."),
    "held_on": _l("Give the date the session took place (not in the future)."),
    "minutes": _l("A session lasts from 5 to 480 minutes."),
    "tracks": _l("Choose tracks of this tandem's modules."),
    "agenda": _l("The agenda is too long: at most 5000 characters."),
    "shared_notes": _l("The shared notes are too long: at most 10000 characters."),
    "private_note": _l("Your private note is too long: at most 10000 characters."),
    "reflection": _l("Score every principle from 1 to 5, or none of them."),
    "cohort": _l("Choose a course of your organisation."),
    "quarter": _l("Write the quarter like 2027-Q1."),
    "module": _l("Choose a module your organisation offers that this cohort does not have yet."),
}



SCORES = choices((n, str(n)) for n in range(1, 6))


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


def _language() -> str:
    return str(get_locale() or "en")


def _today() -> date:
    return utcnow().date()


def _is_trainer(role: Role) -> bool:
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
    module = _catalogue().get(slug)
    if module is None and session.get("organisation_id") is not None:
        try:
            module = modules.find(db.session, int(session["organisation_id"]), _catalogue(), slug).module
        except NotFound:
            module = None
    return module.title.get(_language()) if module is not None else slug


def person_name(view: TandemAccess, person_id: int) -> str:
    return view.name_of(person_id) or (_("Digital mentor") if person_id == view.digital_id else _("Senior expert") if person_id == view.expert_id else _("Trainer"))


def item_label(item: PlanItem) -> str:
    number = item.key.partition(":")[2]
    if item.kind is ItemKind.SESSION:
        return _("Session %(number)s", number=number)
    if item.kind is ItemKind.CHECKIN:
        return _("Check-in with the trainer %(number)s", number=number)
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


def _error(form: TandemForm, exc: RuleViolation, default: str) -> None:
    """Attach a service's RuleViolation to the form field it names (or to the form)."""
    field = exc.field if exc.field in ERRORS else ("reflection" if exc.field in set(Principle) else None)
    message = str(ERRORS.get(field, exc.message)) if field else exc.message
    target = getattr(form, exc.field or default, None) or getattr(form, default, None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*(target.errors or []), message]
    else:
        form.form_errors.append(message)


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return make_response(render_template(template, **context), status)


# ---------------------------------------------------------------- list and hub


@bp.route("/tandems")
def index() -> Response:
    actor = current_actor()
    rows = health.tandem_list(db.session, actor, _today())
    db.session.commit()
    return _page("tandem/list.html", rows=rows, trainer=_is_trainer(actor.role), me=actor.person_id)


@bp.route("/tandems/<int:tandem_id>")
def hub(tandem_id: int) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, _catalogue(), tandem_id)
    _view, logged = sessions.list_sessions(db.session, actor, tandem_id)
    flags = health.flags_for(db.session, actor, tandem_id, _today())
    db.session.commit()
    upcoming = [i for i in page.plan.by_date if i.done_on is None and i.due >= _today()][:3] if page.plan else []
    overdue = page.plan.overdue(_today()) if page.plan else ()
    return _page("tandem/hub.html", view=page.view, plan=page.plan, upcoming=upcoming, overdue=overdue, recent=logged[:3], flags=flags, item_label=item_label)


# ---------------------------------------------------------------- agreement


class AgreementForm(TandemForm):
    goals = TextAreaField(_l("Our goals (one per line)"), validators=[InputRequired()])
    cadence = SelectField(_l("How often we meet"), choices=choices(CADENCES.items()), default=Cadence.MONTHLY.value)
    duration_minutes = IntegerField(_l("How long a session lasts (minutes)"), validators=[InputRequired(), NumberRange(15, 480)], default=60)
    confidentiality = TextAreaField(_l("What stays confidential"), validators=[InputRequired()])


class SignForm(TandemForm):
    principles = SelectMultipleField(_l("I acknowledge the five principles"), choices=choices((p.value, PRINCIPLES[p][0]) for p in Principle), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    confirmed = HiddenField()


def _agreement_page(page: agreements.AgreementPage, form: AgreementForm | None = None, sign_form: SignForm | None = None, status: int = 200) -> Response:
    if form is None:
        current = page.agreement
        data = {"goals": "\n".join(current.goals), "cadence": current.cadence.value, "duration_minutes": current.duration_minutes, "confidentiality": current.confidentiality} if current else {"confidentiality": str(DEFAULT_CONFIDENTIALITY)}
        form = AgreementForm(data=data)
    return _page("tandem/agreement.html", status, page=page, view=page.view, form=form, sign_form=sign_form or SignForm())


@bp.route("/tandems/<int:tandem_id>/agreement", methods=["GET", "POST"])
def agreement(tandem_id: int) -> Response:
    actor = current_actor()
    page = agreements.page(db.session, actor, tandem_id)
    if request.method == "GET":
        db.session.commit()
        return _agreement_page(page)
    if not page.view.is_member:
        raise NotAllowed("trainers read the agreement")
    if not page.editable:
        return render_error(409, ERRORS["signed"])
    form = AgreementForm()
    if not form.validate_on_submit():
        return _agreement_page(page, form, status=400)
    try:
        agreements.save_draft(db.session, actor, tandem_id, (form.goals.data or "").splitlines(), form.cadence.data, form.duration_minutes.data, form.confidentiality.data or "")
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "goals")
        return _agreement_page(page, form, status=400)
    db.session.commit()
    flash(_("The agreement is saved. Read it through, then sign it; your partner signs too."))
    return redirect(url_for("tandem.agreement", tandem_id=tandem_id), code=303)


@bp.route("/tandems/<int:tandem_id>/agreement/sign", methods=["POST"])
def sign(tandem_id: int) -> Response:
    actor = current_actor()
    page = agreements.page(db.session, actor, tandem_id)
    if not page.view.is_member:
        raise NotAllowed("trainers do not sign the agreement")
    if page.signed_by_me:
        return render_error(409, _l("You have signed this agreement already; a signature cannot be given twice or undone."))
    if page.agreement is None:
        return render_error(409, ERRORS["draft"])
    form = SignForm()
    if not form.validate_on_submit():
        return _agreement_page(page, sign_form=form, status=400)
    confirmed = form.confirmed.data == "1"
    try:
        signed = agreements.sign(db.session, actor, tandem_id, form.principles.data or (), utcnow(), store=confirmed)
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "principles")
        return _agreement_page(page, sign_form=form, status=400)
    if not confirmed:
        db.session.rollback()
        return _page("tandem/sign_confirm.html", page=page, view=page.view, form=form)
    db.session.commit()
    flash(_("You signed the agreement. Your tandem opens as soon as your partner signs too.") if signed.waiting_for else _("You both signed: your tandem is open."))
    return redirect(url_for("tandem.hub" if not signed.waiting_for else "tandem.agreement", tandem_id=tandem_id), code=303)


# ---------------------------------------------------------------- plan


class PlanForm(TandemForm):
    template = RadioField(_l("Plan template"), choices=choices((k, v[0]) for k, v in TEMPLATES.items()), default="six-sessions")
    start = DateField(_l("Start date"), validators=[InputRequired()])
    modules = SelectMultipleField(_l("Modules"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)


class RescheduleForm(TandemForm):
    item = StringField(validators=[InputRequired()])
    due = DateField(_l("New date"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[Optional()])


class DoneForm(TandemForm):
    item = StringField(validators=[InputRequired()])
    on = DateField(_l("Done on"), validators=[InputRequired()])


def _plan_page(page: plans.PlanPage, form: PlanForm | None = None, status: int = 200, error: str | None = None, error_item: str | None = None) -> Response:
    if form is None:
        form = PlanForm(data={"start": _today(), "modules": []})
    form.modules.choices = choices((m.slug, m.title.get(_language())) for m in page.modules)
    return _page(
        "tandem/plan.html", status, page=page, view=page.view, plan=page.plan, form=form, templates=TEMPLATES, today=_today(), item_label=item_label, error=error, error_item=error_item,
    )


@bp.route("/tandems/<int:tandem_id>/plan", methods=["GET", "POST"])
def plan(tandem_id: int) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, _catalogue(), tandem_id)
    if request.method == "GET":
        db.session.commit()
        return _plan_page(page)
    if not page.view.is_member:
        raise NotAllowed("trainers read the plan")
    form = PlanForm()
    if not form.validate_on_submit():
        return _plan_page(page, form, 400)
    try:
        plans.create(db.session, actor, _catalogue(), tandem_id, form.template.data, form.start.data, form.modules.data or ())
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "template")
        return _plan_page(page, form, 400)
    db.session.commit()
    flash(_("Your plan is made. Move a date when you need to; the plan keeps every change."))
    return redirect(url_for("tandem.plan", tandem_id=tandem_id), code=303)


def _plan_change(tandem_id: int, form: TandemForm, change: Any, done_message: str) -> Response:
    actor = current_actor()
    page = plans.page(db.session, actor, _catalogue(), tandem_id)
    if not page.view.is_member:
        raise NotAllowed("trainers read the plan")
    if not form.validate_on_submit():
        messages = [str(e) for errors in form.errors.values() for e in errors]
        return _plan_page(page, status=400, error=" ".join(messages), error_item=form.item.data)
    try:
        change(actor)
    except RuleViolation as exc:
        db.session.rollback()
        return _plan_page(page, status=400, error=str(ERRORS.get(exc.field or "", exc.message)), error_item=form.item.data)
    db.session.commit()
    flash(done_message)
    return redirect(url_for("tandem.plan", tandem_id=tandem_id), code=303)


@bp.route("/tandems/<int:tandem_id>/plan/reschedule", methods=["POST"])
def reschedule(tandem_id: int) -> Response:
    form = RescheduleForm()
    return _plan_change(
        tandem_id, form, lambda actor: plans.reschedule(db.session, actor, tandem_id, form.item.data, form.due.data, form.reason.data or "", utcnow()), _("The new date is saved; the plan's history keeps the old one.")
    )


@bp.route("/tandems/<int:tandem_id>/plan/done", methods=["POST"])
def mark_done(tandem_id: int) -> Response:
    form = DoneForm()
    return _plan_change(tandem_id, form, lambda actor: plans.mark_done(db.session, actor, tandem_id, form.item.data, form.on.data, utcnow()), _("Marked as done."))


# ---------------------------------------------------------------- sessions


class MyPartForm(TandemForm):
    private_note = TextAreaField(_l("My private note (only I ever see it)"), validators=[Optional()])
    space = RadioField(choices=SCORES, validate_choice=False)
    respect = RadioField(choices=SCORES, validate_choice=False)
    patience = RadioField(choices=SCORES, validate_choice=False)
    perseverance = RadioField(choices=SCORES, validate_choice=False)
    acceptance = RadioField(choices=SCORES, validate_choice=False)

    def reflection(self) -> dict[str, object]:
        raw = {p.value: getattr(self, p.value).data for p in Principle}
        return {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in raw.items()}


class SessionForm(MyPartForm):
    held_on = DateField(_l("Date"), validators=[InputRequired()])
    minutes = IntegerField(_l("Length in minutes"), validators=[InputRequired(), NumberRange(sessions.MIN_MINUTES, sessions.MAX_MINUTES)], default=60)
    tracks = SelectMultipleField(_l("Tracks we worked on"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    agenda = TextAreaField(_l("Agenda"), validators=[Optional()])
    shared_notes = TextAreaField(_l("Shared notes (your partner and your trainer read them)"), validators=[Optional()])


def _track_choices(actor: Any, view: TandemAccess) -> list[tuple[str, str]]:
    out = []
    for slug, _version in sessions.track_choices(db.session, actor, _catalogue(), view):
        for side in Side:
            out.append((f"{slug}|{side.value}", _("%(module)s: %(track)s (%(teacher)s teaches)", module=module_title(slug), track=SIDE_TRACK[side], teacher=person_name(view, view.digital_id if side is Side.DIGITAL_MENTOR else view.expert_id))))
    return out


def _sessions_page(actor: Any, tandem_id: int, form: SessionForm | None = None, status: int = 200) -> Response:
    view, logged = sessions.list_sessions(db.session, actor, tandem_id)
    if form is None:
        form = SessionForm(data={"held_on": _today(), "minutes": 60})
    form.tracks.choices = choices(_track_choices(actor, view)) if view.is_member else []
    db.session.commit()
    return _page("tandem/sessions.html", status, view=view, sessions=logged, form=form, me=actor.person_id)


@bp.route("/tandems/<int:tandem_id>/sessions", methods=["GET", "POST"])
def session_list(tandem_id: int) -> Response:
    actor = current_actor()
    if request.method == "GET":
        return _sessions_page(actor, tandem_id)
    form = SessionForm()
    if not form.validate_on_submit():
        return _sessions_page(actor, tandem_id, form, 400)
    tracks = [(t.partition("|")[0], t.partition("|")[2]) for t in form.tracks.data or ()]
    new = sessions.NewSession(form.held_on.data, form.minutes.data, tracks, form.agenda.data or "", form.shared_notes.data or "", form.private_note.data or "", form.reflection())
    try:
        session_id = sessions.log(db.session, actor, _catalogue(), tandem_id, new, _today())
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "held_on")
        return _sessions_page(actor, tandem_id, form, 400)
    db.session.commit()
    flash(_("The session is logged. Your partner can add their own private note and reflection."))
    return redirect(url_for("tandem.session_detail", tandem_id=tandem_id, session_id=session_id), code=303)


@bp.route("/tandems/<int:tandem_id>/sessions/<int:session_id>", methods=["GET", "POST"])
def session_detail(tandem_id: int, session_id: int) -> Response:
    actor = current_actor()
    view, item = sessions.detail(db.session, actor, tandem_id, session_id)
    form = MyPartForm(data={"private_note": item.my_note or "", **{p.value: str(s) for p, s in (item.my_reflection or {}).items()}} if request.method == "GET" else None)
    if request.method == "GET":
        db.session.commit()
        return _page("tandem/session.html", view=view, item=item, form=form)
    if not view.is_member:
        raise NotAllowed("trainers read the sessions")
    if not form.validate_on_submit():
        return _page("tandem/session.html", 400, view=view, item=item, form=form)
    try:
        sessions.save_my_part(db.session, actor, tandem_id, session_id, form.private_note.data or "", form.reflection())
    except RuleViolation as exc:
        db.session.rollback()
        _error(form, exc, "private_note")
        return _page("tandem/session.html", 400, view=view, item=item, form=form)
    db.session.commit()
    flash(_("Your note and reflection are saved."))
    return redirect(url_for("tandem.session_detail", tandem_id=tandem_id, session_id=session_id), code=303)
