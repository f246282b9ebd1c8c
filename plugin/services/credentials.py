"""Open Badges 3.0 credentials: issued when a tandem's module is complete both ways, revoked when a
withdrawal reopens a learner's track, read by their learner and the course's trainers, verified by anyone.

The JOSE work (signing and verifying VC-JWTs) is behind the :class:`Signer` port; ``lti.credentials``
implements it with Tandem's signing keys (:mod:`plugin.services.keys`), whose public halves the tool's
JWKS publishes, so a credential's ``kid`` resolves at ``/jwks``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import credentials as doc
from plugin.domain import signoffs
from plugin.domain.catalogue import Catalogue, Module, Side
from plugin.domain.errors import NotFound
from plugin.domain.roles import Role
from plugin.models import Credential, Organisation, Participant, Person, Programme
from plugin.services import keys, modules
from plugin.services.keys import KeyInfo
from plugin.services.launches import Actor

WITHDRAWN = "signoff_withdrawn"


class BadSignature(Exception):
    """A token that is not a VC-JWT Tandem's published keys verify."""


class Signer(Protocol):
    """What the core needs from JOSE (``lti.credentials.JoseSigner``)."""

    def sign(self, claims: dict[str, Any], key: KeyInfo) -> str:
        """A compact JWS (RS256) of ``claims`` whose header names ``key.kid``."""

    def verify(self, token: str, public_jwks: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The payload, when one of ``public_jwks`` verifies the token.  :raise BadSignature: otherwise."""


# --------------------------------------------------------------------------- issuing and revoking


def on_module_change(session: Session, *, organisation_id: int, programme_id: int, tandem: signoffs.Tandem, module: Module, before: signoffs.ModuleState, after: signoffs.ModuleState, now: datetime) -> None:
    """Called in the transaction of every sign-off, withdrawal and countersignature of a tandem.

    When the module becomes complete both ways, each learner without an active credential for it gets
    one; when a learner's track is no longer complete, their active credential is revoked (time and
    reason); a later completion issues a new one.
    """
    active = {
        row.learner_id: row
        for row in session.scalars(
            sa.select(Credential).where(Credential.tandem_id == tandem.id, Credential.module_slug == module.slug, Credential.module_version == module.version, Credential.status == doc.ACTIVE)
        )
    }
    for track in after.tracks:
        learner = tandem.learner(track.side)
        row = active.get(learner)
        if row is not None and not track.complete:
            row.status, row.revoked_at, row.revoked_reason = doc.REVOKED, now, WITHDRAWN
        elif row is None and after.complete:
            session.add(
                Credential(
                    public_id=str(uuid.uuid4()),
                    organisation_id=organisation_id,
                    programme_id=programme_id,
                    tandem_id=tandem.id,
                    learner_id=learner,
                    module_slug=module.slug,
                    module_version=module.version,
                    taught_by=track.side.value,
                    status=doc.ACTIVE,
                    issued_at=now,
                )
            )
    session.flush()


def on_group_track_change(session: Session, *, organisation_id: int, programme_id: int, group_id: int, learner_id: int, module: Module, side: Side, after: signoffs.TrackState, now: datetime) -> None:
    """Called in the transaction of every sign-off and withdrawal in a group: a learner whose track of the
    module is complete gets a credential (if they have no active one); one whose track reopened loses it."""
    row = session.scalar(
        sa.select(Credential).where(
            Credential.group_id == group_id, Credential.learner_id == learner_id, Credential.module_slug == module.slug,
            Credential.module_version == module.version, Credential.taught_by == side.value, Credential.status == doc.ACTIVE,
        )
    )  # fmt: skip
    if row is not None and not after.complete:
        row.status, row.revoked_at, row.revoked_reason = doc.REVOKED, now, WITHDRAWN
    elif row is None and after.complete:
        session.add(
            Credential(
                public_id=str(uuid.uuid4()), organisation_id=organisation_id, programme_id=programme_id, group_id=group_id, learner_id=learner_id,
                module_slug=module.slug, module_version=module.version, taught_by=side.value, status=doc.ACTIVE, issued_at=now,
            )
        )  # fmt: skip
    session.flush()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Issued:
    """A credential as its readers see it: the record, the signed document, and the module it is for."""

    row: Credential
    module: Module
    learner_name: str | None
    credential: dict[str, Any]
    jwt: str

    @property
    def name(self) -> str:
        return self.credential["name"]


def _award(session: Session, catalogue: Catalogue, row: Credential) -> tuple[doc.Award, Module]:
    module = modules.find(session, row.organisation_id, catalogue, row.module_slug, row.module_version).module
    organisation = session.get(Organisation, row.organisation_id)
    learner = session.get(Person, row.learner_id)
    award = doc.Award(row.public_id, row.organisation_id, organisation.name if organisation else "", learner.name if learner else None, module, Side(row.taught_by), row.issued_at)
    return award, module


def _issued(session: Session, catalogue: Catalogue, signer: Signer | None, base_url: str, row: Credential) -> Issued:
    """The credential of ``row``, signed with Tandem's newest key (unsigned, ``jwt`` empty, without a signer)."""
    award, module = _award(session, catalogue, row)
    credential = doc.document(award, doc.Urls(base_url), catalogue.frameworks)
    token = signer.sign(doc.jwt_claims(credential), keys.signing_key(session)) if signer is not None else ""
    return Issued(row, module, award.learner_name, credential, token)


def _may_read(session: Session, actor: Actor, row: Credential) -> bool:
    if row.organisation_id != actor.organisation_id:
        return False
    if actor.role is Role.ORG_ADMIN:
        return True
    if actor.role is Role.TRAINER:
        return actor.course_id is not None and actor.course_id == session.scalar(sa.select(Programme.course_id).where(Programme.id == row.programme_id))
    return actor.role is Role.PARTICIPANT and actor.person_id == row.learner_id


def _readable_rows(session: Session, actor: Actor) -> list[Credential]:
    query = sa.select(Credential).where(Credential.organisation_id == actor.organisation_id)
    if actor.role is Role.PARTICIPANT:
        query = query.where(Credential.learner_id == actor.person_id)
    elif actor.role is Role.TRAINER:
        if actor.course_id is None:
            return []
        query = query.join(Programme, Programme.id == Credential.programme_id).where(Programme.course_id == actor.course_id)
    elif actor.role is not Role.ORG_ADMIN:
        return []
    return list(session.scalars(query.order_by(Credential.issued_at.desc(), Credential.id.desc())))


@dataclass(frozen=True)
class Listing:
    items: list[Issued]
    #: the reader's time zone (their profile in the course), for the dates shown
    zone: str = "UTC"


def listing(session: Session, actor: Actor, catalogue: Catalogue, base_url: str) -> Listing:
    """The credentials the actor may read: a participant their own, a trainer their course's, an administrator the organisation's
    (unsigned: the downloads sign)."""
    out = []
    for row in _readable_rows(session, actor):
        try:
            out.append(_issued(session, catalogue, None, base_url, row))
        except NotFound:
            continue  # its module version was withdrawn from the organisation's catalogue
    zone = session.scalar(
        sa.select(Participant.timezone).join(Programme, Programme.id == Participant.programme_id).where(Participant.person_id == actor.person_id, Programme.course_id == actor.course_id).limit(1)
    )
    return Listing(out, zone or "UTC")


def download(session: Session, actor: Actor, catalogue: Catalogue, signer: Signer, base_url: str, public_id: str) -> Issued:
    """One credential, signed.  :raise NotFound: no such credential for this actor (another learner's included)."""
    row = session.scalar(sa.select(Credential).where(Credential.public_id == public_id))
    if row is None or not _may_read(session, actor, row):
        raise NotFound("no such credential")
    return _issued(session, catalogue, signer, base_url, row)


# --------------------------------------------------------------------------- public: verification


@dataclass(frozen=True)
class Verification:
    """What the public verification page says: valid, revoked or invalid, and what the credential itself says."""

    outcome: str
    credential: dict[str, Any] | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    reason: str = ""


def _check(session: Session, signer: Signer, base_url: str, token: str) -> Verification:
    published = [k.public_jwk for k in keys.active_keys(session)]
    try:
        claims = signer.verify(token, published)
    except BadSignature as exc:
        return Verification(doc.INVALID, reason=str(exc))
    credential = doc.credential_of(claims)
    public_id = doc.public_id_of(credential.get("id"), doc.Urls(base_url))
    row = session.scalar(sa.select(Credential).where(Credential.public_id == public_id)) if public_id else None
    if row is None or "OpenBadgeCredential" not in (credential.get("type") or ()):
        return Verification(doc.INVALID, reason="not a credential Tandem issued")
    if row.status == doc.REVOKED:
        return Verification(doc.REVOKED, credential, row.revoked_at, row.revoked_reason)
    return Verification(doc.VALID, credential)


def verify_token(session: Session, signer: Signer, base_url: str, token: str) -> Verification:
    """Check a VC-JWT someone holds: the signature against the published keys, then the revocation status."""
    text = (token or "").strip()
    if not text or len(text) > 100_000 or "\x00" in text:
        return Verification(doc.INVALID, reason="not a compact JWS")
    return _check(session, signer, base_url, text)


def verify_record(session: Session, catalogue: Catalogue, signer: Signer, base_url: str, public_id: str) -> Verification:
    """The credential behind its id (the page its ``id`` links to): signed now and checked like a held token.

    :raise NotFound: no credential has this id.
    """
    row = session.scalar(sa.select(Credential).where(Credential.public_id == public_id))
    if row is None:
        raise NotFound("no such credential")
    try:
        issued = _issued(session, catalogue, signer, base_url, row)
    except NotFound:
        return Verification(doc.INVALID, reason="the module of this credential is no longer offered")
    return _check(session, signer, base_url, issued.jwt)


def status_document(session: Session, base_url: str, public_id: str) -> dict[str, Any]:
    """The credential's ``credentialStatus`` document.  :raise NotFound: no such credential."""
    row = session.scalar(sa.select(Credential).where(Credential.public_id == public_id))
    if row is None:
        raise NotFound("no such credential")
    return doc.revocation_list(row.public_id, doc.Urls(base_url), row.status, row.revoked_at)


def issuer_profile(session: Session, base_url: str, organisation_id: int) -> dict[str, Any]:
    """The issuer's Profile (an organisation that issued at least one credential).  :raise NotFound: otherwise."""
    issued = session.scalar(sa.select(sa.func.count()).select_from(Credential).where(Credential.organisation_id == organisation_id))
    organisation = session.get(Organisation, organisation_id) if issued else None
    if organisation is None:
        raise NotFound("no such issuer")
    return {"@context": [doc.VC_CONTEXT, doc.OB_CONTEXT], "id": doc.Urls(base_url).issuer(organisation_id), "type": ["Profile"], "name": organisation.name}
