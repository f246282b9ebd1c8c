"""The programme pages: setup, participants (roster sync, CSV import), matching with progress, review and
publish (trainers); profile and needs map, and the published tandem (participants)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.matching import MAX_CAPACITY, MAX_LEVEL
from plugin.extensions import db
from plugin.services import jobs, modules, programmes, proposals, roster, signoffs
from plugin.web.auth import current_actor
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm, choices

bp = Blueprint("programme", __name__)

MODES = {"trainer": _l("Trainer-run: Tandem proposes, you review and publish"), "choice": _l("Participants choose from suggestions; the other side accepts"), "manual": _l("Manual: you pair people yourself")}
CADENCES = {"weekly": _l("Weekly"), "fortnightly": _l("Every two weeks"), "monthly": _l("Monthly")}
SIDES = {Side.DIGITAL_MENTOR.value: _l("Digital mentor"), Side.SENIOR_EXPERT.value: _l("Senior expert")}
SOURCES = {"launch": _l("Opened Tandem"), "nrps": _l("Course roster"), "csv": _l("CSV import")}
REASONS = {
    "no_capacity": _l("Takes no partner this round (capacity 0)."),
    "no_partners": _l("Nobody on the other side takes partners."),
    "no_shared_language": _l("No partner shares a language."),
    "excluded_by_rules": _l("Vetoes and programme rules exclude every partner who shares a language."),
    "no_wants": _l("Wants to learn nothing the other side teaches."),
    "no_offers": _l("Offers nothing their side teaches."),
    "nothing_wanted_offered": _l("No eligible partner offers what they want to learn."),
    "nothing_offered_wanted": _l("No eligible partner wants what they offer."),
    "one_sided_only": _l("Eligible partners would only teach them or only learn from them, never both."),
    "partners_taken": _l("Every compatible partner is taken by pairs that add more to the total."),
    "no_profile": _l("Has not filled in a profile and needs map yet."),
    "removed_by_trainer": _l("Taken out of a pair by the trainer."),
    "not_paired_yet": _l("Not paired yet."),
}
REFUSALS = {
    "veto": _l("One of the two asked not to be paired with the other."),
    "earlier_pair": _l("The two were partners before, and the programme excludes earlier partners."),
    "reporting_line": _l("The two are in one reporting line, and the programme forbids that."),
    "no_shared_language": _l("The two share no language."),
    "capacity": _l("This would give someone more partners than they take."),
    "side": _l("A tandem pairs a digital mentor with a senior expert who both filled in their profile."),
    "nothing_to_learn": _l("In this pair at least one of the two would learn nothing from the other."),
    "duplicate": _l("This pair is already in the proposal."),
    "same_person": _l("These two pairs share a person; swapping changes nothing."),
    "duplicate_request": _l("You two were paired before in this programme."),
}
JOB_MESSAGES = {
    "fetching": _l("Fetching the course roster: %(members)s people so far (page %(pages)s)."),
    "synced": _l("Roster synchronised: %(members)s people, %(participants)s participants, %(added)s new to Tandem."),
    "unavailable": _l("The LMS did not answer with the roster. Nothing was changed; try again later or import a CSV file."),
    "loading": _l("Reading the profiles…"),
    "scoring": _l("Scoring every possible pair…"),
    "solving": _l("Finding the best pairs for the whole group…"),
    "explaining": _l("Explaining each pair…"),
    "matched": _l("Matching finished: %(pairs)s pairs proposed, %(unmatched)s people without a partner."),
    "error": _l("The job stopped because of an error on our side. Nothing was changed; please try again."),
}
FIELDS = {
    "side": _l("Choose your side: digital mentor or senior expert."),
    "languages": _l("Choose at least one language from the list."),
    "capacity": _l("Choose how many partners you can take."),
    "timezone": _l("Choose a time zone from the list."),
    "cadence": _l("Choose how often you want to meet."),
    "goals": _l("Your goals are too long."),
    "wishes": _l("Name at most three people of this programme you would like as partner."),
    "vetoes": _l("Choose people of this programme, and nobody you also wish for."),
    "manager": _l("Choose your manager from the list (not yourself)."),
    "needs": _l("Check the levels: the level you want must be above your level today."),
}



def _language() -> str:
    return str(get_locale() or "en")


def _catalogue() -> Any:
    return current_app.extensions["tandem_catalogue"]


@bp.app_context_processor
def programme_helpers() -> dict:
    return {"side_labels": SIDES, "reason_labels": REASONS, "competence_label": competence_label}


def competence_label(key: str) -> str:
    """``digcomp:2.6`` as people read it: ``DigComp 2.6 Managing digital identity``."""
    framework_id, _sep, competence_id = key.partition(":")
    framework = _catalogue().frameworks.get(framework_id)
    if framework is None:
        return key
    competence = framework.competences.get(competence_id)
    name = {"digcomp": "DigComp", "entrecomp": "EntreComp", "lifecomp": "LifeComp"}.get(framework_id, framework_id)
    return f"{name} {competence_id} {competence.title.get(_language()) if competence else ''}".strip()


def _level_names(framework_id: str) -> list[str]:
    framework = _catalogue().frameworks.get(framework_id)
    levels = framework.levels if framework else ()
    return [levels[i].name.get(_language()) if i < len(levels) else str(i + 1) for i in range(MAX_LEVEL)]


def _person_label(name: str | None, person_id: int) -> str:
    return name or _("Participant %(number)s", number=person_id)


# --- trainer: setup -------------------------------------------------------------------------------------


class SetupForm(TandemForm):
    matching_mode = RadioField(_l("Matching"), choices=choices(MODES.items()), default="trainer")
    shared_language = BooleanField(_l("Pair only people who share a language"), default=True)
    no_reporting_line = BooleanField(_l("Never pair people within one reporting line"), default=True)
    exclude_earlier = BooleanField(_l("Never pair earlier partners again"), default=True)
    default_capacity = IntegerField(_l("Usual number of partners per person"), validators=[InputRequired(), NumberRange(0, MAX_CAPACITY)], default=1)
    max_capacity = IntegerField(_l("Most partners per person"), validators=[InputRequired(), NumberRange(1, MAX_CAPACITY)], default=3)
    modules = SelectMultipleField(_l("Modules on offer (none chosen: every published module)"), choices=[], option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False), validate_choice=False)
    require_countersign = BooleanField(_l("A trainer countersigns every completed track"), default=False)


@bp.route("/programme/setup", methods=["GET", "POST"])
def setup() -> Response:
    actor = current_actor()
    programmes.require_trainer(actor)
    programme = programmes.find(db.session, actor)
    offered = {e.module.slug: e.module.title.get(_language()) for e in modules.entries(db.session, actor, _catalogue())}
    settings = programmes.settings_of(programme)
    form = SetupForm(data={**settings.__dict__, "modules": list(settings.modules)} if request.method == "GET" else None)
    form.modules.choices = choices(sorted(offered.items(), key=lambda kv: kv[1]))
    if not form.validate_on_submit():
        return make_response(render_template("programme/setup.html", form=form, programme=programme), 400 if form.is_submitted() else 200)
    try:
        programmes.save_settings(
            db.session,
            actor,
            programmes.Settings(
                form.matching_mode.data,
                form.shared_language.data,
                form.no_reporting_line.data,
                form.exclude_earlier.data,
                form.default_capacity.data,
                form.max_capacity.data,
                tuple(form.modules.data or ()),
                form.require_countersign.data,
            ),
            offered,
        )
    except RuleViolation as exc:
        db.session.rollback()
        getattr(form, exc.field or "matching_mode").errors = [_field_message(exc)]
        return make_response(render_template("programme/setup.html", form=form, programme=programme), 400)
    db.session.commit()
    flash(_("The programme is saved."))
    return redirect(url_for("programme.overview"), code=303)


def _field_message(exc: RuleViolation) -> str:
    messages = {
        "max_capacity": _("The most partners per person is between 1 and %(max)s.", max=MAX_CAPACITY),
        "default_capacity": _("The usual number of partners is between 0 and the most partners per person."),
        "modules": _("Choose modules your organisation offers."),
        "matching_mode": _("Choose a matching mode."),
    }
    return messages.get(exc.field or "", exc.message)


# --- trainer: overview, roster, CSV -------------------------------------------------------------------


class CsvForm(TandemForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import.")), FileAllowed(["csv", "txt"], _l("Upload a .csv file."))])


class RosterForm(TandemForm):
    role = RadioField(_l("Whom to bring in"), choices=choices([("Learner", _l("Learners only")), ("", _l("Everyone in the course"))]), default="Learner", validate_choice=True)


def _programme_or_setup() -> Any:
    actor = current_actor()
    programmes.require_trainer(actor)
    return actor, programmes.find(db.session, actor)


@bp.route("/programme")
def overview() -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        return redirect(url_for("programme.setup"), code=303)
    people = programmes.members(db.session, actor, programme)
    proposal = proposals.current(db.session, actor, programme)
    return make_response(
        render_template(
            "programme/overview.html",
            programme=programme,
            people=people,
            ready=sum(1 for p in people if p.ready),
            proposal=proposal,
            roster_form=RosterForm(),
            csv_form=CsvForm(),
            mode_label=MODES.get(programme.matching_mode),
            sources=SOURCES,
            course=programmes.course_title(db.session, actor),
            person_label=_person_label,
        )
    )


def _runner() -> Any:
    return current_app.extensions["tandem_jobs"]


@bp.route("/programme/roster/sync", methods=["POST"])
def roster_sync() -> Response:
    actor, programme = _programme_or_setup()
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
    _runner().submit(job_id, lambda s: roster.sync_roster(s, job_id, programme_id, source.pages(role=role)))
    return redirect(url_for("programme.job", job_id=job_id), code=303)


@bp.route("/programme/roster/import", methods=["GET", "POST"])
def roster_import() -> Response:
    actor, programme = _programme_or_setup()
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


# --- jobs -----------------------------------------------------------------------------------------------


def _job_view(job_id: int) -> jobs.JobView:
    actor, programme = _programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    return jobs.view(db.session, actor, job_id, programme.id)


def job_text(view: jobs.JobView) -> str:
    message = dict(view.message)
    template = JOB_MESSAGES.get(message.pop("key", ""), None)
    if template is None:
        return _("Waiting to start…")
    try:
        return str(template) % {k: v for k, v in message.items()}
    except (KeyError, TypeError, ValueError):
        return str(template)


def _job_next(view: jobs.JobView) -> str:
    if view.kind == "match" and view.status == jobs.DONE:
        return url_for("programme.proposal")
    return url_for("programme.overview")


@bp.route("/programme/jobs/<int:job_id>")
def job(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    return make_response(render_template("programme/job.html", job=view, text=job_text(view), next_url=_job_next(view)))


@bp.route("/programme/jobs/<int:job_id>.json")
def job_json(job_id: int) -> Response:
    view = _job_view(job_id)
    db.session.commit()
    return jsonify({**view.as_json(), "text": job_text(view), "next": _job_next(view)})


# --- matching and review --------------------------------------------------------------------------------


@bp.route("/programme/match", methods=["POST"])
def run_match() -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    job_id = proposals.start(db.session, actor, programme)
    db.session.commit()
    programme_id = programme.id

    def work(s: Any) -> int:
        return proposals.run(s, job_id, programme_id, jobs.stage_reporter(s, job_id))

    _runner().submit(job_id, work)
    return redirect(url_for("programme.job", job_id=job_id), code=303)


@bp.route("/programme/manual", methods=["POST"])
def start_manual() -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    if not TandemForm().validate_on_submit():
        return render_error(400, _l("This form has expired. Reload the page and try again."))
    proposals.start_manual(db.session, actor, programme)
    db.session.commit()
    return redirect(url_for("programme.proposal"), code=303)


class PairForm(TandemForm):
    pair = StringField(validators=[InputRequired()])


class SwapForm(TandemForm):
    first = SelectField(_l("First pair"), choices=[], validate_choice=False)
    second = SelectField(_l("Second pair"), choices=[], validate_choice=False)


class AddForm(TandemForm):
    digital = SelectField(_l("Digital mentor"), choices=[], validate_choice=False)
    expert = SelectField(_l("Senior expert"), choices=[], validate_choice=False)


def _split_pair(value: str | None) -> tuple[str, str]:
    digital, _sep, expert = (value or "").partition("-")
    if not digital.isdigit() or not expert.isdigit():
        raise NotFound("no such pair")
    return digital, expert


def _review(status: int = 200, refusal: str | None = None) -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        return redirect(url_for("programme.setup"), code=303)
    proposal = proposals.current(db.session, actor, programme)
    ids: set[int] = set()
    if proposal is not None:
        ids = {int(p["digital"]) for p in proposal.pairs} | {int(p["expert"]) for p in proposal.pairs} | {int(k) for k in proposal.unmatched}
    who = proposals.names(db.session, actor, ids)
    label = lambda pid: _person_label(who.get(int(pid)), int(pid))  # noqa: E731
    swap, add = SwapForm(), AddForm()
    if proposal is not None:
        options = [(f"{p['digital']}-{p['expert']}", f"{label(p['digital'])} ⇄ {label(p['expert'])}") for p in proposal.pairs]
        swap.first.choices = choices(options)
        swap.second.choices = choices(options[1:] + options[:1])
        people, _missing = proposals.people_of(db.session, programme)
        add.digital.choices = choices((p.id, label(p.id)) for p in people if p.side is Side.DIGITAL_MENTOR)
        add.expert.choices = choices((p.id, label(p.id)) for p in people if p.side is Side.SENIOR_EXPERT)
    db.session.commit()
    return make_response(
        render_template("programme/review.html", programme=programme, proposal=proposal, label=label, swap=swap, add=add, pair_form=PairForm(), refusal=refusal),
        status,
    )


@bp.route("/programme/proposal")
def proposal() -> Response:
    return _review()


def _edit(action: Any) -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    try:
        action(actor, programme)
    except proposals.PairRefused as exc:
        db.session.rollback()
        return _review(400, str(REFUSALS.get(exc.reason, exc.message)))
    db.session.commit()
    return redirect(url_for("programme.proposal"), code=303)


@bp.route("/programme/proposal/<int:proposal_id>/remove", methods=["POST"])
def remove(proposal_id: int) -> Response:
    form = PairForm()
    if not form.validate_on_submit():
        return render_error(400)
    flash(_("The pair was taken out of the proposal."))
    return _edit(lambda actor, programme: proposals.remove_pair(db.session, actor, programme, proposal_id, *_split_pair(form.pair.data)))


@bp.route("/programme/proposal/<int:proposal_id>/swap", methods=["POST"])
def swap(proposal_id: int) -> Response:
    form = SwapForm()
    if not form.validate_on_submit():
        return render_error(400)
    flash(_("The partners of the two pairs were swapped."))
    return _edit(lambda actor, programme: proposals.swap(db.session, actor, programme, proposal_id, _split_pair(form.first.data), _split_pair(form.second.data)))


@bp.route("/programme/proposal/<int:proposal_id>/add", methods=["POST"])
def add(proposal_id: int) -> Response:
    form = AddForm()
    if not form.validate_on_submit() or not (form.digital.data or "").isdigit() or not (form.expert.data or "").isdigit():
        return render_error(400, _l("Choose a digital mentor and a senior expert."))
    flash(_("The pair was added to the proposal."))
    return _edit(lambda actor, programme: proposals.add_pair(db.session, actor, programme, proposal_id, form.digital.data, form.expert.data))


@bp.route("/programme/proposal/<int:proposal_id>/publish", methods=["GET", "POST"])
def publish(proposal_id: int) -> Response:
    actor, programme = _programme_or_setup()
    if programme is None:
        raise NotFound("no programme")
    draft = proposals.current(db.session, actor, programme)
    if draft is None or draft.id != proposal_id:
        raise NotFound("no such proposal")
    form = TandemForm()
    if request.method == "GET" or not form.validate_on_submit():
        db.session.commit()
        return make_response(render_template("programme/publish.html", proposal=draft, form=form), 400 if form.is_submitted() else 200)
    try:
        count = proposals.publish(db.session, actor, programme, proposal_id)
    except proposals.PairRefused as exc:
        db.session.rollback()
        return _review(400, str(REFUSALS.get(exc.reason, exc.message)))
    db.session.commit()
    flash(_("Published: %(count)s tandems can now see their partner.", count=count))
    return redirect(url_for("programme.overview"), code=303)


# --- participants ---------------------------------------------------------------------------------------


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

    language = _language()
    return sorted(((code, Locale(code).get_display_name(language) or code) for code in programmes.LANGUAGES), key=lambda kv: kv[1].lower())


def _needs_sections(side: Side | None, needs: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The needs map grouped for the page: what my side teaches (offer) and what the other teaches (want)."""
    sections = []
    catalogue = _catalogue()
    for framework_id in ("digcomp", "entrecomp", "lifecomp"):
        framework = catalogue.frameworks.get(framework_id)
        if framework is None:
            continue
        teacher = Side.DIGITAL_MENTOR if framework_id == "digcomp" else Side.SENIOR_EXPERT
        mode = None if side is None else ("offer" if teacher is side else "want")
        areas = []
        for area in framework.areas:
            rows = []
            for competence in area.competences:
                key = f"{framework_id}:{competence.id}"
                rows.append({"key": key, "field": key.replace(":", "-").replace(".", "_"), "label": competence_label(key), "description": competence.description.get(_language()), "values": needs.get(key, {})})
            areas.append({"title": area.title.get(_language()), "rows": rows})
        sections.append({"framework": framework_id, "title": framework.title.get(_language()), "teacher": teacher.value, "mode": mode, "areas": areas, "levels": _level_names(framework_id)})
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
        data = {"capacity": programme.default_capacity, "languages": [_language()]}
    form = ProfileForm(data=data)
    form.languages.choices = choices(_language_choices())
    form.timezone.choices = choices([("", _("Choose a time zone")), *((tz, tz) for tz in sorted(programmes.timezones()))])
    person_choices = [("", _("Nobody"))] + [(str(c.person_id), _person_label(c.name, c.person_id)) for c in people]
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


class RespondForm(TandemForm):
    response = StringField(validators=[InputRequired()])


@bp.route("/tandem")
def my_tandem() -> Response:
    actor = current_actor()
    mine = proposals.my_tandems(db.session, actor)
    network = proposals.my_network(db.session, actor)
    programme = programmes.find(db.session, actor)
    suggested = proposals.suggestions(db.session, actor) if programme is not None and programme.matching_mode == "choice" else None
    db.session.commit()

    def label_for(tandem: proposals.MyTandem) -> Any:
        names = {str(actor.person_id): _("you"), str(tandem.partner_id): _person_label(tandem.partner_name, tandem.partner_id)}
        return lambda pid: names.get(str(pid), _person_label(None, int(pid)))

    return make_response(render_template("programme/tandem.html", tandems=mine, network=network, suggested=suggested, form=RespondForm(), person_label=_person_label, label_for=label_for, me=str(actor.person_id)))


@bp.route("/tandem/request", methods=["POST"])
def request_partner() -> Response:
    actor = current_actor()
    form = RespondForm()
    if not form.validate_on_submit() or not (form.response.data or "").isdigit():
        return render_error(400)
    try:
        proposals.request_partner(db.session, actor, int(form.response.data))
    except proposals.PairRefused as exc:
        db.session.rollback()
        return render_error(409, REFUSALS.get(exc.reason, _l("This person is not one of your possible partners any more.")))
    db.session.commit()
    flash(_("Your request was sent. Your tandem starts when the other person accepts."))
    return redirect(url_for("programme.my_tandem"), code=303)


@bp.route("/tandem/<int:tandem_id>/respond", methods=["POST"])
def respond(tandem_id: int) -> Response:
    actor = current_actor()
    form = RespondForm()
    if not form.validate_on_submit():
        return render_error(400)
    status = proposals.respond(db.session, actor, tandem_id, form.response.data)
    db.session.commit()
    flash({"active": _("You both accepted: your tandem has started."), "declined": _("You declined this pairing; your trainer will see it.")}.get(status) or (_("Your partner sees that you would like a virtual coffee first.") if form.response.data == "coffee" else _("You accepted. Waiting for your partner.")))
    return redirect(url_for("programme.my_tandem"), code=303)


@bp.route("/programme/grades")
def grades() -> Response:
    """Per learner and module: is the score in the gradebook (synced), waiting to send, or failed and why."""
    actor = current_actor()
    rows = signoffs.grade_overview(db.session, actor)
    db.session.commit()
    catalogue = _catalogue()
    titles = {m.slug: m.title.get(_language()) for m in catalogue.latest()}
    return make_response(render_template("programme/grades.html", rows=rows, titles=titles, person_label=_person_label))
