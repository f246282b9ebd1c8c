"""The events' forms: what the request holds, typed; every rule is the service's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from plugin.domain import events as domain
from plugin.web.events.blueprint import KINDS
from plugin.web.forms import TandemForm, choices

LOCAL = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class EventForm(TandemForm):
    kind = RadioField(_l("Kind of event"), choices=choices(KINDS.items()), default=domain.EventKind.WEBINAR.value)
    title = StringField(_l("Title"), render_kw={"maxlength": domain.TITLE_MAX})
    description = TextAreaField(_l("Description"), validators=[Optional()], render_kw={"rows": 5, "maxlength": domain.DESCRIPTION_MAX})
    starts_local = DateTimeLocalField(_l("Starts"), format=LOCAL, validators=[Optional()])
    ends_local = DateTimeLocalField(_l("Ends"), format=LOCAL, validators=[Optional()])
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=False)
    place = StringField(_l("Place"), validators=[Optional()], render_kw={"maxlength": domain.PLACE_MAX})
    online_url = StringField(_l("Online link"), validators=[Optional()], render_kw={"maxlength": domain.URL_MAX, "inputmode": "url"})
    capacity = IntegerField(_l("Seats"), validators=[Optional()], render_kw={"min": domain.MIN_CAPACITY, "max": domain.MAX_CAPACITY})
    deadline_local = DateTimeLocalField(_l("Registration closes"), format=LOCAL, validators=[Optional()])

    def fill_zones(self) -> None:
        self.timezone.choices = choices((z, z) for z in sorted(domain.zones()))

    def draft(self) -> domain.EventDraft:
        return domain.EventDraft(
            self.kind.data or "", self.title.data or "", self.description.data or "", self.starts_local.data, self.ends_local.data, self.timezone.data or "",
            self.place.data or "", self.online_url.data or "", self.capacity.data, self.deadline_local.data,
        )


class AttendanceForm(TandemForm):
    attended = SelectMultipleField(_l("Attended"), choices=[], coerce=int, validate_choice=False, option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class FollowupForm(TandemForm):
    text = TextAreaField(_l("What to do"), render_kw={"rows": 3, "maxlength": domain.FOLLOWUP_MAX})
    due_on = DateField(_l("Due on"), validators=[Optional()])
    needs_partner = BooleanField(_l("Requires a sign-off by your partner"))
