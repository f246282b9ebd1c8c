"""Self-check of the test harness: TestPlatform against the bare pylti1p3next tool, end to end.

Everything goes over real HTTP on 127.0.0.1: the bare tool (the official Flask example's way of
using pylti1p3) runs in-process in a werkzeug server thread, the platform in another.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from pylti1p3.registration import Registration as ToolRegistration

from tests.harness.bare_tool import make_bare_app
from tests.harness.browser import cookie_header, follow, new_browser, parse_form
from tests.harness.platform import (
    CLAIM_DL_SETTINGS,
    CLAIM_MESSAGE_TYPE,
    CLAIM_NRPS,
    CLIENT_ASSERTION_TYPE,
    DELETE,
    MEDIA_LINEITEM,
    MEDIA_MEMBERSHIPS,
    MEDIA_SCORE,
    ROLE_LEARNER,
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    TOOL_CONFIGURATION,
    TestPlatform,
    WSGIServerThread,
    generate_rsa_key_pair,
    sign_jwt,
)
from tests.harness.tls import make_self_signed_cert

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


@dataclass
class BareSetup:
    platform: TestPlatform
    tool: WSGIServerThread
    private_pem: str
    public_pem: str
    kid: str


def _tool_conf(platform: TestPlatform, key_dir: Path) -> dict[str, Any]:
    return {
        platform.issuer: [
            {
                "default": True,
                "client_id": platform.client_id,
                "auth_login_url": platform.auth_url,
                "auth_token_url": platform.token_url,
                "key_set_url": platform.jwks_url,
                "private_key_file": str(key_dir / "private.key"),
                "public_key_file": str(key_dir / "public.key"),
                "deployment_ids": list(platform.deployment_ids),
            }
        ]
    }


@pytest.fixture(scope="module")
def tool_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    key_dir = tmp_path_factory.mktemp("bare-keys")
    private_pem, public_pem = generate_rsa_key_pair()
    (key_dir / "private.key").write_text(private_pem)
    (key_dir / "public.key").write_text(public_pem)
    return key_dir, private_pem, public_pem


@pytest.fixture(scope="module")
def bare(tool_keys: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[BareSetup]:
    key_dir, private_pem, public_pem = tool_keys
    tool = WSGIServerThread().start()
    platform = TestPlatform(tool_base_url=tool.url, login_path="/login", launch_path="/launch", jwks_path="/jwks")
    platform.start()
    tool.app = make_bare_app(_tool_conf(platform, key_dir), cache_dir=tmp_path_factory.mktemp("bare-cache"))
    kid = str(ToolRegistration.get_jwk(public_pem)["kid"])
    try:
        yield BareSetup(platform, tool, private_pem, public_pem, kid)
    finally:
        platform.stop()
        tool.stop()


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    session = new_browser()
    yield session
    session.close()


def _launch_id(page: str) -> str:
    marker = '<p id="launch-id">'
    start = page.index(marker) + len(marker)
    return page[start : page.index("<", start)]


def _client_assertion(platform: TestPlatform, private_pem: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.client_id,
        "sub": platform.client_id,
        "aud": platform.token_url,
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    kid = str(ToolRegistration.get_jwk(private_pem)["kid"])
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": kid})


def _token(setup: BareSetup, scope: str, assertion: str | None = None) -> requests.Response:
    return _token_for(setup.platform, setup.private_pem, scope, assertion)


def _token_for(
    platform: TestPlatform, private_pem: str, scope: str, assertion: str | None = None
) -> requests.Response:
    return requests.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion or _client_assertion(platform, private_pem),
            "scope": scope,
        },
        timeout=5,
    )


# --------------------------------------------------------------------------- launches


def test_valid_instructor_launch_shows_the_name(bare: BareSetup, browser: requests.Session) -> None:
    platform = bare.platform
    result = platform.launch(browser)
    assert result.login_response.status_code == 302
    assert result.login_response.headers["Location"].startswith(platform.auth_url + "?")
    assert result.auth_params is not None
    assert result.auth_params["prompt"] == "none" and result.auth_params["response_mode"] == "form_post"
    assert json.loads(result.auth_params["lti_message_hint"])["launchid"]
    assert result.form_action == platform.launch_url and result.error is None
    assert result.response is not None
    assert result.response.status_code == 200, result.response.text[:2000]
    assert "Ada Lovelace" in result.response.text
    payload = result.payload
    assert payload is not None
    assert (payload["iss"], payload["aud"], payload["sub"]) == (platform.issuer, platform.client_id, "u1")
    assert (payload["given_name"], payload["family_name"], payload["email"]) == ("Ada", "Lovelace", "ada@example.org")
    assert payload["exp"] - payload["iat"] == 60
    assert payload[LTI + "tool_platform"]["product_family_code"] == "moodle"
    assert payload[LTI + "launch_presentation"] == {
        "document_target": "iframe",
        "return_url": payload[LTI + "launch_presentation"]["return_url"],
        "locale": "en",
    }
    assert payload[LTI + "context"]["type"] == ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]
    assert payload[CLAIM_NRPS]["context_memberships_url"] == platform.url + "/nrps/course-1/memberships"
    assert len(payload["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]["scope"]) == 4
    assert follow(browser, result.response) is result.response
    assert platform.server_errors == []


def test_launch_uses_the_platform_jwks_and_key_rotation(bare: BareSetup, browser: requests.Session) -> None:
    platform = bare.platform
    jwks = requests.get(platform.jwks_url, timeout=5)
    assert jwks.headers["Cache-Control"] == "max-age=300"
    assert [key["kid"] for key in jwks.json()["keys"]] == [platform.current_kid]
    before = platform.jwks_requests
    first = platform.launch(browser)
    assert first.response is not None and first.response.status_code == 200
    assert platform.jwks_requests == before + 1  # the bare tool fetches the keys on every launch
    assert first.header is not None and first.header["kid"] == platform.current_kid

    old_kid = platform.current_kid
    new_kid = platform.rotate_key()
    assert platform.published_kids == [old_kid, new_kid]
    rotated = platform.launch(browser)
    assert rotated.header is not None and rotated.header["kid"] == new_kid
    assert rotated.response is not None and rotated.response.status_code == 200
    platform.retire_old_keys()
    assert [key["kid"] for key in platform.jwks()["keys"]] == [new_kid]
    assert platform.launch(browser).response.status_code == 200  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({"header_patch": {"kid": DELETE}}, id="no-kid"),
        pytest.param({"header_patch": {"kid": "unknown-kid"}}, id="wrong-kid"),
        pytest.param({"sign_alg": "none"}, id="alg-none"),
        pytest.param({"sign_alg": "HS256"}, id="alg-hs256"),
        pytest.param({"claims_patch": {LTI + "version": "1.2.0"}}, id="wrong-version"),
        pytest.param({"claims_patch": {LTI + "roles": DELETE}}, id="no-roles"),
        pytest.param({"claims_patch": {"iat": 11111, "exp": 22222}}, id="timestamps"),
        pytest.param({"raw_id_token": "not-a-jwt"}, id="not-a-jwt"),
    ],
)
def test_bad_payloads_are_rejected_by_the_bare_tool(
    bare: BareSetup, browser: requests.Session, options: dict[str, Any]
) -> None:
    result = bare.platform.launch(browser, **options)
    assert result.response is not None
    assert result.response.status_code == 500  # pylti1p3 raises; the example does not catch it
    assert "Ada Lovelace" not in result.response.text


def test_patches_reach_the_signed_token(bare: BareSetup, browser: requests.Session) -> None:
    result = bare.platform.launch(
        browser, submit=False, claims_patch={"sub": DELETE, "extra": 1}, header_patch={"kid": DELETE}
    )
    assert result.response is None and result.id_token is not None
    header = jwt.get_unverified_header(result.id_token)
    claims = jwt.decode(result.id_token, options={"verify_signature": False})
    assert "kid" not in header and "sub" not in claims and claims["extra"] == 1
    assert result.payload == claims


def test_initiation_error_and_auth_errors(bare: BareSetup, browser: requests.Session) -> None:
    with TestPlatform(
        tool_base_url=bare.tool.url, login_path="/login", launch_path="/launch", jwks_path="/jwks"
    ) as stranger:
        refused = stranger.launch(browser)  # issuer unknown to the tool
    assert refused.login_response.status_code == 500
    assert (refused.form_action, refused.id_token, refused.response) == (None, None, None)

    by_get = bare.platform.launch(browser, client_id_in_login=False, login_method="GET")
    assert by_get.response is not None and by_get.response.status_code == 200
    assert "client_id=" not in str(by_get.login_response.request.url)
    auth = requests.get(
        bare.platform.auth_url,
        params={"redirect_uri": bare.platform.launch_url, "state": "s", "scope": "openid"},
        timeout=5,
    )
    action, fields = parse_form(auth.text)
    assert action == bare.platform.launch_url
    assert fields["error"] == "unsupported_response_type" and fields["state"] == "s"
    unregistered = requests.get(bare.platform.auth_url, params={"redirect_uri": "http://evil.example/"}, timeout=5)
    assert unregistered.status_code == 400


def test_deep_linking_round_trip(bare: BareSetup, browser: requests.Session) -> None:
    platform = bare.platform
    result = platform.launch(browser, message_type="LtiDeepLinkingRequest")
    assert result.response is not None
    assert result.response.status_code == 200, result.response.text[:2000]
    payload = result.payload
    assert payload is not None and payload[CLAIM_MESSAGE_TYPE] == "LtiDeepLinkingRequest"
    settings = payload[CLAIM_DL_SETTINGS]
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["data"] == "opaque-data-123"
    assert settings["deep_link_return_url"] == platform.url + "/deep_link_return"
    assert LTI + "resource_link" not in payload and CLAIM_NRPS not in payload
    assert "LtiDeepLinkingRequest" in result.response.text and "deep_linking_settings" in result.response.text

    form_page = browser.get(bare.tool.url + "/configure/" + _launch_id(result.response.text), allow_redirects=False)
    action, fields = parse_form(form_page.text)
    assert action == platform.deep_link_return_url
    answer = browser.post(action, data=fields, allow_redirects=False)
    assert answer.status_code == 200 and "Received 1 items" in answer.text
    record = platform.last_deep_link_response
    assert record is not None and record["ok"], record
    assert record["content_items"][0]["custom"] == {"picked": "yes"}

    forged = sign_jwt(
        {
            "iss": platform.client_id,
            "aud": platform.issuer,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "nonce": "n",
            LTI + "deployment_id": "deploy-1",
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti-dl/claim/data": "tampered",
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [{"type": "html", "html": "<b>x</b>"}],
        },
        {"alg": "RS256", "typ": "JWT", "kid": bare.kid},
        "RS256",
        bare.private_pem,
    )
    rejected = requests.post(platform.deep_link_return_url, data={"JWT": forged}, timeout=5)
    assert rejected.status_code == 400
    errors = " ".join(platform.deep_link_responses[-1]["errors"])
    assert "data claim" in errors and "not in accept_types" in errors


def test_https_tool_cookies_and_verify(tmp_path: Path, tool_keys: tuple[Path, str, str]) -> None:
    certfile, keyfile = make_self_signed_cert(tmp_path / "tls")
    key_dir = tool_keys[0]
    with WSGIServerThread(ssl_context=(certfile, keyfile)) as tool:
        with TestPlatform(
            tool_base_url=tool.url, login_path="/login", launch_path="/launch", jwks_path="/jwks", tool_verify=certfile
        ) as platform:
            tool.app = make_bare_app(_tool_conf(platform, key_dir), cache_dir=tmp_path / "cache")
            with new_browser(verify=certfile) as browser:
                result = platform.launch(browser)
            assert result.response is not None and "Ada Lovelace" in result.response.text
            assert result.state is not None
            state_cookie = cookie_header(result.login_response, "lti1p3-" + result.state)  # pylti1p3: prefix + state
            assert state_cookie is not None
            for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
                assert attribute in state_cookie, state_cookie
            with new_browser(verify=False) as insecure:  # no InsecureRequestWarning escapes
                assert insecure.get(tool.url + "/jwks", timeout=5).json()["keys"]
            assert requests.post(platform.token_url, data={}, timeout=5).status_code == 400
            # The platform fetches the tool JWKS over HTTPS, verifying with the test CA file.
            assert _token_for(platform, tool_keys[1], SCOPE_NRPS).status_code == 200
            assert platform.tool_jwks_requests == 1


# --------------------------------------------------------------------------- services


def test_token_endpoint(bare: BareSetup) -> None:
    platform = bare.platform
    before = platform.token_requests
    granted = _token(bare, f"{SCOPE_NRPS} https://example.org/unknown-scope")
    assert granted.status_code == 200, granted.text
    body = granted.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600 and body["scope"] == SCOPE_NRPS
    assert platform.token_requests == before + 1

    wrong_aud = _token(bare, SCOPE_NRPS, _client_assertion(bare.platform, bare.private_pem, aud="https://elsewhere.example/token"))
    assert wrong_aud.status_code == 401 and wrong_aud.json()["error"] == "invalid_client"
    other_private, _ = generate_rsa_key_pair()
    forged = jwt.encode(
        {"iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_url, "exp": int(time.time()) + 60},
        other_private,
        algorithm="RS256",
        headers={"kid": bare.kid},
    )
    assert _token(bare, SCOPE_NRPS, forged).status_code == 401
    assert _token(bare, "https://example.org/unknown-scope").json()["error"] == "invalid_scope"
    assert _token(bare, SCOPE_NRPS, _client_assertion(bare.platform, bare.private_pem, exp=int(time.time()) - 10)).status_code == 401
    platform.fail_next("token", 1, status=503)
    assert _token(bare, SCOPE_NRPS).status_code == 503
    assert _token(bare, SCOPE_NRPS).status_code == 200


def test_nrps_pagination_returns_every_member(bare: BareSetup, browser: requests.Session) -> None:
    platform = bare.platform
    members = [
        {"user_id": f"m{i}", "roles": [ROLE_LEARNER], "name": f"Member {i}"} if i % 2 else {"user_id": f"m{i}", "roles": [ROLE_LEARNER]}
        for i in range(5)
    ]
    members.append({"user_id": "t1", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]})
    platform.set_members("course-1", members)
    url = platform.url + "/nrps/course-1/memberships"
    token = _token(bare, SCOPE_NRPS).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_MEMBERSHIPS}

    seen: list[str] = []
    next_url: str | None = url + "?limit=2"
    pages = 0
    while next_url:
        page = requests.get(next_url, headers=headers, timeout=5)
        assert page.status_code == 200 and page.headers["Content-Type"] == MEDIA_MEMBERSHIPS
        body = page.json()
        assert body["context"]["id"] == "course-1"
        seen.extend(member["user_id"] for member in body["members"])
        next_url = page.links.get("next", {}).get("url")
        pages += 1
    assert seen == ["m0", "m1", "m2", "m3", "m4", "t1"] and pages == 3
    learners = requests.get(url, params={"role": "Learner"}, headers=headers, timeout=5).json()["members"]
    assert len(learners) == 5
    assert requests.get(url, headers={"Accept": MEDIA_MEMBERSHIPS}, timeout=5).status_code == 401
    assert requests.get(url, headers={**headers, "Accept": "application/json"}, timeout=5).status_code == 406
    score_token = _token(bare, SCOPE_SCORE).json()["access_token"]
    wrong_scope = {"Authorization": f"Bearer {score_token}", "Accept": MEDIA_MEMBERSHIPS}
    assert requests.get(url, headers=wrong_scope, timeout=5).status_code == 403

    # pylti1p3 follows the same Link headers through the bare tool.
    result = platform.launch(
        browser,
        claims_patch={CLAIM_NRPS: {"context_memberships_url": url + "?limit=4", "service_versions": ["2.0"]}},
    )
    assert result.response is not None and result.response.status_code == 200
    listed = browser.get(bare.tool.url + "/members/" + _launch_id(result.response.text), timeout=5)
    assert listed.status_code == 200, listed.text[:2000]
    assert [member["user_id"] for member in listed.json()] == seen
    assert platform.nrps_requests[-1]["query"] == {"limit": "4", "from": "4"}


def test_ags_scores_through_pylti1p3(bare: BareSetup, browser: requests.Session) -> None:
    platform = bare.platform
    platform.set_members("course-1", [{"user_id": "u1", "roles": [ROLE_LEARNER]}])
    result = platform.launch(browser)
    assert result.response is not None and result.response.status_code == 200
    launch_id = _launch_id(result.response.text)
    posted = browser.post(bare.tool.url + f"/score/{launch_id}/87", timeout=5)
    assert posted.status_code == 200, posted.text[:2000]
    score = platform.scores[-1]
    assert (score["userId"], score["scoreGiven"], score["effective_score"]) == ("u1", 87, 87)
    assert platform.lineitems[score["lineitem"]]["tag"] == "score"

    token = _token(bare, SCOPE_SCORE).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": MEDIA_SCORE}
    same_time = {key: score[key] for key in ("userId", "timestamp", "activityProgress", "gradingProgress", "scoreGiven")}
    scores_url = score["lineitem"] + "/scores"
    assert requests.post(scores_url, data=json.dumps(same_time), headers=headers, timeout=5).status_code == 409
    incomplete = {"userId": "u1", "timestamp": "2099-01-01T00:00:00.000001Z"}
    assert requests.post(scores_url, data=json.dumps(incomplete), headers=headers, timeout=5).status_code == 400
    platform.fail_next("scores", 1, status=503)
    assert browser.post(bare.tool.url + f"/score/{launch_id}/73", timeout=5).status_code == 500
    assert platform.score_requests[-1]["status"] == 503


def test_ags_line_items_results_and_moodle_style_urls(bare: BareSetup) -> None:
    with TestPlatform(tool_base_url=bare.tool.url, jwks_path="/jwks", service_query="type_id=1") as platform:
        platform.set_members("c9", [{"user_id": "s1", "roles": [ROLE_LEARNER]}])
        scopes = " ".join([SCOPE_SCORE, SCOPE_LINEITEM, SCOPE_RESULT_READONLY])
        token = _token_for(platform, bare.private_pem, scopes).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        lineitems = platform.url + "/ags/c9/lineitems?type_id=1"
        created = requests.post(
            lineitems,
            data=json.dumps({"label": "Sign-off", "scoreMaximum": 10, "tag": "signoff", "resourceLinkId": "rl-9"}),
            headers={**auth, "Content-Type": MEDIA_LINEITEM},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        item = created.json()
        assert item["id"].endswith("/ags/c9/lineitems/1?type_id=1") and item["id"] in platform.lineitems
        declarative = platform.create_lineitem("c9", label="Declarative", score_maximum=5)
        listed = requests.get(lineitems, params={"tag": "signoff"}, headers=auth, timeout=5).json()
        assert [entry["id"] for entry in listed] == [item["id"]]
        assert len(requests.get(lineitems, headers=auth, timeout=5).json()) == 2
        assert requests.get(platform.url + "/ags/c9/lineitems", headers=auth, timeout=5).status_code == 400

        base = item["id"].split("?", 1)[0]
        score_headers = {**auth, "Content-Type": MEDIA_SCORE}
        score = {
            "userId": "s1",
            "scoreGiven": 7,
            "scoreMaximum": 10,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": "2030-01-01T10:00:00.000001+00:00",
        }
        assert requests.post(base + "/scores?type_id=1", data=json.dumps(score), headers=score_headers, timeout=5).status_code == 200
        later = dict(score, scoreGiven=9, timestamp="2030-01-01T10:00:00.000002Z")
        assert requests.post(base + "/scores?type_id=1", data=json.dumps(later), headers=score_headers, timeout=5).status_code == 200
        earlier = dict(score, timestamp="2030-01-01T11:00:00+02:00")  # 09:00 UTC
        assert requests.post(base + "/scores?type_id=1", data=json.dumps(earlier), headers=score_headers, timeout=5).status_code == 409
        pending = dict(score, gradingProgress="Pending", timestamp="2030-01-02T00:00:00Z")
        assert requests.post(base + "/scores?type_id=1", data=json.dumps(pending), headers=score_headers, timeout=5).status_code == 200
        stranger = dict(score, userId="nobody", timestamp="2030-01-03T00:00:00Z")
        assert requests.post(base + "/scores?type_id=1", data=json.dumps(stranger), headers=score_headers, timeout=5).status_code == 400
        results = requests.get(base + "/results?type_id=1", headers=auth, timeout=5).json()
        assert results == [{"id": base + "/results/s1", "scoreOf": item["id"], "userId": "s1", "resultMaximum": 10}]
        assert [stored["scoreGiven"] for stored in platform.scores] == [7, 9, 7]

        renamed = requests.put(
            item["id"],
            data=json.dumps({"label": "Renamed", "scoreMaximum": 20}),
            headers={**auth, "Content-Type": MEDIA_LINEITEM},
            timeout=5,
        )
        assert renamed.json() == {"id": item["id"], "label": "Renamed", "scoreMaximum": 20}
        assert requests.delete(declarative, headers=auth, timeout=5).status_code == 204
        assert declarative not in platform.lineitems
        score_only = _token_for(platform, bare.private_pem, SCOPE_SCORE).json()["access_token"]
        create_denied = requests.post(
            lineitems,
            data=json.dumps({"label": "x", "scoreMaximum": 1}),
            headers={"Authorization": f"Bearer {score_only}", "Content-Type": MEDIA_LINEITEM},
            timeout=5,
        )
        assert create_denied.status_code == 403
        platform.revoke_tokens()
        assert requests.get(item["id"], headers=auth, timeout=5).status_code == 401


def test_dynamic_registration(bare: BareSetup) -> None:
    platform = bare.platform
    config = requests.get(platform.openid_configuration_url, timeout=5).json()
    assert config["registration_endpoint"] == platform.registration_url
    lti_conf = config["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert lti_conf["product_family_code"] == "moodle"
    assert {"type": "LtiDeepLinkingRequest"} in lti_conf["messages_supported"]

    tool = bare.tool.url
    registration = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool + "/login",
        "redirect_uris": [tool + "/launch"],
        "client_name": "Bare tool",
        "jwks_uri": tool + "/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": f"{SCOPE_NRPS} {SCOPE_SCORE}",
        TOOL_CONFIGURATION: {
            "domain": tool.split("//", 1)[1],
            "target_link_uri": tool + "/launch",
            "claims": ["iss", "sub", "name"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": tool + "/launch"}],
        },
    }
    assert requests.post(platform.registration_url, json=registration, timeout=5).status_code == 401
    token = platform.new_registration_token()
    auth = {"Authorization": f"Bearer {token}"}
    bad = dict(registration, token_endpoint_auth_method="client_secret_basic")
    refused = requests.post(platform.registration_url, json=bad, headers=auth, timeout=5)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_token_endpoint_auth_method"
    elsewhere = dict(registration, initiate_login_uri="https://other.example.org/login")
    refused = requests.post(platform.registration_url, json=elsewhere, headers=auth, timeout=5)
    assert refused.json()["error"] == "domain_initiateloginuri_mismatch"

    accepted = requests.post(platform.registration_url, json=registration, headers=auth, timeout=5)
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert answer["client_id"] and answer[TOOL_CONFIGURATION]["deployment_id"] == "1"
    assert answer["client_name"] == "Bare tool"
    again = requests.post(platform.registration_url, json=registration, headers=auth, timeout=5)
    assert again.status_code == 401 and again.json()["error"] == "token_already_used"

    initiation = platform.registration_initiation_url(tool + "/register")
    assert "openid_configuration=" in initiation and "registration_token=" in initiation

    saved = (platform.client_id, platform.deployment_ids, platform.login_url, platform.redirect_uris)
    try:
        platform.adopt_registration(answer["client_id"])
        assert (platform.client_id, platform.deployment_ids) == (answer["client_id"], ("1",))
        assert platform.login_url == tool + "/login" and platform.redirect_uris == [tool + "/launch"]
    finally:
        platform.client_id, platform.deployment_ids, platform.login_url, platform.redirect_uris = saved


# --------------------------------------------------------------------------- lifecycle


def test_stop_leaves_no_thread_or_port_behind() -> None:
    threads_before = set(threading.enumerate())
    platform = TestPlatform(tool_base_url="http://127.0.0.1:9").start()
    port = int(platform.url.rsplit(":", 1)[1])
    platform.fail_next("jwks", 1, status=None, delay=30)
    slow = threading.Thread(target=lambda: requests.get(platform.jwks_url, timeout=60))
    slow.start()
    deadline = time.monotonic() + 5
    while platform.jwks_requests == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    platform.stop()
    slow.join(5)
    assert time.monotonic() - started < 5
    assert set(threading.enumerate()) <= threads_before
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
