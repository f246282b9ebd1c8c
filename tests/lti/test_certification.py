"""The 1EdTech LTI 1.3 tool certification launch cases, plus the Security Framework cases pylti1p3 misses.

Every launch goes over real HTTPS: the platform (lti1p3platform) initiates the OIDC login, Tandem
redirects to the platform's authorisation endpoint, the platform signs an id_token and the
browser posts it to Tandem's launch URL.
"""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.harness.browser import follow
from tests.harness.platform import DELETE

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"

HEADINGS = {
    "trainer": "Your mentoring programme",
    "participant": "My tandem",
    "observer": "Read-only access",
    "org_admin": "Organisation:",
}


def _valid_cases(role_uri: str, short: str, expected: str) -> list:
    return [
        pytest.param({"roles": [role_uri]}, expected, id="valid"),
        pytest.param({"roles": [role_uri, VOCAB + "institution/person#Faculty", VOCAB + "membership#Mentor"]}, expected, id="multiple-roles"),
        pytest.param({"roles": [short]}, expected, id="short-role"),
        pytest.param({"roles": ["http://purl.imsglobal.org/vocab/lis/v2/unknown/unknown#Unknown"]}, "observer", id="unknown-role"),
        pytest.param({"roles": []}, "observer", id="no-role"),
        pytest.param({"roles": [role_uri], "name": None, "email": "only@example.org"}, expected, id="email-only"),
        pytest.param({"roles": [role_uri], "name": "Grace Hopper", "given_name": "Grace", "family_name": "Hopper", "email": None}, expected, id="names-only"),
        pytest.param({"roles": [role_uri], "name": None, "email": None}, expected, id="no-pii"),
        pytest.param({"roles": [role_uri], "name": None, "email": "x@example.org", "context": None}, expected, id="email-without-context"),
    ]


@pytest.mark.parametrize(("options", "tandem_role"), _valid_cases(INSTRUCTOR, "Instructor", "trainer"))
def test_valid_instructor_launches(platform, browser, options, tandem_role):
    result = platform.launch(browser, **options)
    assert result.response.status_code == 200, result.response.text[:500]
    page = follow(browser, result.response)
    assert page.status_code == 200
    assert HEADINGS[tandem_role] in page.text


@pytest.mark.parametrize(("options", "tandem_role"), _valid_cases(LEARNER, "Learner", "participant"))
def test_valid_learner_launches(platform, browser, options, tandem_role):
    result = platform.launch(browser, user_id="learner-1", **options)
    assert result.response.status_code == 200, result.response.text[:500]
    page = follow(browser, result.response)
    assert page.status_code == 200
    assert HEADINGS[tandem_role] in page.text


def _at_run_time(options: dict) -> dict:
    """Claim times given as ("now", seconds) are taken when the test runs, not when it is collected."""
    patch = {k: (int(time.time()) + v[1] if isinstance(v, tuple) and v[:1] == ("now",) else v) for k, v in options.get("claims_patch", {}).items()}
    return {**options, "claims_patch": patch} if "claims_patch" in options else options


def _assert_rejected(response, reason: str, caplog=None) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    assert "Tandem could not open" in response.text
    assert f"Reference for support: {reason}" in response.text
    assert "Traceback" not in response.text
    if caplog is not None:
        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tandem.lti" and r.getMessage().startswith("{")]
        assert any(line.get("reason") == reason for line in lines), lines


BAD_PAYLOADS = [
    pytest.param({"header_patch": {"kid": DELETE}}, "no_kid", id="no-kid"),
    pytest.param({"header_patch": {"kid": "not-a-platform-kid"}}, "unknown_kid", id="incorrect-kid"),
    pytest.param({"claims_patch": {LTI + "version": "1.2.0"}}, "bad_version", id="wrong-lti-version"),
    pytest.param({"claims_patch": {LTI + "version": DELETE}}, "bad_version", id="no-lti-version"),
    pytest.param(
        {"claims_patch": {LTI + "message_type": DELETE, LTI + "roles": DELETE, LTI + "resource_link": DELETE, LTI + "version": DELETE}},
        "missing_message_type",
        id="missing-lti-claims",
    ),
    pytest.param({"claims_patch": {"iat": 11111, "exp": 22222}}, "expired", id="timestamps-incorrect"),
    pytest.param({"claims_patch": {LTI + "message_type": DELETE}}, "missing_message_type", id="message-type-missing"),
    pytest.param({"claims_patch": {LTI + "roles": DELETE}}, "missing_roles", id="role-claim-missing"),
    pytest.param({"claims_patch": {LTI + "deployment_id": DELETE}}, "missing_deployment", id="deployment-id-missing"),
    pytest.param({"claims_patch": {LTI + "resource_link": {"title": "no id"}}}, "missing_resource_link", id="resource-link-id-missing"),
    pytest.param({"claims_patch": {"sub": DELETE}}, "missing_sub", id="user-claim-missing"),
]


@pytest.mark.parametrize(("options", "reason"), BAD_PAYLOADS)
def test_bad_payloads_are_rejected(platform, browser, caplog, options, reason):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser, **_at_run_time(options))
    _assert_rejected(result.response, reason, caplog)


def test_invalid_lti_message_is_rejected(platform, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser, submit=False)
    response = browser.post(result.form_action, data={"id_token": "this-is-not-a-jwt", "state": result.state}, allow_redirects=False)
    _assert_rejected(response, "bad_token", caplog)


BEYOND = [
    pytest.param({"claims_patch": {"iss": "https://evil.example.org"}}, "wrong_issuer", id="wrong-issuer"),
    pytest.param({"claims_patch": {LTI + "deployment_id": "not-registered"}}, "unknown_deployment", id="unknown-deployment"),
    pytest.param({"sign_alg": "none"}, "bad_alg", id="alg-none"),
    pytest.param({"sign_alg": "HS256"}, "bad_alg", id="alg-hs256"),
    pytest.param({"claims_patch": {"aud": ["tandem-client", "other-tool"], "azp": "other-tool"}}, "bad_azp", id="multi-audience-wrong-azp"),
    pytest.param({"claims_patch": {"aud": ["tandem-client", "other-tool"], "azp": DELETE}}, "bad_azp", id="multi-audience-no-azp"),
    pytest.param({"claims_patch": {"aud": "other-tool", "azp": DELETE}}, "bad_audience", id="wrong-audience"),
    pytest.param({"id_token_target_link_uri": "https://127.0.0.1:1/elsewhere"}, "target_link_uri_mismatch", id="target-link-uri-mismatch"),
    pytest.param({"claims_patch": {"exp": DELETE}}, "missing_claim", id="exp-missing"),
    pytest.param({"claims_patch": {"iat": DELETE}}, "missing_claim", id="iat-missing"),
    pytest.param({"claims_patch": {"nonce": "not-the-login-nonce"}}, "nonce_mismatch", id="forged-nonce"),
    pytest.param({"claims_patch": {"exp": ("now", -60)}}, "expired", id="expired"),
    pytest.param({"claims_patch": {"iat": ("now", 120)}}, "bad_timestamps", id="issued-in-future"),
]


@pytest.mark.parametrize(("options", "reason"), BEYOND)
def test_security_framework_cases_are_rejected(platform, browser, caplog, options, reason):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser, **_at_run_time(options))
    _assert_rejected(result.response, reason, caplog)


def test_wrong_signing_key_is_rejected(platform, browser, caplog):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    caplog.set_level(logging.INFO, logger="tandem.lti")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    result = platform.launch(browser, sign_key=other.decode())
    _assert_rejected(result.response, "bad_signature", caplog)


def test_spec_valid_multi_audience_with_azp_is_accepted(platform, browser):
    result = platform.launch(browser, claims_patch={"aud": ["other-tool", "tandem-client"], "azp": "tandem-client"})
    assert result.response.status_code == 200


def test_small_clock_skew_is_tolerated(platform, browser):
    result = platform.launch(browser, claims_patch={"iat": int(time.time()) + 5})
    assert result.response.status_code == 200


def test_reposted_launch_is_rejected(platform, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser)
    assert result.response.status_code == 200
    again = platform.replay(browser, result)
    _assert_rejected(again, "state_unknown", caplog)


def test_replayed_nonce_with_a_fresh_state_is_rejected(platform, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    first = platform.launch(browser)
    assert first.response.status_code == 200
    second = platform.launch(browser, submit=False)
    response = browser.post(second.form_action, data={"id_token": first.id_token, "state": second.state}, allow_redirects=False)
    _assert_rejected(response, "nonce_mismatch", caplog)


def test_forged_state_is_rejected(platform, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser, submit=False)
    response = browser.post(result.form_action, data={"id_token": result.id_token, "state": "state-forged"}, allow_redirects=False)
    _assert_rejected(response, "state_unknown", caplog)


def test_unknown_issuer_at_login_is_rejected(tool, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    response = browser.post(
        tool.url + "/lti/login",
        data={"iss": "https://unknown.example.org", "login_hint": "1", "target_link_uri": tool.url + "/lti/launch"},
        allow_redirects=False,
    )
    _assert_rejected(response, "unknown_registration", caplog)


def test_unknown_deployment_at_login_is_rejected(platform, browser, caplog):
    caplog.set_level(logging.INFO, logger="tandem.lti")
    result = platform.launch(browser, deployment_id="not-registered")
    _assert_rejected(result.login_response, "unknown_deployment", caplog)


def test_login_without_required_parameters_is_rejected(tool, browser):
    response = browser.get(tool.url + "/lti/login", allow_redirects=False)
    _assert_rejected(response, "missing_login_param")


def test_target_link_uri_of_another_site_is_refused_at_login(platform, browser):
    result = platform.launch(browser, target_link_uri="https://evil.example.org/lti/launch")
    _assert_rejected(result.login_response, "bad_target_link_uri")


def test_blocked_cookies_get_the_new_window_fallback(platform, browser):
    result = platform.launch(browser, submit=False)
    browser.cookies.clear()
    response = browser.post(result.form_action, data={"id_token": result.id_token, "state": result.state}, allow_redirects=False)
    _assert_rejected(response, "cookies_blocked")
    assert "Open Tandem in a new window" in response.text
    assert "lti1p3_new_window=1" in response.text
    assert 'target="_blank"' in response.text
