"""WCAG 2.1 AA (axe-core in Chromium) on the dashboards, in English and Dutch: the programme dashboard empty
(a programme nobody joined yet), active (seeded participants, tandems, sign-offs, plans, events) and filtered
(through its filter form), each chart's image loaded from Tandem; the organisation dashboard empty and with
a long-term plan. Reached from the home pages' links."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from tests.browser.test_catalogue_accessibility import INSTRUCTOR, _check
from tests.harness.browser import new_browser
from tests.web.dashboards_support import seed
from tests.web.events_support import ADMIN
from tests.web.programme_support import launch, set_up_programme

pytestmark = pytest.mark.browser


def _launch(page, platform, tool, role: str, locale: str, user_id: str) -> None:
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[role], locale=locale, user_id=user_id, name="Tess Trainer"))
    page.wait_for_url(f"{tool.url}/home")


def _images_loaded(page) -> int:
    images = page.locator("main figure img")
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), images.nth(i).get_attribute("src")
    return images.count()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_dashboards_are_accessible(page, platform, tool, app, locale):
    from plugin.extensions import db
    from plugin.models import CohortPlan, Course, Membership, Person, Programme
    from plugin.models.base import utcnow

    check = lambda what: _check(page, tool.url, platform.url, what)  # noqa: E731
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id=f"trainer-{locale}", name="Tess Trainer", locale=locale)
    set_up_programme(trainer, tool)

    _launch(page, platform, tool, INSTRUCTOR, locale, f"trainer-{locale}")
    page.locator("main a[href='/dashboards/programme']").click()
    page.wait_for_url(f"{tool.url}/dashboards/programme")
    assert page.locator("html").get_attribute("lang") == locale
    assert page.locator("main .empty-state").count() == 6
    check("programme dashboard, empty programme")

    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.context_id == "course-1"))
        programme = db.session.scalar(sa.select(Programme).where(Programme.course_id == course.id))
        issuer = db.session.scalar(sa.select(Person.issuer).join(Membership, Membership.person_id == Person.id).where(Membership.course_id == course.id).limit(1))
        seed(db.session, organisation_id=course.organisation_id, course_id=course.id, programme_id=programme.id, issuer=issuer, n=60, today=utcnow().date(), rng=random.Random(7), prefix=f"b{locale}")
        year = utcnow().year
        db.session.add_all([CohortPlan(organisation_id=course.organisation_id, cohort=course.id, quarter=f"{year - 1}-Q3", module_slug="e-reputation"),
                            CohortPlan(organisation_id=course.organisation_id, cohort=course.id, quarter=f"{year + 1}-Q1", module_slug="collaboration-platforms")])  # fmt: skip
        db.session.commit()
    page.reload()
    assert _images_loaded(page) == 5
    check("programme dashboard, active programme")

    page.locator("#side").select_option("senior_expert")
    page.locator("#department").select_option("Finance")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(f"{tool.url}/dashboards/programme?*")
    assert "side=senior_expert" in page.url
    _images_loaded(page)
    check("programme dashboard, filtered")

    _launch(page, platform, tool, ADMIN, locale, f"admin-{locale}")
    page.locator("main a[href='/dashboards/organisation']").click()
    page.wait_for_url(f"{tool.url}/dashboards/organisation")
    assert _images_loaded(page) == 2
    check("organisation dashboard")
    page.goto(f"{tool.url}/dashboards/organisation?from={year + 1}-01")
    check("organisation dashboard, filtered")
    page.goto(f"{tool.url}/dashboards/organisation?to=1999-12")
    assert page.locator("main .empty-state").count() == 2
    check("organisation dashboard, empty")
