"""The only place that knows LTI claim URIs: turns a validated id_token body into domain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plugin.domain.launches import CourseRef, GradeService, Identity, LaunchFacts, LaunchKind, ModuleRef
from plugin.domain.roles import Role, resolve_role

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
TOOL_PLATFORM = LTI + "tool_platform"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

#: OAuth2 scopes of the services (asked for at the platform's token endpoint)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
AGS_SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
AGS_SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
AGS_SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

_VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
_CONTEXT_PREFIXES = (_VOCAB + "membership#", _VOCAB + "membership/")
_INSTITUTION_PREFIXES = (_VOCAB + "institution/person#", _VOCAB + "system/person#")


def split_roles(roles: list[Any]) -> tuple[set[str], set[str]]:
    """Role names by scope: (context roles, institution and system roles).

    Short names (``Instructor``) count as context roles, as Moodle and the LTI spec treat them.
    Sub-roles (``membership/Instructor#TeachingAssistant``) count as their sub-role name.
    Anything not a string, or from an unknown vocabulary, is ignored.
    """
    context: set[str] = set()
    institution: set[str] = set()
    for role in roles:
        if not isinstance(role, str) or not role:
            continue
        if role.startswith(_CONTEXT_PREFIXES):
            name = role.rsplit("#", 1)[-1] if "#" in role else role.rsplit("/", 1)[-1]
            context.add(name)
        elif role.startswith(_INSTITUTION_PREFIXES):
            institution.add(role.rsplit("#", 1)[-1])
        elif "/" not in role and "#" not in role and ":" not in role:
            context.add(role)
    return context, institution


def role_from(roles: Any) -> Role:
    """Tandem's role for a list of LTI role URIs (a launch's roles claim, an NRPS member's roles)."""
    context, institution = split_roles(roles if isinstance(roles, list) else [])
    return resolve_role(context, institution)


def role_of(body: Mapping[str, Any]) -> Role:
    """Tandem's role for the launching person."""
    return role_from(body.get(ROLES))


def client_id_of(body: Mapping[str, Any]) -> str | None:
    """The client id a validated launch was addressed to: ``azp``, else its only audience."""
    azp = body.get("azp")
    if isinstance(azp, str) and azp:
        return azp
    aud = body.get("aud")
    if isinstance(aud, str) and aud:
        return aud
    if isinstance(aud, list) and len(aud) == 1 and isinstance(aud[0], str):
        return aud[0]
    return None


def nrps_memberships_url(body: Mapping[str, Any]) -> str | None:
    """The NRPS ``context_memberships_url`` of a launch, or None when the platform offers no roster."""
    claim = body.get(NRPS)
    if not isinstance(claim, Mapping):
        return None
    url = claim.get("context_memberships_url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


@dataclass(frozen=True)
class AgsEndpoint:
    """The AGS endpoint claim of a launch: where line items live and what the tool may do."""

    lineitems_url: str | None
    lineitem_url: str | None
    scopes: tuple[str, ...]


def ags_endpoint(body: Mapping[str, Any]) -> AgsEndpoint | None:
    """The launch's AGS endpoint claim, or None when absent or offering neither URL."""
    claim = body.get(AGS_ENDPOINT)
    if not isinstance(claim, Mapping):
        return None

    def url(name: str) -> str | None:
        value = claim.get(name)
        return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None

    scopes = claim.get("scope")
    scope_list = tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else ()
    lineitems, lineitem = url("lineitems"), url("lineitem")
    if lineitems is None and lineitem is None:
        return None
    return AgsEndpoint(lineitems_url=lineitems, lineitem_url=lineitem, scopes=scope_list)


def _text(value: Any, limit: int = 255) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] or None


def custom_params(body: Mapping[str, Any]) -> dict[str, str]:
    """Custom parameters with lower-cased keys (Moodle lower-cases them; others may not)."""
    custom = body.get(CUSTOM)
    if not isinstance(custom, Mapping):
        return {}
    return {str(k).lower(): str(v) for k, v in custom.items()}


def locale_of(body: Mapping[str, Any]) -> str | None:
    """The launch's locale (``launch_presentation.locale``), e.g. ``nl`` or ``en-GB``."""
    presentation = body.get(LAUNCH_PRESENTATION)
    if isinstance(presentation, Mapping):
        return _text(presentation.get("locale"), 16)
    return None


MODULE_PARAM = "tandem_module"
VERSION_PARAM = "tandem_version"


def module_of(custom: Mapping[str, str]) -> ModuleRef | None:
    """The module a placed link names in its custom parameters (keys already lower-cased)."""
    slug = (custom.get(MODULE_PARAM) or "").strip()
    if not slug:
        return None
    raw = (custom.get(VERSION_PARAM) or "").strip()
    return ModuleRef(slug=slug[:64], version=int(raw) if raw.isascii() and raw.isdigit() else None)


def facts_from(body: Mapping[str, Any], client_id: str) -> LaunchFacts:
    """Domain values of a validated launch (the id_token body)."""
    context = body.get(CONTEXT)
    course = None
    if isinstance(context, Mapping) and context.get("id"):
        course = CourseRef(
            context_id=str(context["id"])[:255], title=_text(context.get("title")), label=_text(context.get("label"))
        )
    link = body.get(RESOURCE_LINK)
    kind = LaunchKind.DEEP_LINKING if body.get(MESSAGE_TYPE) == DEEP_LINKING_REQUEST else LaunchKind.RESOURCE
    return LaunchFacts(
        issuer=body["iss"],
        client_id=client_id,
        deployment_id=str(body[DEPLOYMENT_ID]),
        identity=Identity(
            subject=str(body["sub"])[:255],
            name=_text(body.get("name")),
            given_name=_text(body.get("given_name")),
            family_name=_text(body.get("family_name")),
            email=_text(body.get("email"), 320),
        ),
        role=role_of(body),
        kind=kind,
        course=course,
        resource_link_id=_text(link.get("id")) if isinstance(link, Mapping) else None,
        locale=locale_of(body),
        custom=(custom := custom_params(body)),
        module=module_of(custom) if kind is LaunchKind.RESOURCE else None,
        grades=(GradeService(ags.lineitems_url, ags.lineitem_url, ags.scopes) if (ags := ags_endpoint(body)) is not None else None),
    )
