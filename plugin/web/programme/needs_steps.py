"""The needs map's quick start (a short self-check that pre-fills it) and its steps, one per framework
area, each saved on its own and redirecting to the next step (POST-redirect-GET)."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.needs_map import AREAS_BY_SLUG
from plugin.domain.self_check import themes_for
from plugin.extensions import db
from plugin.services import profiles
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm
from plugin.web.programme.blueprint import bp, catalogue, competence_label, language
from plugin.web.programme.profile_nav import ANSWERS, QUESTIONS, levels, neighbours, own_scale_note, progress, side_of

NO_PROGRAMME = _l("Your trainer has not set up the mentoring programme of this course yet. Come back later.")
PARTS = ("offer", "current", "want")


def field_name(part: str, key: str) -> str:
    """``offer``, ``digcomp:2.6`` -> ``offer-digcomp-2_6`` (form field names and ids)."""
    return f"{part}-{key.replace(':', '-').replace('.', '_')}"


def _mine() -> tuple[Any, Any, Any] | Response:
    actor = current_actor()
    try:
        programme, row = profiles.my_profile(db.session, actor)
    except NotFound:
        return render_error(404, NO_PROGRAMME)
    if side_of(row) is None:
        return redirect(url_for("programme.profile_basics"), code=303)
    return actor, programme, row


@bp.route("/profile/quick-start", methods=["GET", "POST"])
def profile_quick_start() -> Response:
    mine = _mine()
    if isinstance(mine, Response):
        return mine
    actor, _programme, row = mine
    side = side_of(row)
    form = TandemForm()
    back, forward = neighbours(side, "quick-start")
    questions = [
        {"id": t.id, "question": QUESTIONS[t.id][0], "hint": QUESTIONS[t.id][1], "teach": t.taught_by is side}
        for t in themes_for(side)
    ]  # fmt: skip
    answers = {q["id"]: request.form.get(q["id"], "") for q in questions}

    def page(status: int, error: str | None = None, error_id: str | None = None) -> Response:
        return make_response(
            render_template(
                "programme/profile_quick_start.html", form=form, questions=questions, answer_labels=ANSWERS, answers=answers, error=error, error_id=error_id,
                progress=progress(side, "quick-start"), back=back, forward=forward, has_needs=bool(row.needs),
            ),
            status,
        )  # fmt: skip

    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        return page(400, _("This form has expired. Reload the page and try again."))
    try:
        profiles.save_self_check(db.session, actor, answers)
    except RuleViolation as exc:
        db.session.rollback()
        if exc.field in QUESTIONS:
            return page(400, _("Answer every question: %(question)s", question=QUESTIONS[exc.field][0]), exc.field)
        return page(400, exc.message)
    db.session.commit()
    flash(_("Your answers filled in the needs map. Check each step and change what does not fit you."))
    return redirect(forward.url, code=303)


def _rows(area: Any, mode: str, values: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    framework = catalogue().frameworks.get(area.framework)
    rows = []
    for key in area.keys:
        competence = framework.competences.get(key.partition(":")[2]) if framework else None
        rows.append({
            "key": key, "label": competence_label(key), "description": competence.description.get(language()) if competence else "",
            "fields": {part: field_name(part, key) for part in PARTS}, "values": values.get(key, {}),
        })  # fmt: skip
    return rows


def _read(area: Any) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, Any]], str | None]:
    """The submitted levels of one area, the raw values to show again when they are refused, and the
    first competence whose level is no number (None when all are)."""
    entries: dict[str, dict[str, int]] = {}
    raw: dict[str, dict[str, Any]] = {}
    bad: str | None = None
    for key in area.keys:
        for part in PARTS:
            value = request.form.get(field_name(part, key), "").strip()
            if not value:
                continue
            number = value.isascii() and value.isdigit()  # str.isdigit alone takes "²", which int() refuses
            raw.setdefault(key, {})[part] = int(value) if number else value
            if number:
                entries.setdefault(key, {})[part] = int(value)
            elif bad is None:
                bad = key
    return entries, raw, bad


@bp.route("/profile/needs/<slug>", methods=["GET", "POST"])
def profile_step(slug: str) -> Response:
    area = AREAS_BY_SLUG.get(slug)
    if area is None:
        abort(404)
    mine = _mine()
    if isinstance(mine, Response):
        return mine
    actor, _programme, row = mine
    side = side_of(row)
    mode = "offer" if area.taught_by is side else "want"
    form = TandemForm()
    back, forward = neighbours(side, slug)
    values: dict[str, dict[str, Any]] = row.needs or {}

    def page(status: int, error: str | None = None, error_key: str | None = None) -> Response:
        return make_response(
            render_template(
                "programme/profile_step.html", form=form, area=area, mode=mode, rows=_rows(area, mode, values), levels=levels(area.framework),
                scale_note=own_scale_note(area.framework), error=error, error_key=error_key, progress=progress(side, slug), back=back, forward=forward,
            ),
            status,
        )  # fmt: skip

    if request.method == "GET":
        return page(200)
    if not form.validate_on_submit():
        return page(400, _("This form has expired. Reload the page and try again."))
    entries, values, bad = _read(area)
    try:
        if bad is not None:
            raise RuleViolation(f"{bad}: levels are numbers", f"needs.{bad}")
        profiles.save_area(db.session, actor, slug, entries)
    except RuleViolation as exc:
        db.session.rollback()
        key = (exc.field or "").partition(".")[2] or None
        message = _("Check the levels of %(competence)s: choose them from the lists; the level you want must be above your level today.", competence=competence_label(key)) if key else exc.message
        return page(400, message, key)
    db.session.commit()
    flash(_("Saved: %(step)s.", step=progress(side, slug)["current"].title))
    target = back if request.form.get("go") == "back" else forward
    return redirect(target.url, code=303)
