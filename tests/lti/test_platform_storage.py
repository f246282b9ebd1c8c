"""LTI platform storage (lti_storage_target, lti.put_data / lti.get_data) when the browser refuses cookies.

The platform is the harness (lti1p3platform) with the platform side of the LTI Client Side postMessages
spec (``tests/harness/platform_storage.py``). The HTTP tests play the browser's part with requests (the
values the bridging page's script would post); the browser tests run real Chromium, once with a profile
that blocks every cookie (the state cookie is refused, the launch completes inside the course page's
iframe through platform storage) and once with cookies allowed (the cookie path, storage never asked).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import register_platform
from tests.harness.browser import new_browser, parse_forms
from tests.harness.platform_storage import StoragePlatform
from tests.harness.playwright_thread import PlaywrightThread

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture
def platform(tool, app) -> Iterator[StoragePlatform]:
    with StoragePlatform(tool_base_url=tool.url, tool_verify=False) as plat:
        register_platform(app, plat)
        yield plat


def _attr(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', page)
    assert match, f"{name} not in page"
    return html.unescape(match.group(1))


def _id_token_form(platform: StoragePlatform, browser, **options: Any) -> tuple[Any, dict[str, str]]:
    """Login (with lti_storage_target) and the platform's auth answer: (login response, id_token form)."""
    login = browser.post(platform.login_url, data=platform.storage_initiation(**options), allow_redirects=False)
    assert login.status_code == 200, login.text
    auth = browser.get(_attr(login.text, "data-auth-url"), allow_redirects=False)
    form = parse_forms(auth.text)[0]
    return login, dict(form.fields)


def _bridge(platform: StoragePlatform, tool) -> tuple[str, dict[str, str], str, Any]:
    """A cookie-less launch: (login page, id_token form, launch page) — the state cookie never came back."""
    browser = new_browser(verify=False)
    login, fields = _id_token_form(platform, browser)
    cookieless = new_browser(verify=False)
    page = cookieless.post(platform.launch_url, data=fields, allow_redirects=False)
    assert page.status_code == 200, page.text
    return login.text, fields, page.text, cookieless


def _completion(fields: dict[str, str], page: str, login_page: str, **override: str) -> dict[str, str]:
    return {
        "lti_storage_ticket": _attr(page, 'name="lti_storage_ticket" value'),
        "lti_storage_state": _attr(login_page, "data-state"),
        "lti_storage_nonce": _attr(login_page, "data-nonce"),
        **override,
    }


def test_login_offering_storage_renders_the_storing_page_and_still_sets_the_cookie(platform, tool):
    browser = new_browser(verify=False)
    login = browser.post(platform.login_url, data=platform.storage_initiation(), allow_redirects=False)
    assert login.status_code == 200
    assert any(c.name.startswith("lti1p3-state-") for c in browser.cookies)  # the cookie path stays first
    page = login.text
    state, nonce = _attr(page, "data-state"), _attr(page, "data-nonce")
    assert _attr(page, "data-state-key") == "state_" + state and _attr(page, "data-nonce-key") == "nonce_" + nonce
    assert _attr(page, "data-platform-origin") == platform.url  # targetOrigin: the platform's OIDC origin
    assert _attr(page, "data-target") == "_parent"
    assert _attr(page, "data-auth-url").startswith(platform.auth_url + "?")
    assert "<noscript>" in page and '<html lang="' in page and "<title>" in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/lti-storage.js">']  # no inline script
    assert "script-src 'self'" in login.headers["Content-Security-Policy"]
    assert login.headers["Cache-Control"] == "no-store"


def test_login_without_storage_target_redirects_as_before(platform, browser):
    params = platform.storage_initiation()
    params.pop("lti_storage_target")
    response = browser.post(platform.login_url, data=params, allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].startswith(platform.auth_url)


def test_bad_storage_target_is_ignored(platform, browser):
    response = browser.post(
        platform.login_url, data=platform.storage_initiation(storage_target='x"><script>'), allow_redirects=False
    )
    assert response.status_code == 302


def test_cookieless_launch_completes_with_the_platforms_values_once(platform, tool):
    login_page, fields, page, cookieless = _bridge(platform, tool)
    assert "id_token" not in page and fields["id_token"] not in page  # the token stays server-side
    assert _attr(page, "data-state-key") == "state_" + fields["state"]
    assert _attr(page, 'id="lti-storage-form" method="post" action') == platform.launch_url
    completion = _completion(fields, page, login_page)
    done = cookieless.post(platform.launch_url, data=completion, headers={"Origin": tool.url}, allow_redirects=False)
    assert done.status_code == 200, done.text
    assert "Mentoring 101" in done.text or "Tandem" in done.text
    assert "could not open" not in done.text
    again = cookieless.post(platform.launch_url, data=completion, headers={"Origin": tool.url}, allow_redirects=False)
    assert again.status_code == 400 and "Tandem could not open" in again.text and "state_unknown" in again.text
    replay = cookieless.post(platform.launch_url, data=fields, allow_redirects=False)  # one ticket per state
    assert replay.status_code == 400 and "state_unknown" in replay.text


@pytest.mark.parametrize(
    ("override", "headers", "status", "reason"),
    [
        ({"lti_storage_state": "state-of-another-login"}, {}, 403, "storage_mismatch"),
        ({"lti_storage_nonce": "another-nonce"}, {}, 403, "storage_mismatch"),
        ({"lti_storage_ticket": "forged-ticket"}, {}, 400, "state_unknown"),
        ({}, {"Origin": "http://evil.example"}, 403, "storage_forged"),
        ({"lti_storage_state": "", "lti_storage_error": "bad_request"}, {}, 403, "cookies_blocked"),
    ],
)
def test_forged_or_failed_storage_answers_are_refused(platform, tool, override, headers, status, reason):
    login_page, fields, page, cookieless = _bridge(platform, tool)
    sent = {"Origin": tool.url, **headers}
    response = cookieless.post(platform.launch_url, data=_completion(fields, page, login_page, **override), headers=sent)
    assert response.status_code == status
    assert "Tandem could not open" in response.text and f"Reference for support: {reason}" in response.text
    if reason == "cookies_blocked":
        assert "lti1p3_new_window=1" in response.text  # the new-window fallback


def test_completion_without_origin_or_referrer_is_refused(platform, tool):
    login_page, fields, page, cookieless = _bridge(platform, tool)
    response = cookieless.post(platform.launch_url, data=_completion(fields, page, login_page))
    assert response.status_code == 403 and "storage_forged" in response.text


def test_cookie_that_came_back_needs_no_storage(platform, tool):
    browser = new_browser(verify=False)
    _login, fields = _id_token_form(platform, browser)
    response = browser.post(platform.launch_url, data=fields, allow_redirects=False)
    assert response.status_code == 200 and 'id="lti-storage"' not in response.text


def test_cookieless_launch_of_a_login_without_storage_gets_the_new_window_fallback(platform, tool):
    browser = new_browser(verify=False)
    params = platform.storage_initiation()
    params.pop("lti_storage_target")
    login = browser.post(platform.login_url, data=params, allow_redirects=False)
    auth = browser.get(login.headers["Location"], allow_redirects=False)
    fields = dict(parse_forms(auth.text)[0].fields)
    response = new_browser(verify=False).post(platform.launch_url, data=fields, allow_redirects=False)
    assert response.status_code == 403 and "lti1p3_new_window=1" in response.text


# -- Chromium ---------------------------------------------------------------------------------------


def storage_chromium() -> PlaywrightThread:
    """Chromium in a Playwright thread of its own (the browser tests' session Chromium may be running in this
    worker): ``blocked``, a persistent profile refusing every cookie, and ``browser``, an ordinary one."""
    profile = tempfile.mkdtemp(prefix="tandem-nocookies-")
    os.makedirs(os.path.join(profile, "Default"))
    # Block every cookie (content setting 2): the state cookie and the session cookie are refused.
    with open(os.path.join(profile, "Default", "Preferences"), "w", encoding="utf-8") as prefs:
        json.dump({"profile": {"default_content_setting_values": {"cookies": 2}}}, prefs)
    kwargs: dict[str, Any] = {"executable_path": shutil.which("chromium"), "args": CHROMIUM_ARGS}

    def setup(pw):
        return {"blocked": pw.chromium.launch_persistent_context(profile, ignore_https_errors=True, **kwargs), "browser": pw.chromium.launch(**kwargs)}

    def teardown(tools) -> None:
        tools["blocked"].close()
        tools["browser"].close()
        shutil.rmtree(profile, ignore_errors=True)

    return PlaywrightThread(setup, teardown, name="playwright-storage")


@pytest.fixture(scope="module")
def chromium_thread() -> Iterator[PlaywrightThread]:
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: `make browser` (apt-get install chromium) installs it")
    runner = storage_chromium()
    yield runner
    runner.close()


def _launch_in_course(page, course_url: str, tool_url: str, expect_path: str) -> tuple[Any, list[dict[str, Any]]]:
    """Open the course page; wait until the tool frame shows ``expect_path``; (tool frame, storage requests)."""
    posts: list[dict[str, Any]] = []

    def on_request(req: Any) -> None:
        if req.method == "POST" and req.url == tool_url + "/lti/launch":
            posts.append({"data": req.post_data, "headers": req.headers})

    page.on("request", on_request)
    page.goto(course_url)
    frame = page.frame(name="contentframe")
    assert frame is not None
    frame.wait_for_url(tool_url + expect_path, timeout=30_000)
    frame.wait_for_load_state()
    return frame, posts


def _storage_log(page, frame_name: str | None = None) -> list[dict[str, Any]]:
    target = page.frame(name=frame_name) if frame_name else page.main_frame
    return target.evaluate("window.ltiStorageLog")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("target", "answer_in"),
    [("_parent", "_parent"), ("post_message_forwarding", "post_message_forwarding"), ("gone_frame", "_parent")],
)
def test_cookie_refusing_chromium_launches_inside_the_iframe_through_platform_storage(
    chromium_thread, platform, tool, target, answer_in
):
    course = platform.course_url(storage_target=target, answer_in=answer_in, user_id="storage-" + target)

    def work(tools: dict[str, Any]) -> dict[str, Any]:
        page = tools["blocked"].new_page()
        try:
            frame, posts = _launch_in_course(page, course, tool.url, "/home")
            return {
                "h1": frame.locator("h1").first.inner_text(),
                "log": _storage_log(page, None if answer_in == "_parent" else answer_in),
                "cookies": tools["blocked"].cookies(),
                "posts": posts,
            }
        finally:
            page.close()

    seen = chromium_thread.run(work)
    assert seen["cookies"] == []  # every cookie was refused
    subjects = [(entry["subject"], (entry["key"] or "").split("_", 1)[0]) for entry in seen["log"]]
    assert ("lti.put_data", "state") in subjects and ("lti.put_data", "nonce") in subjects
    assert ("lti.get_data", "state") in subjects and ("lti.get_data", "nonce") in subjects
    # lti.capabilities only when the login's target frame is not there (then it names the frame to use)
    assert (("lti.capabilities", "") in subjects) == (target != answer_in)
    assert {entry["origin"] for entry in seen["log"]} == {tool.url}
    assert seen["h1"]  # the landing page (role home) rendered in the iframe
    platform_launches = [p for p in seen["posts"] if "id_token=" in (p["data"] or "")]
    completions = [p for p in seen["posts"] if "lti_storage_ticket=" in (p["data"] or "")]
    assert len(platform_launches) == 1 and len(completions) == 1
    assert completions[0]["headers"].get("origin") == tool.url
    # the same completion again (a replay, with the right Origin): refused, the ticket was used
    replay = new_browser(verify=False).post(
        platform.launch_url,
        data=completions[0]["data"],
        headers={"Origin": tool.url, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert replay.status_code == 400 and "state_unknown" in replay.text


@pytest.mark.browser
def test_platform_answering_with_another_logins_state_is_refused_in_the_iframe(chromium_thread, platform, tool):
    course = platform.course_url(tamper=True, user_id="storage-tamper")

    def work(tools: dict[str, Any]) -> dict[str, Any]:
        page = tools["blocked"].new_page()
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if r.url == tool.url + "/lti/launch" else None)
        try:
            frame, _posts = _launch_in_course(page, course, tool.url, "/lti/launch")
            frame.locator("text=Reference for support").wait_for()
            return {"text": frame.locator("main").inner_text(), "statuses": statuses}
        finally:
            page.close()

    seen = chromium_thread.run(work)
    assert "Tandem could not open" in seen["text"] and "storage_mismatch" in seen["text"]
    assert seen["statuses"] == [200, 403]  # the bridging page, then the refusal


@pytest.mark.browser
def test_cookie_path_still_works_when_cookies_are_allowed(chromium_thread, platform, tool):
    course = platform.course_url(user_id="storage-cookies")

    def work(tools: dict[str, Any]) -> dict[str, Any]:
        context = tools["browser"].new_context(ignore_https_errors=True)
        page = context.new_page()
        try:
            _frame, posts = _launch_in_course(page, course, tool.url, "/home")
            return {"log": _storage_log(page), "posts": posts, "cookies": context.cookies()}
        finally:
            context.close()

    seen = chromium_thread.run(work)
    assert any(c["name"].startswith("lti1p3-state-") for c in seen["cookies"])
    assert [entry["subject"] for entry in seen["log"] if entry["subject"] == "lti.get_data"] == []  # storage not needed
    assert len(seen["posts"]) == 1  # the platform's launch post only, no completion


def _serve(body: str) -> Callable[[Any], None]:
    return lambda route: route.fulfill(body=body, content_type="text/html; charset=utf-8")


@pytest.mark.browser
def test_bridging_pages_are_accessible(chromium_thread, platform, tool):
    from axe_playwright_python.sync_playwright import Axe

    login_page, _fields, launch_page, _browser = _bridge(platform, tool)
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}

    def work(tools: dict[str, Any]) -> list[str]:
        context = tools["browser"].new_context(ignore_https_errors=True)
        page = context.new_page()
        # The pages as Tandem served them, held still: their script (which moves on at once) answers empty.
        page.route(tool.url + "/static/js/lti-storage.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
        reports = []
        try:
            for name, body in (("login", login_page), ("launch", launch_page)):
                url = f"{tool.url}/axe/{name}"
                page.route(url, _serve(body))
                page.goto(url)
                results = Axe().run(page, options=options)
                if results.violations_count:
                    reports.append(results.generate_report())
        finally:
            context.close()
        return reports

    assert chromium_thread.run(work) == []


@pytest.mark.browser
def test_harness_platform_answers_in_the_shapes_of_the_spec(chromium_thread, platform):
    script = """async () => {
        const answers = [];
        window.addEventListener("message", (e) => { if (/\\.response$/.test(e.data.subject)) answers.push(e.data); });
        const send = (m) => window.postMessage(m, window.location.origin);
        send({subject: "lti.capabilities", message_id: "m1"});
        send({subject: "lti.put_data", message_id: "m2", key: "state_abc", value: "abc"});
        send({subject: "lti.get_data", message_id: "m3", key: "state_abc"});
        send({subject: "lti.get_data", message_id: "m4", key: "state_unknown"});
        send({subject: "lti.put_data", message_id: "m5", key: "big", value: "x".repeat(5000)});
        send({subject: "lti.put_data", message_id: "m6", value: "no key"});
        send({subject: "lti.get_fancy", message_id: "m7"});
        await new Promise((resolve) => setTimeout(resolve, 300));
        return answers;
    }"""

    def work(tools: dict[str, Any]) -> list[dict[str, Any]]:
        context = tools["browser"].new_context()
        page = context.new_page()
        try:
            page.goto(platform.url + "/post_message_forwarding")
            return page.evaluate(script)
        finally:
            context.close()

    answers = {answer["message_id"]: answer for answer in chromium_thread.run(work)}
    assert answers["m1"]["subject"] == "lti.capabilities.response"
    assert {m["subject"] for m in answers["m1"]["supported_messages"]} >= {"lti.put_data", "lti.get_data"}
    assert answers["m2"] == {"subject": "lti.put_data.response", "message_id": "m2", "key": "state_abc", "value": "abc"}
    assert answers["m3"] == {"subject": "lti.get_data.response", "message_id": "m3", "key": "state_abc", "value": "abc"}
    assert answers["m4"]["error"]["code"] == "bad_request" and "value" not in answers["m4"]
    assert answers["m5"]["error"]["code"] == "storage_exhausted"
    assert answers["m6"]["error"]["code"] == "bad_request"
    assert answers["m7"] == {
        "subject": "lti.get_fancy.response",
        "message_id": "m7",
        "error": {"code": "unsupported_subject", "message": "subject lti.get_fancy is not supported"},
    }
