"""The trainer's programme overview, the roster pulled over NRPS and the CSV import."""

from __future__ import annotations

import json

from flask import Response, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField

from lti.claims import nrps_memberships_url
from plugin.domain.errors import NotFound
from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.services import homes, launches, programmes, proposals, roster
from plugin.services.launches import Actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices
from plugin.web.programme.blueprint import bp, person_label, programme_or_setup, runner
from plugin.web.programme.labels import MODES, SOURCES
from plugin.web.programme.progress import job_text


class CsvForm(TandemForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import.")), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])


class RosterForm(TandemForm):
    role = RadioField(_l("Whom to bring in"), choices=choices([("Learner", _l("Learners only")), ("", _l("Everyone in the course"))]), default="Learner", validate_choice=True)


def _roster_offered(actor: Actor) -> bool | None:
    """Whether this launch lets Tandem pull the course roster (NRPS); None when the launch has ended."""
    raw = launches.launch_data(db.session, actor, session.get("launch_id", ""))
    if raw is None:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return False
    return isinstance(body, dict) and nrps_memberships_url(body) is not None


@bp.route("/programme")
def overview() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        return redirect(url_for("programme.setup"), code=303)
    state = homes.programme_state(db.session, actor, utcnow().date())
    people = programmes.members(db.session, actor, programme)
    proposal = proposals.current(db.session, actor, programme)
    roster_offered = _roster_offered(actor)
    db.session.commit()
    return make_response(
        render_template(
            "programme/overview.html",
            programme=programme,
            state=state,
            people=people,
            roster_offered=roster_offered,
            roster_outcome=job_text(state.last_roster) if state.last_roster is not None else None,
            proposal=proposal,
            roster_form=RosterForm(),
            csv_form=CsvForm(),
            mode_label=MODES.get(programme.matching_mode),
            sources=SOURCES,
            course=programmes.course_title(db.session, actor),
            person_label=person_label,
        )
    )


@bp.route("/programme/roster/sync", methods=["POST"])
def roster_sync() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    form = RosterForm()
    if not form.validate_on_submit():
        return render_error(400, _l("Choose whom to bring in."))
    from lti.nrps import roster_for_launch

    try:
        source = roster_for_launch(db.session, session.get("launch_id", ""), actor)
    except NotFound:
        db.session.rollback()
        return render_error(409, _l("Your launch of Tandem has ended. Open Tandem again from the course, then pull the roster."))
    if source is None:
        return render_error(409, _l("Your LMS did not share the course roster with Tandem (no Names and Role service in this launch). Import a CSV file instead."))
    job_id = roster.start_sync(db.session, actor, programme)
    db.session.commit()
    role = form.role.data or None
    programme_id = programme.id
    runner().submit(job_id, lambda s: roster.sync_roster(s, job_id, programme_id, source.pages(role=role)))
    return redirect(url_for("programme.job", job_id=job_id), code=303)


@bp.route("/programme/roster/import", methods=["GET", "POST"])
def roster_import() -> Response:
    actor, programme = programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    form = CsvForm()
    if not form.validate_on_submit():
        return make_response(render_template("programme/import.html", form=form, problems=None, columns=roster.CSV_COLUMNS), 400 if form.is_submitted() else 200)
    try:
        report = roster.import_csv(db.session, actor, programme, form.file.data.read(roster.MAX_CSV_BYTES + 1))
    except roster.CsvRejected as exc:
        db.session.rollback()
        return make_response(render_template("programme/import.html", form=form, problems=exc.problems, columns=roster.CSV_COLUMNS), 400)
    db.session.commit()
    flash(_("Imported %(count)s participants (%(added)s new to Tandem).", count=report.participants, added=report.added))
    return redirect(url_for("programme.overview"), code=303)
