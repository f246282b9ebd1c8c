"""The groups list, creating a group, the programme's setting, the group page, and joining and leaving."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.errors import RuleViolation
from plugin.domain.groups import CHOOSABLE, MAX_CAPACITY, MIN_CAPACITY, NAME_MAX, PURPOSE_MAX, NewGroup
from plugin.extensions import db
from plugin.services import group_membership, groups
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm, choices
from plugin.web.groups.blueprint import KINDS, bp, catalogue, expired, language, message, refused, render_page, valid_post


class CreateForm(TandemForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=NAME_MAX)])
    purpose = TextAreaField(_l("Purpose: what the group works on, and for whom"), validators=[Optional(), Length(max=PURPOSE_MAX)])
    modules = SelectMultipleField(_l("Modules (one to three)"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    capacity = IntegerField(_l("Places besides the mentor"), validators=[InputRequired(), NumberRange(MIN_CAPACITY, MAX_CAPACITY)], default=6)
    kind = RadioField(_l("Kind of group"), choices=choices((k.value, KINDS[k.value][0]) for k in CHOOSABLE), default="open")
    mentor = SelectField(_l("Mentor"), choices=[], validate_choice=False)


class SettingForm(TandemForm):
    participant_groups = BooleanField(_l("Participants may create groups (as their mentor)"))


@bp.route("/groups")
def index() -> Response:
    listing = groups.index(db.session, current_actor())
    db.session.commit()
    return render_page("groups/index.html", listing=listing, setting=SettingForm(data={"participant_groups": listing.participant_groups}))


@bp.route("/groups/settings", methods=["POST"])
def settings() -> Response:
    form = SettingForm()
    if not form.validate_on_submit():
        return expired()
    groups.set_participant_groups(db.session, current_actor(), bool(form.participant_groups.data))
    db.session.commit()
    flash(_("Participants may now create groups.") if form.participant_groups.data else _("Only trainers create groups now."))
    return redirect(url_for("groups.index"), code=303)


def _create_page(form: CreateForm, offer: groups.CreateForm, status: int = 200) -> Response:
    form.modules.choices = choices((m.slug, m.title.get(language())) for m in offer.modules)
    form.mentor.choices = choices([("", _("Choose a participant"))] + [(pid, name or _("Participant %(id)s", id=pid)) for pid, name, _side in offer.mentors])
    return render_page("groups/create.html", status, form=form, offer=offer)


@bp.route("/groups/new", methods=["GET", "POST"])
def create() -> Response:
    actor = current_actor()
    offer = groups.create_form(db.session, actor, catalogue())
    form = CreateForm()
    if not form.validate_on_submit():
        db.session.commit()
        return _create_page(form, offer, 400 if form.is_submitted() else 200)
    mentor = form.mentor.data if offer.is_trainer else None
    try:
        new = NewGroup(form.name.data or "", form.purpose.data or "", form.kind.data or "", form.capacity.data, tuple(form.modules.data or ()))
        group_id = groups.create(db.session, actor, catalogue(), new, int(mentor) if mentor and mentor.isascii() and mentor.isdigit() and len(mentor) < 10 else None)
    except RuleViolation as exc:
        db.session.rollback()
        target = getattr(form, exc.field or "", None) or form.name
        target.errors = [*(target.errors or []), message(exc)]
        return _create_page(form, groups.create_form(db.session, actor, catalogue()), 400)
    db.session.commit()
    flash(_("The group is created."))
    return redirect(url_for("groups.show", group_id=group_id), code=303)


@bp.route("/groups/<int:group_id>")
def show(group_id: int) -> Response:
    actor = current_actor()
    page = groups.group_page(db.session, actor, catalogue(), group_id)
    db.session.commit()
    names = {p.id: p.name for p in (page.mentor, *page.members)}
    return render_page("groups/show.html", page=page, view=page.view, names=names)


def _membership(group_id: int, action, done: str) -> Response:  # noqa: ANN001 - a service call
    if not valid_post():
        return expired()
    try:
        action()
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(done)
    return redirect(url_for("groups.show", group_id=group_id), code=303)


def _person() -> int:
    raw = request.form.get("person", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else 0


@bp.route("/groups/<int:group_id>/join", methods=["POST"])
def join(group_id: int) -> Response:
    if not valid_post():
        return expired()
    try:
        outcome = group_membership.join(db.session, current_actor(), group_id)
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(_("Welcome to the group.") if outcome == "member" else _("You asked to join. The mentor will answer."))
    return redirect(url_for("groups.show", group_id=group_id), code=303)


@bp.route("/groups/<int:group_id>/leave", methods=["POST"])
def leave(group_id: int) -> Response:
    if not valid_post():
        return expired()
    try:
        group_membership.leave(db.session, current_actor(), group_id)
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(_("You left the group."))
    return redirect(url_for("groups.index"), code=303)


@bp.route("/groups/<int:group_id>/requests/approve", methods=["POST"])
def approve(group_id: int) -> Response:
    return _membership(group_id, lambda: group_membership.answer_request(db.session, current_actor(), group_id, _person(), True), _("The request is approved: they are a member now."))


@bp.route("/groups/<int:group_id>/requests/decline", methods=["POST"])
def decline(group_id: int) -> Response:
    return _membership(group_id, lambda: group_membership.answer_request(db.session, current_actor(), group_id, _person(), False), _("The request is declined."))


@bp.route("/groups/<int:group_id>/invite", methods=["POST"])
def invite(group_id: int) -> Response:
    return _membership(group_id, lambda: group_membership.invite(db.session, current_actor(), group_id, _person()), _("The invitation is sent."))


@bp.route("/groups/<int:group_id>/invitation/accept", methods=["POST"])
def accept_invitation(group_id: int) -> Response:
    return _membership(group_id, lambda: group_membership.answer_invitation(db.session, current_actor(), group_id, True), _("Welcome to the group."))


@bp.route("/groups/<int:group_id>/invitation/decline", methods=["POST"])
def decline_invitation(group_id: int) -> Response:
    if not valid_post():
        return expired()
    try:
        group_membership.answer_invitation(db.session, current_actor(), group_id, False)
    except RuleViolation as exc:
        return refused(exc)
    db.session.commit()
    flash(_("You declined the invitation."))
    return redirect(url_for("groups.index"), code=303)


@bp.route("/groups/<int:group_id>/members/remove", methods=["POST"])
def remove(group_id: int) -> Response:
    return _membership(group_id, lambda: group_membership.remove(db.session, current_actor(), group_id, _person()), _("The member is removed from the group."))
