"""The Open Badges 3.0 credential of a learned track: a W3C Verifiable Credential (data model 2.0), pure.

The document names the organisation as issuer (a Profile under Tandem's URL), the learner as the
subject, and the track they learned as the achievement: its objectives and their criteria as the
criteria narrative, and an ``alignment`` to each DigComp / EntreComp / LifeComp competence the track
works on. Nothing is fetched: the ``@context`` entries are the specifications' URLs, as strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plugin.domain.catalogue import Framework, Module, Side, Track

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
#: the credential status method: a list of the revoked credentials (here, of this one credential)
STATUS_TYPE = "1EdTechRevocationList"
DOI = re.compile(r"doi:(10\.\d{4,9}/\S+?)\.?$")

ACTIVE, REVOKED = "active", "revoked"
#: what a verification says of a credential
VALID, INVALID = "valid", "invalid"


@dataclass(frozen=True)
class Urls:
    """Where the credential lives under Tandem's public URL."""

    base: str

    def credential(self, public_id: str) -> str:
        """The credential's id: its public verification page."""
        return f"{self.base}/credentials/verify/{public_id}"

    def status(self, public_id: str) -> str:
        return f"{self.base}/credentials/status/{public_id}"

    def issuer(self, organisation_id: int) -> str:
        return f"{self.base}/credentials/issuers/{organisation_id}"

    def achievement(self, module: Module, track: Track) -> str:
        return f"{self.base}/modules/{module.slug}/v{module.version}#{track.key}"


@dataclass(frozen=True)
class Award:
    """What a credential says, as the records hold it."""

    public_id: str
    organisation_id: int
    organisation_name: str
    learner_name: str | None
    module: Module
    #: the side that taught the learned track
    taught_by: Side
    issued_at: datetime


def learned_track(module: Module, taught_by: Side) -> Track:
    return next(t for t in module.tracks if t.taught_by is taught_by)


def _stamp(value: datetime) -> str:
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def criteria_narrative(track: Track) -> str:
    """The objectives of the track and the criteria of each, as Markdown (English)."""
    lines = []
    for number, objective in enumerate(track.objectives, start=1):
        lines.append(f"{number}. {objective.text.en}")
        lines.extend(f"   - {criterion.en}" for criterion in objective.criteria)
    return "\n".join(lines)


def framework_url(framework: Framework) -> str:
    """The framework's publication (its DOI), named in the catalogue's citation."""
    found = DOI.search(framework.citation.strip())
    return f"https://doi.org/{found.group(1)}" if found else f"https://doi.org/search?q={framework.id}"


def alignments(track: Track, frameworks: Mapping[str, Framework]) -> list[dict[str, Any]]:
    """One ``Alignment`` per competence (and level) the track's objectives work on, in catalogue order."""
    out = []
    for ref in track.competences:
        framework = frameworks.get(ref.framework)
        competence = framework.competences.get(ref.competence) if framework else None
        if framework is None or competence is None:
            continue
        level = next((lv for lv in framework.levels if lv.number == ref.level), None)
        entry = {
            "type": ["Alignment"],
            "targetName": competence.title.en,
            "targetUrl": framework_url(framework),
            "targetCode": f"{ref.competence}@{ref.level}",
            "targetFramework": f"{framework.title.en} {framework.version}".strip(),
            "targetDescription": competence.description.en,
        }
        if level is not None:
            entry["targetDescription"] = f"{competence.description.en} (level {level.number}: {level.name.en})".strip()
        out.append(entry)
    return out


def document(award: Award, urls: Urls, frameworks: Mapping[str, Framework]) -> dict[str, Any]:
    """The OpenBadgeCredential (unsigned): the payload of its VC-JWT."""
    module, track = award.module, learned_track(award.module, award.taught_by)
    name = f"{module.title.en}: {track.title.en}"
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": urls.achievement(module, track),
            "type": ["Achievement"],
            "achievementType": "Competency",
            "name": name,
            "description": track.summary.en or module.summary.en,
            "criteria": {"narrative": criteria_narrative(track)},
            "alignment": alignments(track, frameworks),
            "humanCode": f"{module.slug}/{track.key}",
            "version": str(module.version),
            "inLanguage": "en",
            "creator": {"id": urls.issuer(award.organisation_id), "type": ["Profile"], "name": award.organisation_name},
        },
    }
    if award.learner_name:
        subject["identifier"] = [{"type": "IdentityObject", "hashed": False, "identityHash": award.learner_name, "identityType": "name"}]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": urls.credential(award.public_id),
        "type": list(TYPES),
        "name": name,
        "description": f"Learned in two-way mentoring: {module.title.en}, {track.title.en}.",
        "issuer": {"id": urls.issuer(award.organisation_id), "type": ["Profile"], "name": award.organisation_name},
        "validFrom": _stamp(award.issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {"id": urls.status(award.public_id), "type": STATUS_TYPE},
    }


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The VC-JWT payload: the credential, with the registered claims OB 3.0 asks for (iss, jti, nbf)."""
    valid_from = datetime.strptime(credential["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": int(valid_from.timestamp())}


def credential_of(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT payload carries (the registered claims left out)."""
    return {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "exp", "iat", "sub")}


def public_id_of(credential_id: str, urls: Urls) -> str | None:
    """The public id named by a credential id of this Tandem (None for anyone else's)."""
    prefix = urls.credential("")
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    rest = credential_id[len(prefix) :]
    return rest if re.fullmatch(r"[0-9a-f-]{36}", rest) else None


def revocation_list(public_id: str, urls: Urls, status: str, revoked_at: datetime | None) -> dict[str, Any]:
    """The credential's status document: the revoked credentials among this one (empty while it is active)."""
    revoked = [{"id": urls.credential(public_id), "revoked": True, "revokedAt": _stamp(revoked_at)}] if status == REVOKED and revoked_at else []
    return {"id": urls.status(public_id), "type": STATUS_TYPE, "revokedCredentials": revoked}
