"""Platform registrations and deployments: adding, listing and finding them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.errors import RuleViolation
from plugin.models import Deployment, Organisation, Registration


@dataclass(frozen=True)
class RegistrationInfo:
    """A registration as the LTI adapter needs it."""

    id: int
    organisation_id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None
    deployment_ids: tuple[str, ...]
    organisation_name: str = ""
    platform_name: str | None = None
    #: deployment_id -> primary key, so a launch needs no lookup
    deployment_pks: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class NewRegistration:
    """What an administrator (or dynamic registration) supplies."""

    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None
    organisation: str | None = None
    platform_name: str | None = None
    product_family: str | None = None


def _check_url(value: str, field: str) -> str:
    parsed = urlparse(value or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        raise RuleViolation(f"{field} must be an http(s) URL, got {value!r}", field)
    return value


def _check_text(value: str, field: str) -> str:
    if not value or not value.strip() or len(value) > 255:
        raise RuleViolation(f"{field} must be 1 to 255 characters", field)
    return value.strip()


def _info(reg: Registration, deployment_ids: tuple[str, ...], pks: dict[str, int] | None = None) -> RegistrationInfo:
    return RegistrationInfo(
        id=reg.id,
        organisation_id=reg.organisation_id,
        issuer=reg.issuer,
        client_id=reg.client_id,
        auth_login_url=reg.auth_login_url,
        auth_token_url=reg.auth_token_url,
        key_set_url=reg.key_set_url,
        auth_audience=reg.auth_audience,
        deployment_ids=deployment_ids,
        organisation_name=reg.organisation.name if reg.organisation else "",
        platform_name=reg.platform_name,
        deployment_pks=pks or {},
    )


def add_registration(session: Session, new: NewRegistration) -> tuple[RegistrationInfo, bool]:
    """Add a registration, or a deployment to an existing registration with the same issuer and client id.

    Returns the registration and whether anything was created.

    Raises:
        RuleViolation: a malformed URL or value, or the registration and deployment exist already,
            or the existing registration has different endpoints (use a new client id instead).
    """
    issuer = _check_url(new.issuer, "issuer")
    client_id = _check_text(new.client_id, "client_id")
    deployment_id = _check_text(new.deployment_id, "deployment_id")
    urls = {
        "auth_login_url": _check_url(new.auth_login_url, "auth_url"),
        "auth_token_url": _check_url(new.auth_token_url, "token_url"),
        "key_set_url": _check_url(new.key_set_url, "jwks_url"),
    }
    audience = new.auth_audience.strip() if new.auth_audience else None
    existing = session.scalars(
        sa.select(Registration).where(Registration.issuer == issuer, Registration.client_id == client_id)
    ).one_or_none()
    if existing is not None:
        if any(getattr(existing, name) != value for name, value in urls.items()):
            raise RuleViolation(
                f"registration {issuer} / {client_id} exists with other endpoints; "
                "give only --deployment-id to add a deployment",
                "client_id",
            )
        if new.organisation and existing.organisation.name != new.organisation.strip():
            raise RuleViolation(
                f"registration {issuer} / {client_id} belongs to organisation {existing.organisation.name!r}",
                "organisation",
            )
        known = {d.deployment_id for d in existing.deployments}
        if deployment_id in known:
            raise RuleViolation(
                f"deployment {deployment_id!r} of {issuer} / {client_id} is registered already", "deployment_id"
            )
        existing.deployments.append(Deployment(deployment_id=deployment_id))
        session.flush()
        return _info(existing, tuple(sorted(known | {deployment_id}))), True

    org_name = _check_text(new.organisation or urlparse(issuer).netloc, "organisation")
    organisation = session.scalars(sa.select(Organisation).where(Organisation.name == org_name)).one_or_none()
    if organisation is None:
        organisation = Organisation(name=org_name)
        session.add(organisation)
    reg = Registration(
        organisation=organisation,
        issuer=issuer,
        client_id=client_id,
        auth_audience=audience,
        platform_name=new.platform_name,
        product_family=new.product_family,
        **urls,
    )
    reg.deployments.append(Deployment(deployment_id=deployment_id))
    session.add(reg)
    session.flush()
    return _info(reg, (deployment_id,)), True


def list_registrations(session: Session) -> list[RegistrationInfo]:
    """Every registration with its deployments, oldest first."""
    regs = session.scalars(sa.select(Registration).order_by(Registration.id)).all()
    rows = session.execute(sa.select(Deployment.registration_id, Deployment.deployment_id)).all()
    by_reg: dict[int, list[str]] = {}
    for reg_id, dep in rows:
        by_reg.setdefault(reg_id, []).append(dep)
    return [_info(r, tuple(sorted(by_reg.get(r.id, [])))) for r in regs]


def find_registration(session: Session, issuer: str, client_id: str | None) -> RegistrationInfo | None:
    """The registration for (issuer, client_id); with no client id only when the issuer has exactly one."""
    query = sa.select(Registration).where(Registration.issuer == issuer)
    if client_id is not None:
        query = query.where(Registration.client_id == client_id)
    regs = session.scalars(query.limit(2)).all()
    if len(regs) != 1:
        return None
    reg = regs[0]
    rows = session.execute(sa.select(Deployment.deployment_id, Deployment.id).where(Deployment.registration_id == reg.id))
    deps = {deployment_id: pk for deployment_id, pk in rows}
    return _info(reg, tuple(sorted(deps)), deps)


def registration_by_id(session: Session, registration_id: int) -> RegistrationInfo | None:
    """A registration by its primary key (for calls Tandem makes on its own, such as score delivery)."""
    reg = session.get(Registration, registration_id)
    if reg is None:
        return None
    rows = session.execute(sa.select(Deployment.deployment_id, Deployment.id).where(Deployment.registration_id == reg.id))
    deps = {deployment_id: pk for deployment_id, pk in rows}
    return _info(reg, tuple(sorted(deps)), deps)
