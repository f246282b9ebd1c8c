"""Private notes are read by their author only: never by the partner, the trainer or an administrator, on
any page that shows sessions, nor in anyone's export but the author's own."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import active_tandem, get, launch, post
from tests.web.test_tandem_work import ADMIN, PRINCIPLES

DIGITAL_SECRET = "DANA-PRIVATE-7c1f: I find Evert's pace hard"
EXPERT_SECRET = "EVERT-PRIVATE-52aa: Dana rushes the board topics"
SHARED = "SHARED-NOTE-0b3e: we set up two-factor login"


def test_private_notes_stay_with_their_author_on_every_page_and_export(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import MentoringSession

    browsers, person, tid = active_tandem(app, platform, tool, agreement=True)
    admin = new_browser(verify=False)
    launch(platform, admin, ADMIN, user_id="admin", name="Ada Admin")
    today = datetime.now(UTC).date().isoformat()
    fields = [("held_on", today), ("minutes", "60"), ("shared_notes", SHARED), ("private_note", DIGITAL_SECRET), *((p, "1") for p in PRINCIPLES)]
    post(browsers["digital"], tool, f"/tandems/{tid}/sessions", fields)
    with app.app_context():
        sid = db.session.scalar(sa.select(MentoringSession.id))
    post(browsers["expert"], tool, f"/tandems/{tid}/sessions/{sid}", [("private_note", EXPERT_SECRET), *((p, "5") for p in PRINCIPLES)])

    pages = ["/tandems", f"/tandems/{tid}", f"/tandems/{tid}/sessions", f"/tandems/{tid}/sessions/{sid}", f"/tandems/{tid}/plan", f"/tandems/{tid}/agreement", "/me/export.json"]
    readers = {
        "digital": (browsers["digital"], {DIGITAL_SECRET}),
        "expert": (browsers["expert"], {EXPERT_SECRET}),
        "trainer": (browsers["trainer"], set()),
        "admin": (admin, set()),
    }
    for who, (browser, own) in readers.items():
        seen = {path: get(browser, tool, path) for path in pages}
        for path, body in seen.items():
            for secret in (DIGITAL_SECRET, EXPERT_SECRET):
                if secret not in own:
                    assert secret not in body and secret.split(":")[0] not in body, (who, path)
        if own:
            (secret,) = own
            assert secret in seen[f"/tandems/{tid}/sessions"] and secret in seen[f"/tandems/{tid}/sessions/{sid}"], who
        assert SHARED in seen[f"/tandems/{tid}/sessions"] and SHARED in seen[f"/tandems/{tid}/sessions/{sid}"], who  # shared notes are shared

    # the exports: each person's own note and own reflection, nobody else's
    exports = {who: json.loads(get(browser, tool, "/me/export.json")) for who, (browser, _own) in readers.items()}
    (digital_session,) = exports["digital"]["tandems"][0]["sessions"]
    (expert_session,) = exports["expert"]["tandems"][0]["sessions"]
    assert (digital_session["my_private_note"], digital_session["my_reflection"]["space"], digital_session["shared_notes"]) == (DIGITAL_SECRET, 1, SHARED)
    assert (expert_session["my_private_note"], expert_session["my_reflection"]["space"], expert_session["shared_notes"]) == (EXPERT_SECRET, 5, SHARED)
    assert exports["digital"]["person"]["name"] == "Dana Digital" and exports["digital"]["tandems"][0]["partner"]["name"] == "Evert Expert"
    assert exports["trainer"]["tandems"] == [] and exports["admin"]["tandems"] == []
    response = browsers["digital"].get(tool.url + "/me/export.json")
    assert response.headers["Content-Type"].startswith("application/json") and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
