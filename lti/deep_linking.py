"""Deep linking: the content picker a trainer sees, and the signed LtiDeepLinkingResponse."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import abort, current_app, make_response, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from pylti1p3.deep_link import DeepLink

from lti import claims
from lti.context import base_url
from lti.tooling import TandemRegistration
from plugin.domain.roles import Role
from plugin.services import keys as key_service
from plugin.services import modules, platforms
from plugin.services.launches import Actor, launch_data


@dataclass(frozen=True)
class ContentItem:
    """One ltiResourceLink offered to the platform."""

    key: str
    title: str
    text: str
    url: str
    custom: dict[str, str] = field(default_factory=dict)
    line_item: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The content item as the Deep Linking 2.0 response carries it."""
        item: dict[str, Any] = {"type": "ltiResourceLink", "title": self.title, "text": self.text, "url": self.url}
        if self.custom:
            item["custom"] = self.custom
        if self.line_item:
            item["lineItem"] = self.line_item
        return item


class PickForm(FlaskForm):
    """CSRF protection for the picker; the chosen items come as repeated ``item`` fields."""


DATA_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
#: tag of the gradebook columns Tandem creates (one per placed module)
LINE_ITEM_TAG = "tandem-module"


@dataclass(frozen=True)
class Choice:
    """One row of the picker: the content item and what the trainer reads about it."""

    item: ContentItem
    tracks: tuple[str, str] = ("", "")


def offered_choices(actor: Actor, launch_url: str) -> list[Choice]:
    """The organisation's published modules (one resource link each, with its gradebook column), then the programme."""
    language = str(get_locale() or "en")
    catalogue = current_app.extensions["tandem_catalogue"]
    db_session = current_app.extensions["tandem_lti"].session()
    choices = []
    for entry in modules.entries(db_session, actor, catalogue):
        module = entry.module
        title = module.title.get(language)
        item = ContentItem(
            key=f"{module.slug}@{module.version}",
            title=title,
            text=module.summary.get(language),
            url=launch_url,
            custom={claims.MODULE_PARAM: module.slug, claims.VERSION_PARAM: str(module.version)},
            line_item={"label": title, "scoreMaximum": 100, "resourceId": module.slug, "tag": LINE_ITEM_TAG},
        )
        digital, expertise = module.track("digital"), module.track("expertise")
        choices.append(Choice(item, (digital.title.get(language), expertise.title.get(language))))
    programme = ContentItem(
        key="programme",
        title=_("Tandem mentoring programme"),
        text=_("Two-way mentoring: digital mentors and senior experts learn from each other."),
        url=launch_url,
    )
    return [*choices, Choice(programme)]


def picker(launch_id: str, submitted: bool | None = None) -> Any:
    """Show the items to choose; on submit, answer the platform with a signed response (auto-submitted form)."""
    if submitted is None:
        submitted = request.method == "POST"
    ext = current_app.extensions["tandem_lti"]
    if session.get("launch_id") != launch_id:
        abort(403)
    if session.get("role") not in (Role.TRAINER.value, Role.ORG_ADMIN.value):
        abort(403)
    actor = Actor(
        person_id=int(session["person_id"]), organisation_id=int(session["organisation_id"]), role=Role(session["role"])
    )
    raw = launch_data(ext.session(), actor, launch_id)
    body = json.loads(raw) if raw else None
    if body is None or body.get(claims.MESSAGE_TYPE) != claims.DEEP_LINKING_REQUEST:
        abort(404)
    settings = body.get(claims.DEEP_LINKING_SETTINGS) or {}
    multiple = settings.get("accept_multiple") in (True, "true")
    accept_types = settings.get("accept_types") or []
    launch_url = base_url() + "/lti/launch"
    choices = offered_choices(actor, launch_url) if "ltiResourceLink" in accept_types else []
    items = [c.item for c in choices]
    form = PickForm()
    errors: list[str] = []
    if submitted and form.validate_on_submit():
        chosen_keys = request.form.getlist("item")
        chosen = [i for i in items if i.key in chosen_keys]
        if not chosen:
            errors.append(_("Choose at least one item."))
        elif len(chosen) > 1 and not multiple:
            errors.append(_("This course accepts one item at a time."))
        else:
            db_session = ext.session()
            info = platforms.find_registration(db_session, body["iss"], body["aud"] if isinstance(body["aud"], str) else body.get("azp") or body["aud"][0])
            if info is None:
                abort(404)
            key = key_service.signing_key(db_session)
            db_session.commit()
            deep_link = DeepLink(TandemRegistration(info, key), str(body[claims.DEPLOYMENT_ID]), settings)
            message = deep_link.get_message_jwt(chosen)
            if message.get(DATA_CLAIM) is None:
                message.pop(DATA_CLAIM, None)  # echo data only when the platform sent some
            token = deep_link.encode_jwt(message)
            return render_template(
                "lti/deep_link_return.html", action=settings["deep_link_return_url"], jwt=token, count=len(chosen)
            )
    status = 400 if errors or submitted else 200
    return make_response(
        render_template(
            "lti/picker.html",
            form=form,
            choices=choices,
            multiple=multiple,
            errors=errors,
            title=settings.get("title"),
            launch_id=launch_id,
            canonical_url=url_for("lti.deep_link", launch_id=launch_id),
        ),
        status,
    )
