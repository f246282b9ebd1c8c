"""The module catalogue: browse, read, export, and (trainers) upload, publish and withdraw modules."""

from __future__ import annotations

import os

from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from plugin.domain.catalogue import Catalogue, CatalogueError
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.roles import Role
from plugin.extensions import db
from plugin.services import modules
from plugin.services.launches import Actor
from plugin.web import catalogue_present as present
from plugin.web.auth import NoLaunch, current_actor
from plugin.web.catalogue_errors import explain
from plugin.web.errors import render_error
from plugin.web.forms import TandemForm

bp = Blueprint("catalogue", __name__, url_prefix="/modules")

MAX_UPLOAD = 256 * 1024


def _choices(anything: object, labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", anything)] + [SelectChoice(value, label) for value, label in labels.items()]


class FilterForm(TandemForm):
    """The catalogue filters: a GET form, so a filtered catalogue has a URL to share (no CSRF needed)."""

    class Meta(TandemForm.Meta):
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    side = SelectField(_l("Track taught by"), choices=_choices(_l("Either side"), present.SIDES), default="")
    function = SelectField(_l("Mentor function"), choices=_choices(_l("Any mentor function"), present.MENTOR_FUNCTIONS), default="")
    # rendered by the template (competences the offered modules use, grouped by framework)
    competence = SelectField(_l("Competence"), choices=[], validate_choice=False, default="")

    def __init__(self, competences: set[str], **kwargs: object) -> None:
        super().__init__(formdata=request.args, **kwargs)
        self._competences = competences

    def validate_competence(self, field: SelectField) -> None:
        if field.data and field.data not in self._competences:
            raise ValidationError(_l("No module offered here refers to this competence."))

    def filters(self) -> present.Filters:
        """The valid filters (a field with an error does not filter)."""
        self.validate()
        value = lambda field: "" if field.errors else (field.data or "")  # noqa: E731
        return present.Filters(side=value(self.side), function=value(self.function), competence=value(self.competence), text=value(self.q))


class UploadForm(TandemForm):
    """A module file to check and keep as a draft."""

    file = FileField(
        _l("Module file (TOML)"),
        validators=[
            FileRequired(_l("Choose a module file to upload.")),
            FileAllowed(["toml"], _l("Upload a .toml file.")),
            FileSize(MAX_UPLOAD, message=_l("The file is larger than 256 KB.")),
        ],
    )


def _catalogue() -> Catalogue:
    return current_app.extensions["tandem_catalogue"]


def _language() -> str:
    return str(get_locale() or "en")


def can_manage(actor: Actor) -> bool:
    """Whether the actor sees the trainer's part (upload, manage, export); the services decide again."""
    return actor.role in (Role.TRAINER, Role.ORG_ADMIN)


def _require_manager(actor: Actor) -> None:
    if not can_manage(actor):
        raise NotAllowed("only trainers and organisation administrators manage modules")


def _own_entry(actor: Actor, draft_id: int) -> modules.Entry:
    """One uploaded version of the actor's organisation.

    :raise 403: the actor is no trainer.  :raise 404: no such version in the organisation.
    """
    entry = next((e for e in modules.drafts(db.session, actor, _catalogue()) if e.draft_id == draft_id), None)
    if entry is None:
        raise NotFound("no such module version in your organisation")
    return entry


@bp.context_processor
def catalogue_helpers() -> dict:
    """What every catalogue template uses: the page language, labels and competence references."""
    language = _language()
    catalogue = _catalogue()
    try:
        manager = can_manage(current_actor())
    except NoLaunch:  # the 401 page of this blueprint's URLs
        manager = False
    return {
        "lang": language,
        "labels": present,
        "manager": manager,
        "ref_view": lambda ref: present.ref_view(catalogue, ref, language),
    }


@bp.route("")
def index() -> Response:
    """Every module the actor's organisation offers, narrowed by the filters in the URL."""
    actor = current_actor()
    offered = modules.entries(db.session, actor, _catalogue())
    groups = present.competence_groups(_catalogue(), offered, _language())
    form = FilterForm(present.choice_values(groups))
    filters = form.filters()
    found = present.filter_entries(offered, filters, _language())
    return make_response(
        render_template("catalogue/index.html", form=form, groups=groups, entries=found, offered=len(offered), filters=filters)
    )


@bp.route("/<slug>")
@bp.route("/<slug>/v<int:version>", endpoint="module_version")
def module(slug: str, version: int | None = None) -> Response:
    """One module with both tracks side by side (a draft only for trainers, at its version's URL).

    :raise 404: no such module or version for the organisation, or it was withdrawn.
    """
    actor = current_actor()
    manager = can_manage(actor)
    entry = modules.find(db.session, actor.organisation_id, _catalogue(), slug, version, allow_draft=manager and version is not None)
    try:
        latest = entry if version is None else modules.find(db.session, actor.organisation_id, _catalogue(), slug)
    except NotFound:
        latest = None
    return make_response(render_template("catalogue/module.html", entry=entry, latest=latest))


@bp.route("/<slug>/v<int:version>/export")
def export(slug: str, version: int) -> Response:
    """The module file of a version, as a download (trainers).

    :raise 403: the actor is no trainer.  :raise 404: not a module the organisation can see.
    """
    actor = current_actor()
    _require_manager(actor)
    source = modules.source_of(db.session, actor, _catalogue(), slug, version)
    response = make_response(source)
    response.mimetype = "application/toml"
    response.headers["Content-Disposition"] = f"attachment; filename={slug}-v{version}.toml"
    return response


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Response:
    """Check an uploaded module file; keep it as a draft and show its preview, or report its one error.

    :raise 403: the actor is no trainer.
    """
    actor = current_actor()
    _require_manager(actor)
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return make_response(render_template("catalogue/upload.html", form=form, report=None), status)
    filename = os.path.basename(form.file.data.filename or "module.toml")[:120]
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _upload_refused(form, CatalogueError(filename, "", None, "not UTF-8 text"))
    result = modules.upload(db.session, actor, _catalogue(), filename, text)
    if result.error is not None:
        return _upload_refused(form, result.error)
    if result.unchanged and _own_entry(actor, result.draft_id).status == modules.WITHDRAWN:
        return _upload_refused(form, CatalogueError(filename, "version", None, f"version {result.module.version} was withdrawn"))
    db.session.commit()
    flash(_("This version was uploaded before; nothing new was stored.") if result.unchanged else _("The file is correct and kept as a draft. Check the preview, then publish it."))
    return redirect(url_for("catalogue.module_version", slug=result.module.slug, version=result.module.version), code=303)


def _upload_refused(form: UploadForm, error: CatalogueError) -> Response:
    """The upload page with the report of the one error (nothing was stored)."""
    return make_response(render_template("catalogue/upload.html", form=form, report=explain(error)), 400)


@bp.route("/manage")
def manage() -> Response:
    """The organisation's uploaded versions with their status (trainers).

    :raise 403: the actor is no trainer.
    """
    uploaded = modules.drafts(db.session, current_actor(), _catalogue())
    return make_response(render_template("catalogue/manage.html", entries=uploaded))


@bp.route("/manage/<int:draft_id>/publish", methods=["POST"])
def publish(draft_id: int) -> Response:
    """Publish a draft to the organisation, then show its module page (the CSRF token is checked for every POST).

    :raise 403: the actor is no trainer.  :raise 404: no such version in the organisation.
    """
    actor = current_actor()
    entry = _own_entry(actor, draft_id)
    try:
        modules.publish(db.session, actor, draft_id)
    except RuleViolation:
        db.session.rollback()
        return render_error(400, _l("A withdrawn version cannot be published again. Upload the module with a higher version number."))
    db.session.commit()
    flash(_("Published: everyone in your organisation can now choose this module."))
    return redirect(url_for("catalogue.module_version", slug=entry.module.slug, version=entry.module.version), code=303)


@bp.route("/manage/<int:draft_id>/withdraw", methods=["GET", "POST"])
def withdraw(draft_id: int) -> Response:
    """Ask to confirm withdrawing a version, naming the consequence; withdraw it on POST.

    :raise 403: the actor is no trainer.  :raise 404: no such version in the organisation.
    """
    actor = current_actor()
    entry = _own_entry(actor, draft_id)
    if request.method == "GET":
        return make_response(render_template("catalogue/withdraw.html", entry=entry))
    modules.withdraw(db.session, actor, draft_id)
    db.session.commit()
    flash(_("Version %(version)s of “%(title)s” was withdrawn.", version=entry.module.version, title=entry.module.title.get(_language())))
    return redirect(url_for("catalogue.manage"), code=303)
