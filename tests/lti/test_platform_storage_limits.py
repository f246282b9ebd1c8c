"""LTI platform storage: what a cookie-less launch must prove before Tandem keeps its id_token under a ticket.

The id_token is checked (size, signature by the platform's key, claims, the login's nonce) without using its nonce,
and one state gets one ticket at most, so anyone holding a state cannot fill the store with junk. The bridging
page's origin check is compared with default ports normalised. Real launches from the harness platform.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import register_platform
from tests.harness.browser import new_browser
from tests.harness.platform_storage import HANDLER_JS, StoragePlatform
from tests.harness.playwright_thread import PlaywrightThread
from tests.lti.test_platform_storage import _attr, _bridge, _completion, _id_token_form, _launch_in_course, storage_chromium


@pytest.fixture
def platform(tool, app) -> Iterator[StoragePlatform]:
    with StoragePlatform(tool_base_url=tool.url, tool_verify=False) as plat:
        register_platform(app, plat)
        yield plat


def _stored(app) -> list[str]:
    """The keys of the platform-storage entries in the store (tickets and their states)."""
    from plugin.extensions import db

    with app.app_context():
        keys = list(db.session.scalars(sa.text("SELECT key FROM store_entries WHERE key LIKE 'lti-storage%'")))
        db.session.rollback()
    return keys


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _tampered(token: str) -> str:
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["sub"] = "someone-else"
    return f"{head}.{_segment(payload)}.{sig}"


def _cookieless_launch(platform, fields: dict[str, str], **override: str):
    return new_browser(verify=False).post(platform.launch_url, data={**fields, **override}, allow_redirects=False)


def test_oversize_id_token_is_refused_before_anything_is_stored(platform, tool, app):
    _login, fields = _id_token_form(platform, new_browser(verify=False))
    response = _cookieless_launch(platform, fields, id_token="x" * (16 * 1024 + 1))
    assert response.status_code == 400 and "id_token_too_large" in response.text
    assert _stored(app) == []


@pytest.mark.parametrize(
    ("junk", "reason"),
    [
        (lambda token: "junk." * 2 + "junk", "bad_token"),
        (_tampered, "bad_signature"),
        (lambda token: f"{_segment({'alg': 'none', 'kid': 'k'})}.{token.split('.')[1]}.", "bad_alg"),
    ],
)
def test_junk_id_token_is_refused_without_a_stored_row(platform, tool, app, junk, reason):
    _login, fields = _id_token_form(platform, new_browser(verify=False))
    response = _cookieless_launch(platform, fields, id_token=junk(fields["id_token"]))
    assert response.status_code == 400 and f"Reference for support: {reason}" in response.text
    assert 'id="lti-storage"' not in response.text and _stored(app) == []
    # the nonce was not used: the genuine id_token of that login still gets its ticket
    genuine = _cookieless_launch(platform, fields)
    assert genuine.status_code == 200 and 'name="lti_storage_ticket"' in genuine.text


def test_id_token_of_another_login_is_refused_for_this_state(platform, tool, app):
    _login, first = _id_token_form(platform, new_browser(verify=False))
    _login, second = _id_token_form(platform, new_browser(verify=False))
    response = _cookieless_launch(platform, first, id_token=second["id_token"])  # signed, but another nonce
    assert response.status_code == 400 and "nonce_mismatch" in response.text
    assert _stored(app) == []


def test_one_state_gets_one_ticket(platform, tool, app):
    login_page, fields, page, cookieless = _bridge(platform, tool)
    assert len(_stored(app)) == 2  # the ticket and its state's mark
    again = _cookieless_launch(platform, fields)
    assert again.status_code == 400 and "state_unknown" in again.text
    assert len(_stored(app)) == 2
    # the first ticket still completes the launch
    done = cookieless.post(platform.launch_url, data=_completion(fields, page, login_page), headers={"Origin": tool.url}, allow_redirects=False)
    assert done.status_code == 200, done.text
    assert _attr(page, "data-state-key") == "state_" + fields["state"]


@pytest.mark.parametrize(
    ("base", "origin", "status", "reason"),
    [
        ("https://tandem.example:443", "https://tandem.example", 400, "state_unknown"),  # same origin: on to the ticket
        ("https://tandem.example", "https://tandem.example:443", 400, "state_unknown"),
        ("http://tandem.example:80", "http://TANDEM.example", 400, "state_unknown"),
        ("https://tandem.example:443", "https://tandem.example:8443", 403, "storage_forged"),
        ("https://tandem.example:443", "http://tandem.example", 403, "storage_forged"),
    ],
)
def test_completion_origin_ignores_default_ports(database_url, tmp_path, base, origin, status, reason):
    from plugin import create_app
    from tests.conftest import _config

    app = create_app(_config(database_url, tmp_path / "instance", TANDEM_BASE_URL=base))
    client = app.test_client()
    for header in ("Origin", "Referer"):
        sent = origin if header == "Origin" else origin + "/lti/launch"
        response = client.post("/lti/launch", data={"lti_storage_ticket": "no-such-ticket"}, headers={header: sent})
        assert response.status_code == status and reason in response.get_data(as_text=True), (header, response.status_code)


# -- Chromium: a course page on another origin than the platform's OIDC endpoint --------------------


@pytest.fixture(scope="module")
def chromium_thread() -> Iterator[PlaywrightThread]:
    runner = storage_chromium()
    yield runner
    runner.close()


def _course_page(platform: StoragePlatform, token: str) -> str:
    """A course page that answers lti.capabilities itself, naming a storage frame served from the platform's origin."""
    handler = "<script>" + HANDLER_JS.replace("CONFIG", json.dumps({"frame": "storage_frame", "tamper": False})) + "</script>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Course</title>' + handler + "</head><body>"
        f'<iframe name="storage_frame" title="Storage" hidden src="{platform.url}/post_message_forwarding"></iframe>'
        f'<iframe id="contentframe" name="contentframe" title="Tandem" src="{platform.url}/initiate/{token}"></iframe>'
        "</body></html>"
    )


@pytest.mark.browser
def test_capabilities_answered_by_a_course_page_on_another_origin(chromium_thread, platform, tool, tls_cert):
    """As on Canvas: the course page (which answers lti.capabilities) is not on the OIDC origin; the storage frame it
    names is. The tool asks capabilities with targetOrigin "*", then puts and gets in that frame with the OIDC origin."""
    from flask import Flask

    from tests.conftest import ServedApp

    # the login names a frame the page does not have, so the tool must ask lti.capabilities of the page
    token = platform.course_url(storage_target="gone_frame", user_id="storage-other-origin").split("/course/")[1].split("?")[0]
    lms = Flask("course-page")
    lms.add_url_rule("/course", "course", lambda: _course_page(platform, token))

    def work(tools: dict[str, Any], url: str) -> dict[str, Any]:
        page = tools["blocked"].new_page()
        try:
            frame, _posts = _launch_in_course(page, url + "/course", tool.url, "/home")
            return {
                "h1": frame.locator("h1").first.inner_text(),
                "page_log": page.main_frame.evaluate("window.ltiStorageLog"),
                "storage_log": page.frame(name="storage_frame").evaluate("window.ltiStorageLog"),
            }
        finally:
            page.close()

    with ServedApp(lms, tls_cert) as course:  # 127.0.0.1 on a port of its own: another origin, on the local network
        assert course.url != platform.url
        seen = chromium_thread.run(lambda tools: work(tools, course.url))
    assert seen["h1"]  # the launch completed through platform storage in the iframe
    assert {entry["subject"] for entry in seen["page_log"]} == {"lti.capabilities"}
    stored = {(entry["subject"], (entry["key"] or "").split("_", 1)[0]) for entry in seen["storage_log"]}
    assert stored == {("lti.put_data", "state"), ("lti.put_data", "nonce"), ("lti.get_data", "state"), ("lti.get_data", "nonce")}
    assert {entry["origin"] for entry in seen["storage_log"]} == {tool.url}
