"""Trainers set up the programme: matching mode, rules, capacities, modules."""

from __future__ import annotations

from flask import Response, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain.errors import RuleViolation
from plugin.domain.matching import MAX_CAPACITY
from plugin.extensions import db
from plugin.services import modules, programmes
from plugin.web.auth import current_actor
from plugin.web.forms import TandemForm, choices
from plugin.web.programme.blueprint import bp, catalogue, language
from plugin.web.programme.labels import MODES


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
    offered = {e.module.slug: e.module.title.get(language()) for e in modules.entries(db.session, actor, catalogue())}
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
