"""Role home pages and the language switch."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

from flask import Blueprint, Response, make_response, redirect, render_template, session, url_for
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired
from flask_babel import lazy_gettext as _l

from plugin.extensions import db
from plugin.models.base import utcnow
from plugin.domain.errors import NotFound
from plugin.domain.launches import LaunchFacts, ModuleRef
from plugin.services import modules
from plugin.web.errors import render_error
from plugin.services.homes import Home, home_after_launch, home_for
from plugin.services.launches import Actor
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm

bp = Blueprint("web", __name__)


class LanguageForm(TandemForm):
    """The in-page language switch (a CSRF-protected POST)."""

    language = SelectField(_l("Language"), choices=[SelectChoice("en", "English", render_kw={"lang": "en"}), SelectChoice("nl", "Nederlands", render_kw={"lang": "nl"})], validators=[DataRequired(), AnyOf(["en", "nl"])])
    next = HiddenField()
    submit = SubmitField(_l("Switch"))


@bp.app_context_processor
def inject_locale() -> dict:
    """Every page knows its language (for ``lang`` and the language switch)."""
    from flask_babel import get_locale

    return {"current_locale": lambda: str(get_locale() or "en")}


@bp.route("/")
def index() -> Response:
    """Outside a launch: what Tandem is and how to install it."""
    return make_response(render_template("home/index.html"))


def _today() -> date:
    return utcnow().date()


def render_home(view: Home) -> Response:
    """A role home page; its canonical URL is /home (the launch renders it in answer to a POST)."""
    return make_response(render_template(f"home/{view.role.value}.html", home=view, canonical_url=url_for("web.home")))


@bp.route("/home")
def home() -> Response:
    """The role home page after a launch."""
    view = home_for(db.session, current_actor(), _today())
    db.session.commit()
    return render_home(view)


def _remember_gradebook(actor: Actor, facts: LaunchFacts) -> None:
    """Keep where the course's (and a placed module's) grades go; written once per change, not per launch."""
    grades = facts.grades
    if grades is None or actor.course_id is None or actor.registration_id is None:
        return
    from flask import current_app

    from plugin.services import placements

    seen: set[tuple] = current_app.extensions.setdefault("tandem_gradebooks_seen", set())
    key = (actor.course_id, actor.registration_id, grades.lineitems_url, grades.scopes)
    if key not in seen:
        placements.record(db.session, course_id=actor.course_id, registration_id=actor.registration_id, grades=grades)
        db.session.commit()
        seen.add(key)
    module = facts.module
    if module is not None and module.version is not None and grades.lineitem_url:
        placements.record(
            db.session,
            course_id=actor.course_id,
            registration_id=actor.registration_id,
            grades=grades,
            slug=module.slug,
            version=module.version,
            label=facts.custom.get("tandem_label", "") or module.slug,
            resource_link_id=facts.resource_link_id,
        )
        db.session.commit()


def landing(actor: Actor, facts: LaunchFacts, organisation_name: str) -> Response:
    """The page a resource-link launch lands on: the module a placed link names, else the role home."""
    _remember_gradebook(actor, facts)
    if facts.module is not None:
        return open_module(actor, facts.module)
    view = home_after_launch(db.session, actor, facts, organisation_name, _today())
    return render_home(view)


def open_module(actor: Actor, ref: ModuleRef) -> Response:
    """A placed module link: that module at that version (a clear 404 page when it is gone)."""
    from flask import current_app

    catalogue = current_app.extensions["tandem_catalogue"]
    if ref.version is None:
        return render_error(404, _l("This activity names a module version Tandem does not know. Ask your trainer to place the module again."))
    try:
        entry = modules.find(db.session, actor.organisation_id, catalogue, ref.slug, ref.version)
    except NotFound:
        return render_error(404, _l("The module of this activity does not exist or was withdrawn. Ask your trainer to place another module."))
    return redirect(url_for("catalogue.module_version", slug=entry.module.slug, version=entry.module.version), code=303)


@bp.route("/language", methods=["POST"])
def switch_language() -> Response:
    """Switch the page language and go back where the person was (only to a page of Tandem's own)."""
    form = LanguageForm()
    if not form.validate_on_submit():
        return make_response(render_template("errors/error.html", code=400, message=_l("Choose English or Nederlands.")), 400)
    session["locale"] = form.language.data
    target = form.next.data or url_for("web.home")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        target = url_for("web.home")
    return redirect(target, code=303)
