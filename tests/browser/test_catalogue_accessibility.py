"""WCAG 2.1 AA (axe-core in Chromium) on every page of the module catalogue, in English and Dutch.

The pages are reached the way people reach them: a real launch from the platform, then links,
filters and forms in the browser; nothing is loaded from outside Tandem and the platform.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
E_REPUTATION = (Path(__file__).resolve().parents[2] / "curricula/modules/e-reputation.toml").read_text(encoding="utf-8")
MY_MODULE = E_REPUTATION.replace('slug = "e-reputation"', 'slug = "my-module"').replace("E-reputation and trust", "My own module").replace("E-reputatie en vertrouwen", "Mijn eigen module")


def _check(page, tool_url: str, platform_url: str, what: str) -> None:
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"
    allowed = (urlparse(tool_url).netloc, urlparse(platform_url).netloc)
    external = [u for u in page.requested_urls if urlparse(u).netloc not in allowed and not u.startswith(("data:", "about:"))]
    assert not external, external


def _launch(page, platform, tool, role: str, locale: str) -> None:
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=f"{role[-8:]}-{locale}"))
    page.wait_for_url(f"{tool.url}/home")


def _upload(page, name: str, text: str) -> None:
    page.locator("input[type=file]").set_input_files({"name": name, "mimeType": "application/toml", "buffer": text.encode("utf-8")})
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_catalogue_and_module_pages_are_accessible(page, platform, tool, locale):
    _launch(page, platform, tool, LEARNER, locale)
    page.locator("main a[href='/modules']").click()
    page.wait_for_url(f"{tool.url}/modules")
    assert page.locator("html").get_attribute("lang") == locale
    _check(page, tool.url, platform.url, "catalogue")

    page.locator("#function").select_option("skills")
    page.locator("#competence").select_option("digcomp:5.2")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/modules?*")
    assert page.locator(".module-card").count() == 2
    _check(page, tool.url, platform.url, "filtered catalogue")

    page.goto(f"{tool.url}/modules?q=no+such+words+anywhere")
    assert page.locator(".empty-state").count() == 1
    _check(page, tool.url, platform.url, "empty catalogue")

    page.goto(f"{tool.url}/modules/e-reputation")
    assert page.locator("section.track").count() == 2
    _check(page, tool.url, platform.url, "module page")


def test_module_tracks_sit_side_by_side_and_stack_when_narrow(page, platform, tool):
    _launch(page, platform, tool, LEARNER, "en")
    page.goto(f"{tool.url}/modules/e-reputation")
    digital, expertise = (page.locator("section.track").nth(i).bounding_box() for i in (0, 1))
    assert abs(digital["y"] - expertise["y"]) < 2 and expertise["x"] > digital["x"]  # 800 px: two columns
    page.set_viewport_size({"width": 600, "height": 900})
    digital, expertise = (page.locator("section.track").nth(i).bounding_box() for i in (0, 1))
    assert expertise["y"] > digital["y"] + digital["height"] - 1  # narrow: stacked
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_upload_report_preview_and_manage_pages_are_accessible(page, platform, tool, locale):
    _launch(page, platform, tool, INSTRUCTOR, locale)
    page.goto(f"{tool.url}/modules/manage")
    assert page.locator(".empty-state").count() == 1
    _check(page, tool.url, platform.url, "manage page, nothing uploaded")

    page.goto(f"{tool.url}/modules/upload")
    _check(page, tool.url, platform.url, "upload page")

    _upload(page, "broken.toml", MY_MODULE.replace('nl = "Mijn eigen module"\n', ""))
    assert page.locator("[role=alert]").count() == 1
    _check(page, tool.url, platform.url, "upload error report")

    page.locator("main form button[type=submit]").click()  # no file chosen: the form's own error
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 1
    _check(page, tool.url, platform.url, "upload form error")

    _upload(page, "my-module.toml", MY_MODULE)
    page.wait_for_url(f"{tool.url}/modules/my-module/v1")
    _check(page, tool.url, platform.url, "draft preview")

    page.goto(f"{tool.url}/modules/manage")
    assert page.locator("tbody tr").count() == 1
    _check(page, tool.url, platform.url, "manage page")

    page.locator("tbody a[href$='/withdraw']").click()
    page.wait_for_url(f"{tool.url}/modules/manage/*/withdraw")
    _check(page, tool.url, platform.url, "withdraw confirmation")
