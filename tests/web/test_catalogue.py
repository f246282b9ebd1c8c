"""The module catalogue over real HTTPS, after real LTI launches: browse, filter, read, export, upload, publish, withdraw."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from plugin.domain.catalogue import parse_module
from tests.conftest import register_platform
from tests.harness.browser import follow, new_browser
from tests.harness.platform import TestPlatform

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = VOCAB + "membership#Instructor"
LEARNER = VOCAB + "membership#Learner"
ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.stem for p in (ROOT / "curricula/modules").glob("*.toml"))
E_REPUTATION = (ROOT / "curricula/modules/e-reputation.toml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- helpers


def launch(platform, browser, role: str = LEARNER, **kwargs) -> None:
    result = platform.launch(browser, roles=[role], **kwargs)
    assert result.response.status_code == 200, result.response.text[:500]


def page(browser, tool, path: str, status: int = 200, **params) -> str:
    response = browser.get(tool.url + path, params=params, allow_redirects=False)
    assert response.status_code == status, (path, response.status_code, response.text[:800])
    return html.unescape(response.text)


def listed(text: str) -> list[str]:
    """The slugs of the modules the catalogue page lists."""
    return re.findall(r'<h3><a href="/modules/([a-z0-9-]+)">', text)


def csrf_token(browser, tool, path: str = "/modules/upload") -> str:
    return browser.get(tool.url + path).text.split('name="csrf_token" value="')[1].split('"')[0]


def my_module(version: int = 1, title: str = "My own module", titel: str = "Mijn eigen module") -> str:
    text = E_REPUTATION.replace('slug = "e-reputation"', 'slug = "my-module"').replace("version = 1", f"version = {version}", 1)
    return text.replace('en = "E-reputation and trust"', f'en = "{title}"').replace('nl = "E-reputatie en vertrouwen"', f'nl = "{titel}"')


def upload(browser, tool, text: str, filename: str = "my-module.toml", token: str | None = None):
    token = csrf_token(browser, tool) if token is None else token
    files = {"file": (filename, text.encode("utf-8"), "application/toml")}
    return browser.post(tool.url + "/modules/upload", data={"csrf_token": token}, files=files, allow_redirects=False)


def draft_id_of(app, slug: str, version: int) -> int:
    from plugin.extensions import db
    from plugin.models import OrgModule

    with app.app_context():
        return db.session.scalar(sa.select(OrgModule.id).where(OrgModule.slug == slug, OrgModule.version == version))


def stored(app) -> int:
    from plugin.extensions import db
    from plugin.models import OrgModule

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OrgModule))


def publish(browser, tool, app, slug: str = "my-module", version: int = 1):
    token = csrf_token(browser, tool, f"/modules/{slug}/v{version}")
    response = browser.post(f"{tool.url}/modules/manage/{draft_id_of(app, slug, version)}/publish", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return response


# ---------------------------------------------------------------- browsing


def test_catalogue_lists_every_module_the_organisation_offers(platform, browser, tool):
    launch(platform, browser)
    text = page(browser, tool, "/modules")
    assert sorted(listed(text)) == SHIPPED and len(SHIPPED) == 10
    assert '<p class="result-count" role="status">Your organisation offers 10 modules.</p>' in text
    card = text.split('<a href="/modules/e-reputation">')[1].split("</li>")[0]
    assert "E-reputation and trust" in card and "Relationship coaching" in card and "8 weeks, 5 sessions" in card
    assert "<dt>Digital mentor teaches</dt><dd>Monitoring and answering what is said online</dd>" in card
    assert "<dt>Senior expert teaches</dt><dd>Handling a problem with a business partner</dd>" in card


def test_catalogue_without_a_launch_asks_to_open_tandem_from_the_course(tool, browser):
    assert browser.get(tool.url + "/modules", allow_redirects=False).status_code == 401


def test_search_looks_in_titles_summaries_and_objectives_in_the_page_language(platform, browser, tool):
    launch(platform, browser)
    assert listed(page(browser, tool, "/modules", q="committee")) == ["collaboration-platforms"]  # a title
    assert listed(page(browser, tool, "/modules", q="NEGOTIATE")) == ["e-reputation"]  # an objective, any case
    assert listed(page(browser, tool, "/modules", q="attachments workspace")) == ["collaboration-platforms"]  # every word
    assert listed(page(browser, tool, "/modules", q="attachments negotiate")) == []
    assert listed(page(browser, tool, "/modules", q="kernboodschap")) == []  # Dutch words on an English page


def test_search_on_a_dutch_page_uses_the_dutch_texts(platform, browser, tool):
    launch(platform, browser, locale="nl")
    assert listed(page(browser, tool, "/modules", q="commissie")) == ["collaboration-platforms"]
    assert listed(page(browser, tool, "/modules", q="kernboodschap")) == ["conference-presentation"]
    text = page(browser, tool, "/modules", q="committee")
    assert listed(text) == [] and "Geen module past bij deze filters" in text


def test_mentor_function_filter(platform, browser, tool):
    launch(platform, browser)
    assert sorted(listed(page(browser, tool, "/modules", function="skills"))) == ["new-software", "technical-problems-and-alliances"]
    text = page(browser, tool, "/modules", function="personal")
    assert listed(text) == ["confidential-conversations"]
    assert '<p class="result-count" role="status">1 of 10 modules matches.</p>' in text


def test_competence_filter_is_grouped_by_framework(platform, browser, tool):
    launch(platform, browser)
    text = page(browser, tool, "/modules")
    assert '<optgroup label="DigComp 2.2">' in text and '<optgroup label="EntreComp">' in text and '<optgroup label="LifeComp">' in text
    assert '<option value="digcomp:2.6">DigComp 2.6 Managing digital identity</option>' in text
    assert sorted(listed(page(browser, tool, "/modules", competence="digcomp:2.6"))) == ["confidential-conversations", "e-reputation", "personal-branding"]
    assert sorted(listed(page(browser, tool, "/modules", competence="lifecomp:S3"))) == ["collaboration-platforms", "technical-problems-and-alliances"]
    text = page(browser, tool, "/modules", competence="digcomp:2.6", function="relationship_coaching")
    assert listed(text) == ["e-reputation"]
    assert '<option value="digcomp:2.6" selected>' in text


def test_track_filter_narrows_search_and_competence_to_that_track(platform, browser, tool):
    launch(platform, browser)
    # "attachments" occurs in an objective of the digital track of collaboration-platforms only
    assert listed(page(browser, tool, "/modules", q="attachments", side="digital_mentor")) == ["collaboration-platforms"]
    text = page(browser, tool, "/modules", q="attachments", side="senior_expert")
    assert listed(text) == [] and "No module matches these filters" in text and "0 of 10 modules match." in text
    assert listed(page(browser, tool, "/modules", competence="digcomp:2.6", side="senior_expert")) == []
    assert sorted(listed(page(browser, tool, "/modules", q="video", side="digital_mentor"))) == ["conference-presentation", "presence-at-work"]
    assert sorted(listed(page(browser, tool, "/modules", side="senior_expert"))) == SHIPPED  # every module has both tracks


def test_an_unknown_filter_value_is_reported_and_ignored(platform, browser, tool):
    launch(platform, browser)
    text = page(browser, tool, "/modules", competence="digcomp:9.9", side="nobody")
    assert sorted(listed(text)) == SHIPPED
    assert "No module offered here refers to this competence." in text and 'aria-invalid="true"' in text


# ---------------------------------------------------------------- module page


def test_module_page_shows_both_tracks_with_criteria_evidence_and_competences(platform, browser, tool):
    launch(platform, browser)
    text = page(browser, tool, "/modules/e-reputation")
    main = lambda t: t.split("<main")[1].split("</main>")[0]  # noqa: E731
    assert main(text) == main(page(browser, tool, "/modules/e-reputation/v1"))
    assert "<h1>E-reputation and trust</h1>" in text
    digital, expertise = text.split('<section class="track"')[1:]
    assert "Monitoring and answering what is said online" in digital and "Handling a problem with a business partner" in expertise
    assert "<dt>Taught by</dt><dd>Digital mentor</dd>" in digital and "<dt>Learned by</dt><dd>Senior expert</dd>" in digital
    assert "<dt>Taught by</dt><dd>Senior expert</dd>" in expertise and "<dt>Learned by</dt><dd>Digital mentor</dd>" in expertise
    assert "Sign-off criteria" in digital and "The reply contains no personal data about customers or colleagues." in digital
    assert "<li>DigComp 2.6 Managing digital identity, level 4 (Intermediate 4)</li>" in digital
    assert "<li>EntreComp 3.3 Coping with uncertainty, ambiguity and risk, level 4 (Intermediate - Dare)</li>" in expertise
    assert "<li>LifeComp L2 Critical thinking, level 4 (Intermediate 4, Tandem's own scale)</li>" in expertise
    assert "<dd>note, observation in a session</dd>" in digital
    assert "Activities" in digital and "Write a one-page response playbook together" in digital
    assert "Export" not in text  # participants read, trainers export


def test_module_page_in_dutch(platform, browser, tool):
    launch(platform, browser, locale="nl")
    text = page(browser, tool, "/modules/e-reputation")
    assert 'lang="nl"' in text and "<h1>E-reputatie en vertrouwen</h1>" in text
    digital, expertise = text.split('<section class="track"')[1:]
    assert "Digitale leerlijn" in digital and "Expertiseleerlijn" in expertise
    assert "<dt>Geeft les</dt><dd>Digitale mentor</dd>" in digital and "<dt>Leert</dt><dd>Senior expert</dd>" in digital
    assert "Aftekencriteria" in digital and "De reactie bevat geen persoonsgegevens van klanten of collega's." in digital
    assert "<li>DigComp 2.6 Beheren van de digitale identiteit, niveau 4 (Gemiddeld 4)</li>" in digital
    assert "niveau 4 (Gemiddeld 4, eigen schaal van Tandem)" in expertise
    assert "<dd>notitie, observatie in een sessie</dd>" in digital
    assert "Mentorfunctie" in text and "Coaching van relaties" in text and "8 weken, 5 sessies" in text


@pytest.mark.parametrize("path", ["/modules/no-such-module", "/modules/e-reputation/v2", "/modules/e-reputation/v0"])
def test_unknown_module_or_version_is_the_404_page(platform, browser, tool, path):
    launch(platform, browser)
    assert "This page does not exist." in page(browser, tool, path, status=404)


# ---------------------------------------------------------------- export


def test_export_gives_the_module_file_back(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    assert 'href="/modules/e-reputation/v1/export"' in page(browser, tool, "/modules/e-reputation")
    response = browser.get(tool.url + "/modules/e-reputation/v1/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=e-reputation-v1.toml"
    assert response.headers["Content-Type"].startswith("application/toml")
    catalogue = app.extensions["tandem_catalogue"]
    assert parse_module(response.content.decode("utf-8"), "export.toml", catalogue.frameworks) == catalogue.get("e-reputation", 1)


def test_participants_do_not_export(platform, browser, tool):
    launch(platform, browser)
    assert browser.get(tool.url + "/modules/e-reputation/v1/export").status_code == 403


# ---------------------------------------------------------------- upload, publish, withdraw


def test_uploaded_module_is_a_draft_until_published_and_only_for_its_organisation(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR, user_id="trainer-a")
    colleague = new_browser(verify=False)
    launch(platform, colleague, user_id="participant-a")

    response = upload(browser, tool, my_module())
    assert response.status_code == 303 and response.headers["Location"].endswith("/modules/my-module/v1")
    preview = html.unescape(follow(browser, response).text)
    assert "Preview of a draft" in preview and "<h1>My own module</h1>" in preview
    assert "Publish to my organisation" in preview and "Check the preview, then publish it." in preview
    assert preview.count('<section class="track"') == 2  # the same partials as the module page
    assert "my-module" not in listed(page(colleague, tool, "/modules"))  # a draft is not offered
    page(colleague, tool, "/modules/my-module/v1", status=404)
    assert "Draft" in page(browser, tool, "/modules/manage")

    published = follow(browser, publish(browser, tool, app))
    assert published.url.endswith("/modules/my-module/v1")
    assert "Published: everyone in your organisation can now choose this module." in html.unescape(published.text)
    assert "my-module" in listed(page(colleague, tool, "/modules"))
    assert "<h1>My own module</h1>" in page(colleague, tool, "/modules/my-module")
    assert "<h1>Mijn eigen module</h1>" not in page(colleague, tool, "/modules/my-module")

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        register_platform(app, other, organisation="Org B")
        stranger = new_browser(verify=False)
        launch(other, stranger, user_id="b1")
        assert sorted(listed(page(stranger, tool, "/modules"))) == SHIPPED
        page(stranger, tool, "/modules/my-module", status=404)
        page(stranger, tool, "/modules/my-module/v1", status=404)
        stranger_trainer = new_browser(verify=False)
        launch(other, stranger_trainer, role=INSTRUCTOR, user_id="b2")
        page(stranger_trainer, tool, "/modules/my-module/v1/export", status=404)
        assert "No uploaded modules yet" in page(stranger_trainer, tool, "/modules/manage")
        token = csrf_token(stranger_trainer, tool)
        refused = stranger_trainer.post(f"{tool.url}/modules/manage/{draft_id_of(app, 'my-module', 1)}/publish", data={"csrf_token": token}, allow_redirects=False)
        assert refused.status_code == 404


def test_uploading_the_same_version_again_stores_nothing_new(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    assert upload(browser, tool, my_module()).status_code == 303
    again = upload(browser, tool, my_module())
    assert again.status_code == 303
    assert "This version was uploaded before; nothing new was stored." in html.unescape(follow(browser, again).text)
    assert stored(app) == 1


def test_participants_cannot_upload_or_manage(platform, browser, tool, app):
    launch(platform, browser)
    page(browser, tool, "/modules/upload", status=403)
    page(browser, tool, "/modules/manage", status=403)
    token = csrf_token(browser, tool, "/modules")
    assert upload(browser, tool, my_module(), token=token).status_code == 403
    assert stored(app) == 0
    assert "Upload a module" not in page(browser, tool, "/modules")


def _broken_toml(text: str) -> tuple[str, int]:
    text = text.replace("sessions = 5", "sessions = ")
    return text, text.splitlines().index("sessions = ") + 1


def _no_dutch_title(text: str) -> tuple[str, int]:
    text = text.replace('nl = "Mijn eigen module"\n', "")
    return text, text.splitlines().index("[title]") + 1


def _unknown_competence(text: str) -> tuple[str, int]:
    text = text.replace('"digcomp:1.1@4"', '"digcomp:9.9@4"')
    return text, next(i for i, line in enumerate(text.splitlines(), 1) if "digcomp:9.9@4" in line)


@pytest.mark.parametrize(
    ("breaker", "field", "field_words", "message"),
    [
        (_broken_toml, None, None, "The file is not valid TOML: "),
        (_no_dutch_title, "title.nl", "Title › Dutch text", "The Dutch text is missing."),
        (
            _unknown_competence,
            "tracks.digital.objectives[0].competences",
            "Digital track › Objective 1 › Competences",
            "“digcomp:9.9@4”: the competence digcomp:9.9 does not exist in that framework.",
        ),
    ],
    ids=["bad-toml", "missing-dutch", "unknown-competence"],
)
def test_an_upload_error_names_file_line_and_field_and_stores_nothing(platform, browser, tool, app, breaker, field, field_words, message):
    launch(platform, browser, role=INSTRUCTOR)
    text, line = breaker(my_module())
    response = upload(browser, tool, text, filename="broken-module.toml")
    assert response.status_code == 400
    report = html.unescape(response.text).split('<div class="notice notice-error" role="alert"')[1].split("</div>")[0]
    assert "The file was not accepted" in report and message in report
    assert "<dt>File</dt><dd>broken-module.toml</dd>" in report
    assert f"<dt>Line</dt><dd>{line}</dd>" in report
    if field:
        assert f"<dt>Field</dt><dd>{field_words} (<code>{field}</code>)</dd>" in report
    assert "Nothing was stored." in report
    assert stored(app) == 0


def test_upload_error_report_in_dutch(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR, locale="nl")
    text, line = _no_dutch_title(my_module())
    response = upload(browser, tool, text)
    assert response.status_code == 400
    report = html.unescape(response.text)
    assert "Het bestand is niet geaccepteerd" in report and "De Nederlandse tekst ontbreekt." in report
    assert f"<dt>Regel</dt><dd>{line}</dd>" in report and "Titel › Nederlandse tekst" in report
    assert stored(app) == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("module.txt", b"slug = 'x'", "Upload a .toml file."),
        ("big.toml", b"#" * (256 * 1024 + 1), "The file is larger than 256 KB."),
        ("latin1.toml", "slug = \"caf\u00e9\"".encode("latin-1"), "The file is not UTF-8 text."),
    ],
)
def test_upload_form_refuses_what_is_not_a_module_file(platform, browser, tool, app, filename, content, message):
    launch(platform, browser, role=INSTRUCTOR)
    token = csrf_token(browser, tool)
    response = browser.post(tool.url + "/modules/upload", data={"csrf_token": token}, files={"file": (filename, content)}, allow_redirects=False)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert stored(app) == 0


def test_a_new_version_leaves_the_old_version_readable(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    upload(browser, tool, my_module())
    publish(browser, tool, app)
    refused = upload(browser, tool, my_module(title="Changed, same version"))
    assert refused.status_code == 400 and "Raise the version number" in html.unescape(refused.text)
    assert upload(browser, tool, my_module(version=2, title="My own module, second edition", titel="Mijn eigen module, tweede editie")).status_code == 303
    publish(browser, tool, app, version=2)

    assert "<h1>My own module, second edition</h1>" in page(browser, tool, "/modules/my-module")
    old = page(browser, tool, "/modules/my-module/v1")
    assert "<h1>My own module</h1>" in old and "This is version 1. Version 2 is newer." in old
    catalogue = page(browser, tool, "/modules", q="second edition")
    assert listed(catalogue) == ["my-module"]
    assert listed(page(browser, tool, "/modules")).count("my-module") == 1


def test_withdrawing_asks_first_names_the_consequence_then_hides_the_version(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    upload(browser, tool, my_module())
    publish(browser, tool, app)
    draft_id = draft_id_of(app, "my-module", 1)
    manage = page(browser, tool, "/modules/manage")
    assert f'href="/modules/manage/{draft_id}/withdraw"' in manage and "Published" in manage
    confirm = page(browser, tool, f"/modules/manage/{draft_id}/withdraw")
    assert "Already assigned references keep version 1; new placements can no longer choose it." in confirm
    assert "my-module" in listed(page(browser, tool, "/modules"))  # asking changed nothing

    token = csrf_token(browser, tool, f"/modules/manage/{draft_id}/withdraw")
    response = browser.post(f"{tool.url}/modules/manage/{draft_id}/withdraw", data={"csrf_token": token}, allow_redirects=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/modules/manage")
    manage = html.unescape(follow(browser, response).text)
    assert "Version 1 of “My own module” was withdrawn." in manage and "Withdrawn" in manage
    page(browser, tool, "/modules/my-module/v1", status=404)
    page(browser, tool, "/modules/my-module", status=404)
    assert "my-module" not in listed(page(browser, tool, "/modules"))
    again = browser.post(f"{tool.url}/modules/manage/{draft_id}/publish", data={"csrf_token": token}, allow_redirects=False)
    assert again.status_code == 400 and "cannot be published again" in html.unescape(again.text)
    reuploaded = upload(browser, tool, my_module())
    assert reuploaded.status_code == 400 and "Version 1 was withdrawn and cannot be offered again." in html.unescape(reuploaded.text)


def test_posts_without_a_csrf_token_are_refused(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    response = upload(browser, tool, my_module(), token="")
    assert response.status_code == 400 and "This form has expired" in response.text
    assert stored(app) == 0
    upload(browser, tool, my_module())
    draft_id = draft_id_of(app, "my-module", 1)
    for action in ("publish", "withdraw"):
        response = browser.post(f"{tool.url}/modules/manage/{draft_id}/{action}", data={}, allow_redirects=False)
        assert response.status_code == 400 and "This form has expired" in response.text
    assert "Preview of a draft" in page(browser, tool, "/modules/my-module/v1")  # still a draft


def test_home_pages_link_to_the_catalogue(platform, browser):
    result = platform.launch(browser, roles=[LEARNER])
    assert 'href="/modules"' in result.response.text
    result = platform.launch(browser, roles=[INSTRUCTOR])
    assert 'href="/modules"' in result.response.text


def test_a_placed_link_to_version_1_still_opens_version_1_after_version_2(platform, browser, tool, app):
    launch(platform, browser, role=INSTRUCTOR)
    upload(browser, tool, my_module())
    publish(browser, tool, app)
    upload(browser, tool, my_module(version=2, title="My own module, second edition", titel="Mijn eigen module, tweede editie"))
    publish(browser, tool, app, version=2)
    # A participant opens the activity the trainer placed when only version 1 existed.
    result = platform.launch(browser, roles=[LEARNER], user_id="learner-9", custom={"tandem_module": "my-module", "tandem_version": "1"})
    assert result.response.status_code == 303
    assert result.response.headers["Location"].endswith("/modules/my-module/v1")
    opened = page(browser, tool, "/modules/my-module/v1")
    assert "<h1>My own module</h1>" in opened and "second edition" not in opened.split("</h1>")[0]
