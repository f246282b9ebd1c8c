"""Deep linking driven by a real platform: trainers place modules; the platform validates the signed response."""

from __future__ import annotations

import pytest

from tests.harness.browser import parse_forms

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
DL = "LtiDeepLinkingRequest"


def _picker(platform, browser, **settings):
    result = platform.launch(browser, message_type=DL, deep_linking_settings=settings or None)
    assert result.response.status_code == 200, result.response.text[:400]
    [form] = [f for f in parse_forms(result.response.text) if "/lti/deep-link/" in (f.action or "")]
    return result, form


def _submit(browser, tool, form, keys):
    data = [("csrf_token", dict(form.fields)["csrf_token"])] + [("item", k) for k in keys]
    return browser.post(tool.url + form.action, data=data, allow_redirects=False)


def _return_to_platform(browser, response):
    [form] = [f for f in parse_forms(response.text) if "JWT" in dict(f.fields)]
    return browser.post(form.action, data=dict(form.fields))


def test_multi_select_places_several_modules_with_gradebook_columns(platform, browser, tool):
    result, form = _picker(platform, browser, accept_multiple=True, data="opaque-data-123")
    assert 'type="checkbox"' in result.response.text
    assert "E-reputation and trust" in result.response.text
    response = _submit(browser, tool, form, ["e-reputation@1", "collaboration-platforms@1"])
    assert response.status_code == 200, response.text[:400]
    back = _return_to_platform(browser, response)
    assert back.status_code == 200, back.text
    received = platform.last_deep_link_response
    assert received["ok"], received["errors"]
    claims = received["claims"]
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data-123"
    assert claims["iss"] == platform.client_id
    items = received["content_items"]
    assert sorted((i["custom"]["tandem_module"], i["custom"]["tandem_version"]) for i in items) == [
        ("collaboration-platforms", "1"),
        ("e-reputation", "1"),
    ]
    for item in items:
        assert item["type"] == "ltiResourceLink"
        assert item["url"] == tool.url + "/lti/launch"
        assert item["title"] and item["text"]
        line = item["lineItem"]
        assert line["scoreMaximum"] == 100 and line["resourceId"] == item["custom"]["tandem_module"]
        assert line["tag"] == "tandem-module" and line["label"] == item["title"]


def test_single_select_offers_radios_and_refuses_two(platform, browser, tool):
    result, form = _picker(platform, browser, accept_multiple=False)
    assert 'type="radio"' in result.response.text and 'type="checkbox"' not in result.response.text
    refused = _submit(browser, tool, form, ["e-reputation@1", "new-software@1"])
    assert refused.status_code == 400 and "one item at a time" in refused.text
    response = _submit(browser, tool, form, ["new-software@1"])
    assert _return_to_platform(browser, response).status_code == 200
    received = platform.last_deep_link_response
    assert received["ok"], received["errors"]
    assert len(received["content_items"]) == 1
    assert received["claims"]["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data-123"  # the harness default, echoed


def test_dutch_picker_offers_dutch_titles(platform, browser, tool):
    result = platform.launch(browser, message_type=DL, locale="nl")
    assert "E-reputatie en vertrouwen" in result.response.text
    assert "Digitale mentor geeft les:" in result.response.text


def test_only_accepted_types_are_offered(platform, browser):
    result = platform.launch(browser, message_type=DL, deep_linking_settings={"accept_types": ["link"]})
    assert result.response.status_code in (200, 400)
    assert "E-reputation and trust" not in result.response.text


def test_participants_cannot_place_content(platform, browser, tool):
    result = platform.launch(browser, message_type=DL, roles=[LEARNER])
    assert result.response.status_code == 403


def test_launching_a_placed_link_opens_that_module_and_version(platform, browser, tool):
    result = platform.launch(browser, roles=[LEARNER], custom={"Tandem_Module": "e-reputation", "TANDEM_VERSION": "1"})
    assert result.response.status_code == 303
    assert result.response.headers["Location"].endswith("/modules/e-reputation/v1")


@pytest.mark.parametrize(
    "custom",
    [
        pytest.param({"tandem_module": "no-such-module", "tandem_version": "1"}, id="unknown-module"),
        pytest.param({"tandem_module": "e-reputation", "tandem_version": "99"}, id="unknown-version"),
        pytest.param({"tandem_module": "e-reputation", "tandem_version": "one"}, id="bad-version"),
    ],
)
def test_unknown_module_link_gets_a_clear_404(platform, browser, custom):
    result = platform.launch(browser, roles=[LEARNER], custom=custom)
    assert result.response.status_code == 404
    assert "Ask your trainer" in result.response.text
