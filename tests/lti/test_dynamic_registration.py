"""Dynamic registration as Moodle drives it, and the registration is then usable for launches."""

from __future__ import annotations

import sqlalchemy as sa

from urllib.parse import urljoin

from tests.harness.browser import follow, parse_forms
from tests.harness.platform import TestPlatform


def _register(platform: TestPlatform, tool, browser, token: str | None = None):
    url = platform.registration_initiation_url(tool.url + "/lti/register", token)
    page = browser.get(url)
    assert page.status_code == 200, page.text[:500]
    [form] = [f for f in parse_forms(page.text) if "registration_token" in dict(f.fields)]
    fields = dict(form.fields)
    fields["organisation"] = "Hogeschool Noord"
    # The form posts back to the page's own URL (no action attribute), as a browser would.
    return browser.post(urljoin(page.url, form.action or page.url), data=fields)


def test_moodle_style_dynamic_registration_then_launch(app, tool, browser):
    from plugin.extensions import db
    from plugin.models import Deployment, Organisation, Registration

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="unused") as platform:
        response = _register(platform, tool, browser)
        assert response.status_code == 200, response.text[:800]
        assert "Registered with moodle" in response.text
        assert "registration-close.js" in response.text
        close_js = browser.get(tool.url + "/static/js/registration-close.js").text
        assert "org.imsglobal.lti.close" in close_js
        [client_id] = list(platform.registrations)
        sent = platform.registrations[client_id]["request"]
        assert sent["token_endpoint_auth_method"] == "private_key_jwt"
        tool_conf = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        assert tool_conf["domain"] == tool.url.split("://")[1]
        with app.app_context():
            reg = db.session.scalars(sa.select(Registration)).one()
            assert (reg.issuer, reg.client_id) == (platform.issuer, client_id)
            assert db.session.scalars(sa.select(Deployment.deployment_id)).all() == ["1"]
            assert db.session.scalars(sa.select(Organisation.name)).all() == ["Hogeschool Noord"]
        platform.adopt_registration(client_id)
        result = platform.launch(browser)
        assert result.response.status_code == 200, result.response.text[:500]
        assert "Your mentoring programme" in follow(browser, result.response).text


def test_registration_token_is_single_use_and_nothing_is_stored_twice(app, tool, browser):
    from plugin.extensions import db
    from plugin.models import Registration

    with TestPlatform(tool_base_url=tool.url, tool_verify=False) as platform:
        token = platform.new_registration_token()
        assert _register(platform, tool, browser, token).status_code == 200
        again = _register(platform, tool, browser, token)
        assert again.status_code == 400
        assert "refused the registration" in again.text
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1


def test_registration_page_without_platform_configuration_explains(tool, browser):
    response = browser.get(tool.url + "/lti/register")
    assert response.status_code == 400
    assert "paste its address" in response.text


def test_unreachable_configuration_is_a_clear_4xx(tool, browser):
    response = browser.get(tool.url + "/lti/register", params={"openid_configuration": "http://127.0.0.1:9/none", "registration_token": "x"})
    assert response.status_code == 400
    assert "cannot read the platform configuration" in response.text
