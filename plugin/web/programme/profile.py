"""A participant's profile and needs map in steps: the basics, (the quick start and one step per framework
area: :mod:`plugin.web.programme.needs_steps`), goals and wishes, and the summary that says whether the
profile is ready for matching. Every step is saved on its own and redirects to the next (POST-redirect-GET)."""

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
from plugin.services import profiles, programmes
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.programme import needs_steps  # noqa: F401 - registers the quick start and the area steps
from plugin.web.programme.blueprint import bp, competence_label, language, person_label
from plugin.web.programme.labels import CADENCES, FIELDS, SIDES
from plugin.web.programme.profile_nav import MISSING, fix_url, levels, neighbours, progress, side_of

NO_PROGRAMME = _l("Your trainer has not set up the mentoring programme of this course yet. Come back later.")


class BasicsForm(TandemForm):
    side = RadioField(_l("I take part as"), choices=choices(SIDES.items()), validators=[InputRequired(_l("Choose your side: digital mentor or senior expert."))])
    languages = SelectMultipleField(_l("Languages I can mentor in"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    capacity = IntegerField(_l("How many partners I can take"), validators=[InputRequired(_l("Choose how many partners you can take.")), NumberRange(0, MAX_CAPACITY)], default=1)
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    cadence = SelectField(_l("How often I would like to meet"), choices=choices([("", _l("No preference")), *CADENCES.items()]), validate_choice=False)
    region = StringField(_l("Region or country where I work (optional)"), validators=[Optional()])


class GoalsForm(TandemForm):
    goals = TextAreaField(_l("My goals"), validators=[Optional()])
    wish1 = SelectField(_l("First person I would like as partner"), choices=[], validate_choice=False)
    wish2 = SelectField(_l("Second person I would like as partner"), choices=[], validate_choice=False)
    wish3 = SelectField(_l("Third person I would like as partner"), choices=[], validate_choice=False)
    vetoes = SelectMultipleField(_l("People I must not be paired with"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    department = StringField(_l("Department (optional)"), validators=[Optional()])
    manager = SelectField(_l("My manager (optional, so Tandem never pairs people within one reporting line)"), choices=[], validate_choice=False)


def _language_choices() -> list[tuple[str, str]]:
    from babel import Locale

    lang = language()
    return sorted(((code, Locale(code).get_display_name(lang) or code) for code in programmes.LANGUAGES), key=lambda kv: kv[1].lower())


def _mine() -> tuple[Any, Any, Any] | Response:
    actor = current_actor()
    try:
        programme, row = profiles.my_profile(db.session, actor)
    except NotFound:
        return render_error(404, NO_PROGRAMME)
    return actor, programme, row


def _refused(form: TandemForm, exc: RuleViolation, fields: dict[str, str]) -> None:
    db.session.rollback()
    name = (exc.field or "").split(".")[0]
    message = str(FIELDS.get(name, exc.message))
    target = fields.get(name, name)
    if target and target in form._fields:
        form[target].errors = [message]
    else:
        form.form_errors.append(message)


@bp.route("/profile")
def profile() -> Response:
    """The summary: what the profile holds, whether it is ready for matching, and what is missing."""
    mine = _mine()
    if isinstance(mine, Response):
        return mine
    _actor, programme, row = mine
    side = side_of(row)
    if side is None:
        return redirect(url_for("programme.profile_basics"), code=303)
    summary = profiles.summary(row)
    framework_of = {key: key.partition(":")[0] for key in [*summary.offers, *summary.wants]}
    level_name = {fw: {lv["number"]: lv["name"] for lv in levels(fw)} for fw in set(framework_of.values())}
    missing = [(str(MISSING[m]), fix_url(side, m)) for m in summary.missing]
    return make_response(
        render_template(
            "programme/profile_summary.html", row=row, side=side, summary=summary, missing=missing, level_name=level_name, framework_of=framework_of,
            progress=progress(side, "summary"), back=neighbours(side, "summary")[0], language_names=dict(_language_choices()), cadences=CADENCES,
            competence_label=competence_label, programme=programme,
        )
    )  # fmt: skip


@bp.route("/profile/basics", methods=["GET", "POST"])
def profile_basics() -> Response:
    mine = _mine()
    if isinstance(mine, Response):
        return mine
    actor, programme, row = mine
    data = None
    if request.method == "GET" and row is not None and row.side:
        data = {"side": row.side, "languages": row.languages or [language()], "capacity": row.capacity, "timezone": row.timezone or "", "cadence": row.cadence or "", "region": row.region or ""}
    elif request.method == "GET":
        data = {"capacity": programme.default_capacity, "languages": [language()]}
    form = BasicsForm(data=data)
    form.languages.choices = choices(_language_choices())
    form.timezone.choices = choices([("", _("Choose a time zone")), *((tz, tz) for tz in sorted(programmes.timezones()))])
    side = side_of(row)

    def page(status: int) -> Response:
        return make_response(render_template("programme/profile_basics.html", form=form, programme=programme, progress=progress(side, "basics")), status)

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    try:
        row, cleared = profiles.save_basics(
            db.session, actor,
            profiles.Basics(side=form.side.data, languages=tuple(form.languages.data or ()), capacity=form.capacity.data,
                            timezone=form.timezone.data or None, cadence=form.cadence.data or None, region=form.region.data or None),
        )  # fmt: skip
    except RuleViolation as exc:
        _refused(form, exc, {})
        return page(400)
    empty = not row.needs
    db.session.commit()
    if cleared:
        flash(_("Saved. You changed your side, so your needs map starts afresh: the quick start fills it in a minute."))
    else:
        flash(_("Saved: about you."))
    if empty:
        return redirect(url_for("programme.profile_quick_start"), code=303)
    return redirect(neighbours(Side(row.side), "quick-start")[1].url, code=303)


@bp.route("/profile/goals", methods=["GET", "POST"])
def profile_goals() -> Response:
    mine = _mine()
    if isinstance(mine, Response):
        return mine
    actor, programme, row = mine
    side = side_of(row)
    if side is None:
        return redirect(url_for("programme.profile_basics"), code=303)
    data = None
    if request.method == "GET":
        wishes = list(row.wishes or []) + ["", "", ""]
        data = {"goals": row.goals, "wish1": str(wishes[0]), "wish2": str(wishes[1]), "wish3": str(wishes[2]), "vetoes": [str(v) for v in row.vetoes or []],
                "department": row.department or "", "manager": str(row.manager_person_id or "")}  # fmt: skip
    form = GoalsForm(data=data)
    people = programmes.choices(db.session, actor, programme)
    person_choices = [("", _("Nobody"))] + [(str(c.person_id), person_label(c.name, c.person_id)) for c in people]
    form.manager.choices = choices(person_choices)
    for name in ("wish1", "wish2", "wish3"):
        form[name].choices = choices(person_choices)
    form.vetoes.choices = choices(person_choices[1:])
    back, _next = neighbours(side, "goals")

    def page(status: int) -> Response:
        return make_response(render_template("programme/profile_goals.html", form=form, programme=programme, progress=progress(side, "goals"), back=back), status)

    if not form.validate_on_submit():
        return page(400 if form.is_submitted() else 200)
    def to_int(value: Any) -> int | None:
        """A chosen person's id; anything else that is not empty is an id nobody has (so refused)."""
        if not value:
            return None
        text = str(value)
        return int(text) if text.isascii() and text.isdigit() and int(text) < 2**31 else -1

    try:
        profiles.save_goals(
            db.session, actor,
            profiles.Goals(
                goals=form.goals.data or "", department=form.department.data or None, manager_person_id=to_int(form.manager.data),
                wishes=tuple(w for w in (to_int(form.wish1.data), to_int(form.wish2.data), to_int(form.wish3.data)) if w is not None),
                vetoes=tuple(v for v in (to_int(x) for x in form.vetoes.data or ()) if v is not None),
            ),
        )  # fmt: skip
    except RuleViolation as exc:
        _refused(form, exc, {"wishes": "wish1"})
        return page(400)
    db.session.commit()
    flash(_("Saved: goals, wishes and reporting line."))
    if request.form.get("go") == "back":
        return redirect(back.url, code=303)
    return redirect(url_for("programme.profile"), code=303)
