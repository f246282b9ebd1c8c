"""The Open Badges 3.0 document of a learned track (pure), and its VC-JWT signing and verification."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import jwt
import pytest
from jsonschema import Draft201909Validator

from lti.credentials import JoseSigner
from plugin.domain import credentials as doc
from plugin.domain.catalogue import Side
from plugin.services.credentials import BadSignature
from plugin.services.curricula import load_catalogue
from plugin.services.keys import _info, _new_key
from tests.web.credentials_support import schema

CATALOGUE = load_catalogue()
MODULE = CATALOGUE.get("e-reputation", 1)
URLS = doc.Urls("https://tandem.example.org")
PUBLIC_ID = "0b7c3f4e-2a51-4c8e-9d7a-5f1e2b3c4d5e"


def _award(taught_by: Side = Side.DIGITAL_MENTOR, name: str | None = "Evert Expert") -> doc.Award:
    return doc.Award(PUBLIC_ID, 7, "Gemeente Voorbeeld", name, MODULE, taught_by, datetime(2026, 12, 4, 10, 30, 15, 123456, tzinfo=UTC))


@pytest.mark.parametrize("side", [Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT])
def test_the_document_is_an_open_badge_credential_the_official_schema_accepts(side):
    credential = doc.document(_award(side), URLS, CATALOGUE.frameworks)
    validator = Draft201909Validator(schema(), format_checker=Draft201909Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(credential)] == []
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-12-04T10:30:15Z"
    assert credential["id"] == f"https://tandem.example.org/credentials/verify/{PUBLIC_ID}"
    assert credential["issuer"] == {"id": "https://tandem.example.org/credentials/issuers/7", "type": ["Profile"], "name": "Gemeente Voorbeeld"}
    assert credential["credentialStatus"] == {"id": f"https://tandem.example.org/credentials/status/{PUBLIC_ID}", "type": "1EdTechRevocationList"}


def test_the_achievement_is_the_learned_track_with_its_criteria_and_competences():
    track = next(t for t in MODULE.tracks if t.taught_by is Side.SENIOR_EXPERT)
    achievement = doc.document(_award(Side.SENIOR_EXPERT), URLS, CATALOGUE.frameworks)["credentialSubject"]["achievement"]
    narrative = achievement["criteria"]["narrative"]
    for objective in track.objectives:
        assert objective.text.en in narrative
        assert all(f"- {c.en}" in narrative for c in objective.criteria)
    assert [a["targetCode"] for a in achievement["alignment"]] == [f"{r.competence}@{r.level}" for r in track.competences]
    frameworks = {a["targetFramework"].split(":")[0].split()[0] for a in achievement["alignment"]}
    assert frameworks <= {"EntreComp", "LifeComp"} and frameworks
    assert {a["targetUrl"] for a in achievement["alignment"]} <= {"https://doi.org/10.2791/593884", "https://doi.org/10.2760/302967"}
    assert achievement["name"] == f"{MODULE.title.en}: {track.title.en}"


def test_a_learner_without_a_name_is_no_identifier_and_foreign_ids_are_not_ours():
    assert "identifier" not in doc.document(_award(name=None), URLS, CATALOGUE.frameworks)["credentialSubject"]
    assert doc.public_id_of(URLS.credential(PUBLIC_ID), URLS) == PUBLIC_ID
    assert doc.public_id_of(f"https://elsewhere.example/credentials/verify/{PUBLIC_ID}", URLS) is None
    assert doc.public_id_of(URLS.credential("../../etc"), URLS) is None
    assert doc.public_id_of(None, URLS) is None


def test_the_status_lists_the_credential_once_revoked():
    assert doc.revocation_list(PUBLIC_ID, URLS, doc.ACTIVE, None)["revokedCredentials"] == []
    revoked = doc.revocation_list(PUBLIC_ID, URLS, doc.REVOKED, datetime(2026, 12, 5, tzinfo=UTC))["revokedCredentials"]
    assert revoked == [{"id": URLS.credential(PUBLIC_ID), "revoked": True, "revokedAt": "2026-12-05T00:00:00Z"}]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_vc_jwt_verifies_with_its_key_and_nothing_else_does():
    key, other = _info(_new_key()), _info(_new_key())
    credential = doc.document(_award(), URLS, CATALOGUE.frameworks)
    signer = JoseSigner()
    token = signer.sign(doc.jwt_claims(credential), key)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "RS256", "typ": "vc+jwt", "cty": "vc", "kid": key.kid}
    claims = signer.verify(token, [other.public_jwk, key.public_jwk])
    assert doc.credential_of(claims) == credential and claims["jti"] == credential["id"] and claims["nbf"] == 1796380215
    head, payload, signature = token.split(".")
    tampered = f"{head}.{_b64({**claims, 'name': 'Something else'})}.{signature}"
    unsigned = f"{_b64({'alg': 'none', 'kid': key.kid})}.{payload}."
    symmetric = jwt.encode(claims, key.public_jwk["n"], algorithm="HS256", headers={"kid": key.kid})
    for bad in (tampered, unsigned, symmetric, "not-a-jwt", ""):
        with pytest.raises(BadSignature):
            signer.verify(bad, [key.public_jwk])
    with pytest.raises(BadSignature):
        signer.verify(token, [other.public_jwk])  # the kid is not published
