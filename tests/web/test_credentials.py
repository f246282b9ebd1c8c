"""Open Badges 3.0 credentials over HTTPS: issued when a module is complete both ways, valid against the
official OB 3.0 JSON schema (vendored), signed with a key the tool's JWKS publishes (fetched over HTTP and
checked with PyJWT here), baked into an SVG, verified on a public page in English and Dutch; a withdrawal
revokes the learner's credential, a tampered JWT is invalid, and a later completion issues a new one."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import jwt
from jsonschema import Draft201909Validator

from tests.harness.browser import new_browser
from tests.web.credentials_support import DIGITAL, EXPERTISE, credentials_of, schema, sign_track, withdraw
from tests.web.programme_support import active_tandem, get, post, text_of

VALID, REVOKED, INVALID = "Valid: Tandem issued this credential", "Revoked: this credential was withdrawn", "Invalid: this is not a credential Tandem issued"


def _jwks(tool) -> dict:
    response = new_browser(verify=False).get(tool.url + "/lti/jwks", timeout=10)  # over HTTPS, as a verifier fetches it
    assert response.status_code == 200
    return response.json()


def _verify_with_jwks(token: str, jwks: dict) -> dict:
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["typ"] == "vc+jwt"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])  # the kid resolves at the tool's JWKS
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"])


def _tamper(token: str) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Master of everything"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def _check(browser, tool, token: str) -> str:
    return text_of(post(browser, tool, "/credentials/verify", {"token": token}, status=200, token_from="/credentials/verify").text)


def test_completion_issues_verifiable_badges_and_a_withdrawal_revokes(app, platform, tool):
    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    assert "No credentials yet" in get(browsers["expert"], tool, "/credentials")
    sign_track(app, person["digital"], tandem_id, DIGITAL)
    assert credentials_of(app, person["expert"]) == []  # one way only: no credential yet
    sign_track(app, person["expert"], tandem_id, EXPERTISE)  # now complete both ways
    (expert_id, expert_status), = credentials_of(app, person["expert"])
    (digital_id, digital_status), = credentials_of(app, person["digital"])
    assert expert_status == digital_status == "active"

    # the learner's page, the module page's link, and the downloads
    page = text_of(get(browsers["expert"], tool, "/credentials"))
    assert "E-reputation" in page or "e-reputation" in page.lower()
    assert "/credentials" in get(browsers["expert"], tool, f"/tandems/{tandem_id}/modules/e-reputation/v1")
    document = json.loads(get(browsers["expert"], tool, f"/credentials/{expert_id}.json"))
    errors = sorted(Draft201909Validator(schema(), format_checker=Draft201909Validator.FORMAT_CHECKER).iter_errors(document), key=str)
    assert errors == [], [e.message for e in errors]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["issuer"]["id"].startswith(tool.url + "/credentials/issuers/") and document["issuer"]["name"] == "Org A"
    achievement = document["credentialSubject"]["achievement"]
    # the expert learned the digital track: its objectives and criteria, aligned to DigComp
    assert achievement["criteria"]["narrative"].count("\n1. ") == 0 and achievement["criteria"]["narrative"].startswith("1. ")
    assert achievement["alignment"] and all(a["targetFramework"].startswith("DigComp") for a in achievement["alignment"])
    assert all(a["targetUrl"].startswith("https://doi.org/") for a in achievement["alignment"])
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "Evert Expert"
    assert document["id"] == f"{tool.url}/credentials/verify/{expert_id}"
    digital_doc = json.loads(get(browsers["digital"], tool, f"/credentials/{digital_id}.json"))
    assert all(a["targetFramework"].startswith(("EntreComp", "LifeComp")) for a in digital_doc["credentialSubject"]["achievement"]["alignment"])

    token = get(browsers["expert"], tool, f"/credentials/{expert_id}.jwt")
    claims = _verify_with_jwks(token, _jwks(tool))
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf")} == document
    assert claims["jti"] == document["id"] and claims["iss"] == document["issuer"]["id"]

    svg = get(browsers["expert"], tool, f"/credentials/{expert_id}.svg")
    root = ET.fromstring(svg.encode())
    baked = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
    assert baked is not None and baked.text.strip() == token
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text == document["name"]

    # public: no login, the page the credential's id names, in English and Dutch
    visitor = new_browser(verify=False)
    page = text_of(get(visitor, tool, f"/credentials/verify/{expert_id}"))
    assert VALID in page and "Evert Expert" in page and "Org A" in page
    dutch = visitor.get(tool.url + f"/credentials/verify/{expert_id}", headers={"Accept-Language": "nl"})
    assert dutch.status_code == 200 and '<html lang="nl">' in dutch.text
    assert VALID in _check(visitor, tool, token)
    assert INVALID in _check(visitor, tool, _tamper(token))
    assert INVALID in _check(visitor, tool, "not.a.jwt")
    status = visitor.get(document["credentialStatus"]["id"]).json()
    assert status["revokedCredentials"] == []
    assert visitor.get(document["issuer"]["id"]).json()["name"] == "Org A"

    # a withdrawal reopens the expert's track: their credential is revoked (time and reason), the partner's stays
    withdraw(app, person["digital"], tandem_id, "d2")
    assert credentials_of(app, person["expert"]) == [(expert_id, "revoked")]
    assert credentials_of(app, person["digital"]) == [(digital_id, "active")]
    page = text_of(get(visitor, tool, f"/credentials/verify/{expert_id}"))
    assert REVOKED in page and "a sign-off of the learning was withdrawn" in page and "We signed this too early" not in page
    assert REVOKED in _check(visitor, tool, token)
    assert visitor.get(document["credentialStatus"]["id"]).json()["revokedCredentials"][0]["id"] == document["id"]
    assert "Revoked" in text_of(get(browsers["expert"], tool, "/credentials"))

    # signed off again: a new credential, the old one stays revoked
    sign_track(app, person["digital"], tandem_id, {"d2": 3})
    rows = credentials_of(app, person["expert"])
    assert rows[0] == (expert_id, "revoked") and rows[1][1] == "active" and len(rows) == 2
    assert VALID in text_of(get(visitor, tool, f"/credentials/verify/{rows[1][0]}"))
