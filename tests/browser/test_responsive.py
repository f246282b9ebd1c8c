"""Every page fits a phone-sized LMS iframe (360 px) as well as a wide screen (1280 px), in English and Dutch.

At both widths each page passes axe-core (WCAG 2.1 AA), the document is no wider than the viewport
(``scrollWidth <= innerWidth``) and no element sticks out of it (tables may scroll only inside their own
region), and a full-page screenshot is saved under the test's ``tmp_path``. The data is realistic and
long: thirty participants with long names, emails and departments, a CSV import with errors, a matching
run and its review, a tandem with its agreement, plan, sessions, sign-offs and grades.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_catalogue_accessibility import LEARNER, WCAG_AA
from tests.browser.test_signoff_accessibility import _open_as
from tests.web.programme_support import active_tandem, needs_for, post, seed_participants
from tests.web.test_tandem_work import PRINCIPLES, make_plan

pytestmark = pytest.mark.browser

WIDTHS = (1280, 360)
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
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.right <= 0) continue;  // visually hidden, or deliberately off-screen (the skip link)
    let scrolls = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { scrolls = true; break; }
    }
    if (scrolls) continue;
    const style = getComputedStyle(el);
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

    def visit(self, path: str, name: str) -> None:
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.page.goto(self.tool.url + path)
        self.check(name)

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.locale, (name, self.page.url)
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            fit = self.page.evaluate(OVERFLOW)
            if fit["scrollWidth"] > fit["innerWidth"] or fit["wide"]:
                self.problems.append(f"{name} at {width} px: scrollWidth {fit['scrollWidth']} > {fit['innerWidth']}; {fit['wide']}")
            results = Axe().run(self.page, options=WCAG_AA)
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
        for i, (subject, pid) in enumerate(sorted(ids.items())):
            p = db.session.get(Person, pid)
            p.email = f"{p.name.lower().replace(' ', '.')}.{subject}@gemeente-westerkwartier-digitaal.example.nl"
            db.session.execute(sa.update(Participant).where(Participant.person_id == pid).values(department=DEPARTMENTS[i % len(DEPARTMENTS)]))
        db.session.get(Person, person["digital"]).name = "Dana Alexandrovna Digitaliseringsvoorvechter-Vandenberghe"
        db.session.get(Person, person["expert"]).name = "Evert-Jan Wijnaendts van Resandt tot Oldenbarnevelt"
        db.session.commit()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_every_page_fits_360_and_1280_pixels(page, platform, tool, app, tmp_path, locale):
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
    pages.check("matching job")
    page.locator("#job-next a").wait_for(state="visible")
    page.locator("#job-next a").click()
    page.wait_for_url(f"{tool.url}/programme/proposal")
    pages.check("proposal review")
    pages.visit("/programme/grades", "grades")
    pages.visit("/tandems", "trainer tandem list")
    pages.visit(base, "trainer tandem hub")
    pages.visit("/modules", "catalogue")
    pages.visit("/modules/e-reputation", "catalogue module")
    pages.visit("/tandems/999999", "error page")

    # a participant with a needs map
    page.context.clear_cookies()
    page.goto(platform.browser_launch_url(roles=[LEARNER], locale=locale, user_id=f"{locale}-long-1", name=f"{FIRST[1]} {LAST[1]}"))
    page.wait_for_url(f"{tool.url}/home")
    pages.visit("/profile", "profile and needs map")

    # a member of the tandem
    _open_as(page, digital, tool)
    pages.visit("/home", "participant home")
    pages.visit("/tandem", "my tandem")
    pages.visit("/tandems", "my tandems")
    pages.visit(base, "tandem hub")
    pages.visit(f"{base}/agreement", "agreement")
    pages.visit(f"{base}/plan", "plan")
    pages.visit(f"{base}/sessions", "sessions")
    page.locator("main .session-list a").first.click()
    page.wait_for_url(f"{tool.url}{base}/sessions/*")
    pages.check("session")
    pages.visit(f"{base}/modules", "sign-off modules")
    pages.visit(module, "sign-off module page")
    pages.visit("/me/calendar", "calendar")

    assert not pages.problems, "\n\n".join(pages.problems)
    assert pages.shots == 2 * 25
