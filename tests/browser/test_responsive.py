"""Every page fits a phone-sized LMS iframe (360 px) as well as a wide screen (1280 px), in English and Dutch.

At both widths each page passes axe-core (WCAG 2.1 AA), the document is no wider than the viewport
(``scrollWidth <= innerWidth``) and no element sticks out of it (tables may scroll only inside their own
region), and a full-page screenshot is saved under the test's ``tmp_path``; at 414, 641 (the narrowest
width at which tables stay tables) and 768 px the page must fit too. The data is realistic and long:
thirty participants with long names, emails without a hyphen to break at and departments, a CSV import
with errors, a matching run and its review, a tandem with its agreement, plan, sessions, sign-offs and
grades, the organisation's long-term plan, the deep-linking picker.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_catalogue_accessibility import LEARNER, WCAG_AA
from tests.browser.test_signoff_accessibility import _open_as
from tests.harness.browser import new_browser
from tests.web.programme_support import active_tandem, launch, needs_for, post, seed_participants
from tests.web.test_tandem_work import ADMIN, PRINCIPLES, make_plan

pytestmark = pytest.mark.browser

WIDTHS = (1280, 360)  # axe, overflow and a screenshot at each
BETWEEN = (414, 641, 768)  # overflow only: a larger phone, the narrowest width that keeps tables as tables, a tablet
AXE_OPTIONS = {**WCAG_AA, "resultTypes": ["violations"]}  # the same rules; only violations in full detail (faster)
FIRST = ["Maximiliaan", "Anne-Wilhelmina", "Bartholomeus", "Chiara", "Dagmar", "Eleftherios", "Françoise", "Gijsbertus", "Hanneke", "Ioannis"]
LAST = ["van Oldenbarnevelt-Schimmelpenninck", "Vandenberghe-Rijksoverheid", "de Koning", "Papadopoulou-Konstantinidou", "Bakker", "Wijnaendts van Resandt"]
DEPARTMENTS = [
    "Afdeling Informatievoorziening en Digitale Dienstverlening",
    "Bestuursondersteuning, Communicatie en Burgerparticipatie",
    "Finance",
    "Kwaliteitsmanagementsysteemontwikkeling",
]
LONG_URL = "https://intranet.gemeente-westerkwartier.example.nl/kennisbank/digitale-vaardigheden/e-reputatie/privacyinstellingen-controleren-en-aanpassen?bron=tandem&stap=3"

# The page is no wider than its viewport, and no element sticks out of it (except inside a scrolling region).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  const clipped = new Set();  // elements inside a scrolling (or clipping) box: their overflow stays in there
  for (const el of document.body.querySelectorAll('*')) {  // document order: parents come first
    const style = getComputedStyle(el);
    if (clipped.has(el.parentElement) || (el.parentElement !== document.body && getComputedStyle(el.parentElement).overflowX !== 'visible')) { clipped.add(el); continue; }
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.right <= 0) continue;  // visually hidden, or deliberately off-screen (the skip link)
    const content = style.display === 'inline' || style.overflowX !== 'visible' ? box.right : box.left + el.scrollWidth;  // text that runs out of its box
    if (box.right > width + 1 || box.left < -1 || content > width + 1) wide.push(el);
  }
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    wide: innermost.slice(0, 8).map((el) => `${name(el)} [${Math.round(el.getBoundingClientRect().left)}..${Math.round(el.getBoundingClientRect().left + el.scrollWidth)}] ${(el.innerText || '').trim().slice(0, 40)}`),
  };
}"""


class Pages:
    """Checks the page at both widths: axe, overflow, a screenshot each. Collects every problem."""

    def __init__(self, page, tool, platform, directory, locale: str) -> None:
        self.page, self.tool, self.platform, self.directory, self.locale = page, tool, platform, directory, locale
        self.problems: list[str] = []
        self.shots = 0

    def visit(self, path: str, name: str, status: int = 200) -> None:
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = self.page.goto(self.tool.url + path)
        assert response.status == status, (name, path, response.status)
        self.check(name)

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.locale, (name, self.page.url)
        assert name == "error page" or self.page.locator("#error-title").count() == 0, (name, self.page.url, self.page.locator("main").inner_text()[:300])
        for width in (*WIDTHS, *BETWEEN):
            self.page.set_viewport_size({"width": width, "height": 900})
            fit = self.page.evaluate(OVERFLOW)
            if fit["scrollWidth"] > fit["innerWidth"] or fit["wide"]:
                self.problems.append(f"{name} at {width} px: scrollWidth {fit['scrollWidth']} > {fit['innerWidth']}; {fit['wide']}")
            if width not in WIDTHS:
                continue
            results = Axe().run(self.page, options=AXE_OPTIONS)
            if results.violations_count:
                self.problems.append(f"{name} at {width} px: {results.generate_report()}")
            self.page.screenshot(path=self.directory / f"{self.locale}-{name.replace(' ', '-')}-{width}.png", full_page=True)
            self.shots += 1
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _people(locale: str) -> list[dict]:
    rng = random.Random(14)
    people = []
    for i in range(30):
        side = ("digital_mentor", "senior_expert")[i % 2]
        name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]}"
        people.append({"subject": f"{locale}-long-{i}", "name": name, "side": side, "languages": ["en", "nl"], "needs": needs_for(side, rng)})
    return people


def _lengthen(app, ids: dict[str, int], person: dict[str, int]) -> None:
    """Long emails and departments for the seeded people; long names for the tandem's two."""
    from plugin.extensions import db
    from plugin.models import Participant, Person

    with app.app_context():
        for i, pid in enumerate(sorted(ids.values())):
            p = db.session.get(Person, pid)
            local = p.name.lower().replace(" ", ".").replace("-", "").replace("ç", "c")
            p.email = f"{local}{i}@gemeentewesterkwartierdigitaal.example.nl"  # no hyphen to break at
            db.session.execute(sa.update(Participant).where(Participant.person_id == pid).values(department=DEPARTMENTS[i % len(DEPARTMENTS)]))
        db.session.get(Person, person["digital"]).name = "Dana Alexandrovna Digitaliseringsvoorvechter-Vandenberghe"
        db.session.get(Person, person["expert"]).name = "Evert-Jan Wijnaendts van Resandt tot Oldenbarnevelt"
        db.session.commit()


def _running_job(app, trainer_id: int) -> int:
    """A matching job held half-way (written to the database, no worker runs it)."""
    from plugin.extensions import db
    from plugin.models import Job, Programme

    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        job = Job(organisation_id=programme.organisation_id, programme_id=programme.id, kind="match", status="running", done=40, total=100, started_by=trainer_id, message={"key": "solving"})
        db.session.add(job)
        db.session.commit()
        return job.id


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_every_page_fits_360_and_1280_pixels(page, platform, tool, app, tmp_path, locale):
    from plugin.extensions import db
    from plugin.models import Course

    browsers, person, tid = active_tandem(app, platform, tool, locale=locale, agreement=True)
    ids = seed_participants(app, _people(locale))
    _lengthen(app, ids, person)
    pages = Pages(page, tool, platform, tmp_path, locale)
    base = f"/tandems/{tid}"
    module = f"{base}/modules/e-reputation/v1"

    # the tandem's work, over HTTP: a plan, a session with long notes, evidence with a long link, a sign-off
    digital, expert = browsers["digital"], browsers["expert"]
    make_plan(digital, tool, tid, template="twelve-month-managed", start=datetime.now(UTC).date() - timedelta(days=70))
    session = [("held_on", datetime.now(UTC).date().isoformat()), ("minutes", "55"), ("tracks", "e-reputation|digital_mentor"), ("tracks", "e-reputation|senior_expert")]
    session += [("agenda", "Privacyinstellingen; hoe de gemeenteraadsvergadering werkt"), ("shared_notes", f"We followed {LONG_URL} step by step.\nVerantwoordelijkheidsverdelingsoverzicht besproken."), ("private_note", "Only for me.")]
    post(digital, tool, f"{base}/sessions", session + [(p, "4") for p in PRINCIPLES])
    post(expert, tool, f"{module}/evidence", {"objective": "d1", "kind": "link", "url": LONG_URL}, token_from=module)
    post(digital, tool, f"{module}/sign", [("objective", "d1"), ("confirmed", "1"), *[("criterion", str(i)) for i in range(3)]], token_from=module)

    # the trainer
    browsers["trainer"].get(tool.url + "/programme")  # shows (and so clears) the setup's flash message before Chromium takes the session over
    _open_as(page, browsers["trainer"], tool)
    pages.visit("/home", "trainer home")
    pages.visit("/programme", "participants")
    assert page.locator("main table tbody tr").count() >= 30
    pages.visit("/programme/setup", "setup")
    pages.visit("/programme/roster/import", "csv import")
    bad = "user_id,name,email,side,languages\n,Nameless,x@example.org,digital_mentor,en\nx-2,Bartholomeus van Oldenbarnevelt-Schimmelpenninck,not-an-email-address-at-all-gemeente-westerkwartier,wizard,en\n"
    page.locator("input[type=file]").set_input_files({"name": "deelnemers-gemeente-westerkwartier-2027.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=alert] li").count() >= 2
    pages.check("csv import with errors")
    page.goto(tool.url + "/programme")
    page.locator("main form[action='/programme/match'] button").click()
    page.wait_for_url(f"{tool.url}/programme/jobs/*")
    page.wait_for_url(f"{tool.url}/programme/proposal")  # the job page goes on by itself once done
    pages.check("proposal review")
    page.locator("main a[href$='/publish']").first.click()
    page.wait_for_url(f"{tool.url}/programme/proposal/*/publish")
    pages.check("publish confirmation")
    pages.visit(f"/programme/jobs/{_running_job(app, person['trainer'])}", "matching job")  # held running, so it stays on its page
    pages.visit("/programme/grades", "grades")
    pages.visit("/tandems", "trainer tandem list")
    pages.visit(base, "trainer tandem hub")
    pages.visit("/modules", "catalogue")
    pages.visit("/modules/e-reputation", "catalogue module")
    pages.visit("/tandems/999999", "error page", status=404)
    pages.visit("/", "public start page")

    # the organisation's administrator: the organisation's home and its long-term plan
    admin = new_browser(verify=False)
    launch(platform, admin, ADMIN, user_id=f"admin-{locale}", name="Ada Administrator-Wijnaendts van Resandt", locale=locale)
    with app.app_context():
        course = db.session.scalar(sa.select(Course.id).where(Course.context_id == "course-1"))
    for quarter, slug in (("2026-Q1", "e-reputation"), ("2026-Q4", "personal-branding"), ("2099-Q2", "mobile-first")):
        post(admin, tool, "/organisation/plan", {"cohort": str(course), "quarter": quarter, "module": slug})
    admin.get(tool.url + "/organisation/plan")  # clears the flash message
    _open_as(page, admin, tool)
    pages.visit("/home", "organisation home")
    pages.visit("/organisation/plan", "long-term plan")

    # a trainer adds Tandem to a course: the deep-linking module picker
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(message_type="LtiDeepLinkingRequest", locale=locale))
    page.wait_for_url(f"{tool.url}/lti/deep-link/*")
    pages.check("deep-linking picker")

    # a participant with a needs map
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[LEARNER], locale=locale, user_id=f"{locale}-long-1", name=f"{FIRST[1]} {LAST[1]}"))
    page.wait_for_url(f"{tool.url}/home")
    pages.visit("/profile", "profile and needs map")
    pages.visit("/profile/basics", "profile basics")
    pages.visit("/profile/quick-start", "needs map quick start")
    pages.visit("/profile/needs/digcomp-1", "needs map, a step to learn in")
    pages.visit("/profile/needs/entrecomp-1", "needs map, a step to teach in")
    pages.visit("/profile/goals", "profile goals and wishes")

    # a member of the tandem
    digital.get(tool.url + "/tandems")  # clears the sign-off's flash message
    _open_as(page, digital, tool)
    pages.visit("/home", "participant home")
    pages.visit("/tandem", "my tandem")
    pages.visit("/tandems", "my tandems")
    pages.visit(base, "tandem hub")
    pages.visit(f"{base}/agreement", "agreement")
    pages.visit(f"{base}/plan", "plan")
    page.locator("main .plan-item details summary").first.click()
    pages.check("plan, moving a date")
    pages.visit(f"{base}/sessions", "sessions")
    page.locator("main .session-list a").first.click()
    page.wait_for_url(f"{tool.url}{base}/sessions/*")
    pages.check("session")
    pages.visit(f"{base}/modules", "sign-off modules")
    pages.visit(module, "sign-off module page")
    pages.visit("/me/calendar", "calendar")

    # the check itself sees text that runs out of its box
    page.set_viewport_size({"width": 360, "height": 900})
    page.evaluate("() => { const p = document.createElement('p'); p.id = 'too-wide'; p.textContent = 'x '.repeat(200); p.style.whiteSpace = 'nowrap'; document.querySelector('main').append(p); }")
    assert any(w.startswith("p#too-wide") for w in page.evaluate(OVERFLOW)["wide"])

    assert not pages.problems, "\n\n".join(pages.problems)
    assert pages.shots == 2 * 36
