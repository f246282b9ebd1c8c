"""A participant's profile and needs map."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.matching import MAX_CAPACITY
from plugin.extensions import db
from plugin.services import programmes
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.programme.blueprint import bp, catalogue, competence_label, language, level_names, person_label
from plugin.web.programme.labels import CADENCES, FIELDS, SIDES


class ProfileForm(TandemForm):
    side = RadioField(_l("I take part as"), choices=choices(SIDES.items()), validators=[InputRequired(_l("Choose your side: digital mentor or senior expert."))])
    languages = SelectMultipleField(_l("Languages I can mentor in"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    capacity = IntegerField(_l("How many partners I can take"), validators=[InputRequired(), NumberRange(0, MAX_CAPACITY)], default=1)
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    cadence = SelectField(_l("How often I would like to meet"), choices=choices([("", _l("No preference")), *CADENCES.items()]), validate_choice=False)
    department = StringField(_l("Department (optional)"), validators=[Optional()])
    manager = SelectField(_l("My manager (optional, so Tandem never pairs people within one reporting line)"), choices=[], validate_choice=False)
    goals = TextAreaField(_l("My goals"), validators=[Optional()])
    wish1 = SelectField(_l("First person I would like as partner"), choices=[], validate_choice=False)
    wish2 = SelectField(_l("Second person I would like as partner"), choices=[], validate_choice=False)
    wish3 = SelectField(_l("Third person I would like as partner"), choices=[], validate_choice=False)
    vetoes = SelectMultipleField(_l("People I must not be paired with"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)


def _language_choices() -> list[tuple[str, str]]:
    from babel import Locale

    lang = language()
    return sorted(((code, Locale(code).get_display_name(lang) or code) for code in programmes.LANGUAGES), key=lambda kv: kv[1].lower())


def _needs_sections(side: Side | None, needs: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The needs map grouped for the page: what my side teaches (offer) and what the other teaches (want)."""
    sections = []
    shipped = catalogue()
    for framework_id in ("digcomp", "entrecomp", "lifecomp"):
        framework = shipped.frameworks.get(framework_id)
        if framework is None:
            continue
        teacher = Side.DIGITAL_MENTOR if framework_id == "digcomp" else Side.SENIOR_EXPERT
        mode = None if side is None else ("offer" if teacher is side else "want")
        areas = []
        for area in framework.areas:
            rows = []
            for competence in area.competences:
                key = f"{framework_id}:{competence.id}"
                rows.append({"key": key, "field": key.replace(":", "-").replace(".", "_"), "label": competence_label(key), "description": competence.description.get(language()), "values": needs.get(key, {})})
            areas.append({"title": area.title.get(language()), "rows": rows})
        sections.append({"framework": framework_id, "title": framework.title.get(language()), "teacher": teacher.value, "mode": mode, "areas": areas, "levels": level_names(framework_id)})
    return sections


def _read_needs() -> dict[str, dict[str, int]]:
    needs: dict[str, dict[str, int]] = {}
    for key in programmes.TEACHES[Side.DIGITAL_MENTOR] + programmes.TEACHES[Side.SENIOR_EXPERT]:
        field = key.replace(":", "-").replace(".", "_")
        entry = {}
        for part in ("offer", "want", "current"):
            raw = request.form.get(f"{part}-{field}", "")
            if raw:
                if not raw.isdigit():
                    raise RuleViolation("levels are numbers", f"needs.{key}")
                entry[part] = int(raw)
        if entry:
            needs[key] = entry
    return needs


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Response:
    actor = current_actor()
    try:
        programme, row = programmes.my_profile(db.session, actor)
    except NotFound:
        return render_error(404, _l("Your trainer has not set up the mentoring programme of this course yet. Come back later."))
    people = programmes.choices(db.session, actor, programme)
    data = None
    if request.method == "GET" and row is not None:
        wishes = list(row.wishes or []) + ["", "", ""]
        data = {
            "side": row.side, "languages": row.languages, "capacity": row.capacity, "timezone": row.timezone or "", "cadence": row.cadence or "",
            "department": row.department or "", "manager": str(row.manager_person_id or ""), "goals": row.goals,
            "wish1": str(wishes[0]), "wish2": str(wishes[1]), "wish3": str(wishes[2]), "vetoes": [str(v) for v in row.vetoes or []],
        }  # fmt: skip
    elif request.method == "GET":
        data = {"capacity": programme.default_capacity, "languages": [language()]}
    form = ProfileForm(data=data)
    form.languages.choices = choices(_language_choices())
    form.timezone.choices = choices([("", _("Choose a time zone")), *((tz, tz) for tz in sorted(programmes.timezones()))])
    person_choices = [("", _("Nobody"))] + [(str(c.person_id), person_label(c.name, c.person_id)) for c in people]
    form.manager.choices = choices(person_choices)
    for name in ("wish1", "wish2", "wish3"):
        getattr(form, name).choices = choices(person_choices)
    form.vetoes.choices = choices(person_choices[1:])
    side = Side(row.side) if row is not None and row.side else None
    if request.method == "POST" and form.side.data in SIDES:
        side = Side(form.side.data)
    needs = (row.needs if row is not None else {}) or {}

    def page(status: int, error_field: str | None = None, values: dict | None = None) -> Response:
        return make_response(
            render_template("programme/profile.html", form=form, sections=_needs_sections(side, values if values is not None else needs), side=side, error_field=error_field, programme=programme),
            status,
        )

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    submitted: dict[str, dict[str, int]] = {}
    try:
        submitted = _read_needs()
        to_int = lambda v: int(v) if v and str(v).isdigit() else None  # noqa: E731
        programmes.save_profile(
            db.session,
            actor,
            programmes.Profile(
                side=form.side.data,
                languages=tuple(form.languages.data or ()),
                capacity=form.capacity.data,
                needs=submitted,
                goals=form.goals.data or "",
                timezone=form.timezone.data or None,
                cadence=form.cadence.data or None,
                department=form.department.data or None,
                manager_person_id=to_int(form.manager.data),
                wishes=tuple(w for w in (to_int(form.wish1.data), to_int(form.wish2.data), to_int(form.wish3.data)) if w is not None),
                vetoes=tuple(v for v in (to_int(x) for x in form.vetoes.data or ()) if v is not None),
            ),
        )
    except RuleViolation as exc:
        db.session.rollback()
        field = (exc.field or "side").split(".")[0]
        target = {"wishes": "wish1", "manager": "manager", "needs": None}.get(field, field)
        if target and hasattr(form, target):
            getattr(form, target).errors = [str(FIELDS.get(field, exc.message))]
        else:
            form.form_errors.append(str(FIELDS.get(field, exc.message)) + (f" ({competence_label(exc.field.split('.', 1)[1])})" if exc.field and "." in exc.field else ""))
        return page(400, field, submitted)
    db.session.commit()
    flash(_("Your profile and needs map are saved."))
    return redirect(url_for("programme.profile"), code=303)
