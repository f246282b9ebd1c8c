"""Every action outside the proposal review answers with one outcome message and POST-redirect-GET: a success
redirects (303) to a GET page that shows exactly one message; a refusal is one clear 4xx page with no success
message next to it. Submitted over real HTTPS after real launches: programme setup, CSV import, roster pull,
a participant's request and answers, and the catalogue's upload, publish and withdraw."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, launch, post, set_up_programme, text_of, wait_for_job
from tests.web.test_catalogue import E_REPUTATION


def flashes(page: str) -> list[str]:
    """The messages of the page's flash region (``_flashes.html``)."""
    region = re.findall(r'<div class="notice" role="status">(.*?)</div>', page, flags=re.S)
    return [html.unescape(m).strip() for block in region for m in re.findall(r"<p>(.*?)</p>", block, flags=re.S)]


def submit(browser, tool, path: str, data=None, *, token_from: str, files=None, lands_on: str | None = None) -> tuple[str, str]:
    """POST an action, expect 303, follow it with GET; returns the final path and its page."""
    response = post(browser, tool, path, data or {}, status=303, files=files, token_from=token_from)
    location = response.headers["Location"]
    final = browser.get(location if location.startswith("http") else tool.url + location, allow_redirects=False)
    assert final.status_code == 200, (location, final.status_code)
    assert final.request.method == "GET"
    final_path = final.url.removeprefix(tool.url)
    if lands_on is not None:
        assert re.fullmatch(lands_on, final_path), final_path
    return final_path, final.text


def one_message(browser, tool, path: str, data=None, *, token_from: str, expect: str, files=None, lands_on: str | None = None) -> str:
    final_path, page = submit(browser, tool, path, data, token_from=token_from, files=files, lands_on=lands_on)
    messages = flashes(page)
    assert len(messages) == 1 and expect in messages[0], (path, final_path, messages)
    assert flashes(browser.get(tool.url + final_path).text) == []  # shown once
    return final_path


def refused(browser, tool, path: str, data, *, status: int, token_from: str, expect: str) -> None:
    response = post(browser, tool, path, data, status=status, token_from=token_from)
    assert expect in text_of(response.text), text_of(response.text)[:800]
    assert flashes(response.text) == []  # no success message beside the refusal
    assert flashes(browser.get(tool.url + "/home").text) == []  # and none waiting for the next page


def test_programme_actions_say_one_thing_and_land_on_a_get_page(app, platform, tool):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer")
    data = {"matching_mode": "choice", "shared_language": "y", "default_capacity": "1", "max_capacity": "3"}
    one_message(trainer, tool, "/programme/setup", data, token_from="/programme/setup", expect="The programme is saved.", lands_on="/programme")
    one_message(trainer, tool, "/programme/setup", data, token_from="/programme/setup", expect="The programme is saved.", lands_on="/programme")  # saved again: still one

    # a form error re-renders the form with 400 and its messages, nothing flashed
    bad = post(trainer, tool, "/programme/setup", {"matching_mode": "trainer", "default_capacity": "9", "max_capacity": "2"}, status=400, token_from="/programme/setup")
    assert flashes(bad.text) == [] and "between 0 and the most partners per person" in text_of(bad.text)

    csv = b"user_id,name,side,languages\nd1,Dana,digital_mentor,en\ne1,Evert,senior_expert,en\n"
    one_message(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", csv, "text/csv")}, token_from="/programme/roster/import", expect="Imported 2 participants", lands_on="/programme")
    wrong = post(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", b"user_id,side\nx,wizard\n", "text/csv")}, status=400, token_from="/programme/roster/import")
    assert flashes(wrong.text) == [] and "Nothing was imported" in text_of(wrong.text)

    # pulling the roster goes on to its progress page (a GET page whose status line is the one message)
    path, page = submit(trainer, tool, "/programme/roster/sync", {"role": "Learner"}, token_from="/programme", lands_on=r"/programme/jobs/\d+")
    assert flashes(page) == [] and page.count('role="status"') == 1
    assert wait_for_job(trainer, tool, path)[-1]["status"] == "done"
    overview = text_of(trainer.get(tool.url + "/programme").text)
    assert "Last roster pull: Roster synchronised" in overview  # the participants page it goes on to says how it went


def test_matching_without_a_ready_person_on_each_side_is_refused_and_starts_nothing(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Job, Proposal

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer")
    set_up_programme(trainer, tool)
    csv = b"user_id,name,side,languages\nd1,Dana,digital_mentor,en\n"
    one_message(trainer, tool, "/programme/roster/import", files={"file": ("people.csv", csv, "text/csv")}, token_from="/programme/roster/import", expect="Imported 1 participants", lands_on="/programme")
    for path in ("/programme/match", "/programme/manual"):
        refused(trainer, tool, path, {}, status=409, token_from="/programme", expect="at least one ready participant on each side")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Proposal)) == 0


def test_a_launch_without_roster_explains_instead_of_offering_the_pull(app, platform, tool):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer", nrps=False)
    set_up_programme(trainer, tool)
    overview = trainer.get(tool.url + "/programme").text
    assert 'action="/programme/roster/sync"' not in overview
    assert "Your LMS did not share the course roster with Tandem" in text_of(overview) and 'href="/programme/roster/import"' in overview
    refused(trainer, tool, "/programme/roster/sync", {"role": "Learner"}, status=409, token_from="/programme", expect="Import a CSV file instead")


def test_participant_answers_say_one_thing_and_land_on_a_get_page(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import Participant, Person, Programme, Tandem
    from plugin.models.base import utcnow

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer")
    set_up_programme(trainer, tool, matching_mode="choice")
    browsers = {}
    for subject in ("d1", "e1", "e2"):
        browsers[subject] = new_browser(verify=False)
        launch(platform, browsers[subject], LEARNER, user_id=subject, name=f"Name {subject.upper()}")
    with app.app_context():
        ids = dict(db.session.execute(sa.select(Person.subject, Person.id).where(Person.subject.in_(("d1", "e1", "e2")))).all())
    needs = {"d1": ("digital_mentor", {"digcomp:2.6": {"offer": 7}, "entrecomp:2.5": {"want": 6}}), "e1": ("senior_expert", {"entrecomp:2.5": {"offer": 8}, "digcomp:2.6": {"want": 6}}), "e2": ("senior_expert", {"entrecomp:2.5": {"offer": 6}, "digcomp:2.6": {"want": 5}})}
    with app.app_context():
        programme_id = db.session.scalar(sa.select(Programme.id))
        for subject, (side, wants) in needs.items():
            db.session.add(Participant(programme_id=programme_id, person_id=ids[subject], side=side, languages=["en"], capacity=2, needs=wants, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow()))
        db.session.commit()

    one_message(browsers["d1"], tool, "/tandem/request", {"response": str(ids["e1"])}, token_from="/tandem", expect="Your request was sent.", lands_on="/tandem")
    one_message(browsers["d1"], tool, "/tandem/request", {"response": str(ids["e2"])}, token_from="/tandem", expect="Your request was sent.", lands_on="/tandem")
    with app.app_context():
        first, second = db.session.scalars(sa.select(Tandem.id).order_by(Tandem.id)).all()
    one_message(browsers["e1"], tool, f"/tandem/{first}/respond", {"response": "coffee"}, token_from="/tandem", expect="virtual coffee first", lands_on="/tandem")
    one_message(browsers["e1"], tool, f"/tandem/{first}/respond", {"response": "accepted"}, token_from="/tandem", expect="You both accepted: your tandem has started.", lands_on="/tandem")
    page = text_of(browsers["e1"].get(tool.url + "/tandem").text)
    assert "Your tandem has started." in page and "virtual coffee" not in page.split("Your partner: Name D1")[1].split("Open our tandem")[0]
    # a started tandem cannot be ended or put back by a late (or forged) answer
    for late in ("declined", "coffee", "accepted"):
        refused(browsers["d1"], tool, f"/tandem/{first}/respond", {"response": late}, status=409, token_from="/tandem", expect="your tandem has started")
    with app.app_context():
        started = db.session.get(Tandem, first)
        assert (started.status, started.digital_response) == ("active", "accepted")
    one_message(browsers["e2"], tool, f"/tandem/{second}/respond", {"response": "declined"}, token_from="/tandem", expect="You declined this pairing", lands_on="/tandem")

    # answers that cannot succeed: one clear refusal, no success message
    refused(browsers["e2"], tool, f"/tandem/{second}/respond", {"response": "accepted"}, status=409, token_from="/tandem", expect="This pairing is closed")
    refused(browsers["e2"], tool, f"/tandem/{second}/respond", {"response": "maybe"}, status=400, token_from="/tandem", expect="Answer with Accept")
    refused(browsers["d1"], tool, "/tandem/request", {"response": str(ids["e2"])}, status=409, token_from="/tandem", expect="")


def test_catalogue_actions_say_one_thing_and_land_on_a_get_page(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import OrgModule

    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer")
    module = E_REPUTATION.replace('slug = "e-reputation"', 'slug = "my-module"')
    files = {"file": ("my-module.toml", module.encode("utf-8"), "application/toml")}
    one_message(trainer, tool, "/modules/upload", files=files, token_from="/modules/upload", expect="The file is correct and kept as a draft.", lands_on="/modules/my-module/v1")
    one_message(trainer, tool, "/modules/upload", files=files, token_from="/modules/upload", expect="This version was uploaded before", lands_on="/modules/my-module/v1")
    with app.app_context():
        draft_id = db.session.scalar(sa.select(OrgModule.id).where(OrgModule.slug == "my-module"))
    one_message(trainer, tool, f"/modules/manage/{draft_id}/publish", token_from="/modules/my-module/v1", expect="Published: everyone in your organisation", lands_on="/modules/my-module/v1")
    one_message(trainer, tool, f"/modules/manage/{draft_id}/withdraw", token_from=f"/modules/manage/{draft_id}/withdraw", expect="was withdrawn", lands_on="/modules/manage")
    refused(trainer, tool, f"/modules/manage/{draft_id}/publish", {}, status=400, token_from="/modules/manage", expect="A withdrawn version cannot be published again")


def test_the_language_switch_lands_on_a_get_page(platform, tool):
    trainer = new_browser(verify=False)
    launch(platform, trainer, INSTRUCTOR, user_id="trainer")
    path, page = submit(trainer, tool, "/language", {"language": "nl", "next": "/home"}, token_from="/home", lands_on="/home")
    assert 'lang="nl"' in page and flashes(page) == []  # the page in the other language is the outcome
