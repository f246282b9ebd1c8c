"""Who reaches what of the credentials: every route of the credentials blueprint x role (the learner, their
tandem partner, another participant of the programme, the course's trainer, the organisation's administrator,
a participant of another organisation, an anonymous visitor). A learner downloads only their own
credentials, the course's trainers see them, everyone else gets 404; the verification page, the status and
the issuer profile are public and say only what the credential itself says. The matrix is shown to catch a
removed check."""

from __future__ import annotations

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.web.credentials_support import complete_module, credentials_of
from tests.web.events_support import ADMIN
from tests.web.programme_support import LEARNER, get, launch, post, text_of
from tests.web.programme_support import active_tandem

ROLES = ("member", "partner", "outsider_same", "trainer", "admin", "other_org", "anonymous")
ENDPOINTS = {"credentials.index", "credentials.credential_json", "credentials.credential_jwt", "credentials.credential_svg", "credentials.verify_credential",
             "credentials.verify", "credentials.status", "credentials.issuer"}  # fmt: skip


def _matrix(cid: str, org: int) -> list[tuple[str, str, dict | None, tuple[int, ...]]]:
    """(method, path, form data, statuses by role in ROLES order)."""
    mine = (200, 404, 404, 200, 200, 404, 401)
    public = (200,) * len(ROLES)
    return [
        ("GET", "/credentials", None, (200, 200, 200, 200, 200, 200, 401)),
        ("GET", f"/credentials/{cid}.json", None, mine),
        ("GET", f"/credentials/{cid}.jwt", None, mine),
        ("GET", f"/credentials/{cid}.svg", None, mine),
        ("GET", f"/credentials/verify/{cid}", None, public),
        ("GET", "/credentials/verify", None, public),
        ("POST", "/credentials/verify", {"token": "a.b.c"}, public),
        ("GET", f"/credentials/status/{cid}", None, public),
        ("GET", f"/credentials/issuers/{org}", None, public),
    ]


def _run(browsers, tool, rows) -> list[str]:
    wrong = []
    for method, path, data, expected in rows:
        for role, status in zip(ROLES, expected, strict=True):
            browser = browsers[role]
            if method == "GET":
                got = browser.get(tool.url + path, allow_redirects=False).status_code
            else:
                got = post(browser, tool, path, data, status=None, token_from="/credentials/verify").status_code
            if got != status:
                wrong.append(f"{method} {path} as {role}: {got}, expected {status}")
    return wrong


def test_every_credentials_route_by_role_and_nothing_leaks(app, platform, tool, monkeypatch):
    from plugin.extensions import db
    from plugin.models import Organisation
    from plugin.services import credentials

    browsers, person, tandem_id = active_tandem(app, platform, tool, agreement=True)
    browsers["member"], browsers["partner"] = browsers.pop("expert"), browsers.pop("digital")
    browsers["outsider_same"], browsers["admin"], browsers["anonymous"] = new_browser(verify=False), new_browser(verify=False), new_browser(verify=False)
    launch(platform, browsers["outsider_same"], LEARNER, user_id="outsider", name="Olly Outside")
    launch(platform, browsers["admin"], ADMIN, user_id="admin", name="Ada Admin")
    complete_module(app, person, tandem_id)
    (cid, _status), = credentials_of(app, person["expert"])
    (partner_cid, _status), = credentials_of(app, person["digital"])
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Org A"))

    with TestPlatform(tool_base_url=tool.url, tool_verify=False, client_id="client-b") as other:
        from tests.conftest import register_platform

        register_platform(app, other, organisation="Org B")
        browsers["other_org"] = new_browser(verify=False)
        launch(other, browsers["other_org"], LEARNER, user_id="b-learner", name="Bea Elsewhere")
        rows = _matrix(cid, org)
        assert {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("credentials.")} == ENDPOINTS
        adapter = app.url_map.bind("localhost")
        assert {adapter.match(path, method)[0] for method, path, _d, _s in rows} == ENDPOINTS  # every route is in the matrix
        assert _run(browsers, tool, rows) == []

        # lists: one's own (the learner), the course's (trainer, administrator), nobody else's
        assert cid in get(browsers["member"], tool, "/credentials") and partner_cid not in get(browsers["member"], tool, "/credentials")
        for role in ("trainer", "admin"):
            page = get(browsers[role], tool, "/credentials")
            assert cid in page and partner_cid in page, role
        for role in ("outsider_same", "other_org"):
            page = get(browsers[role], tool, "/credentials")
            assert cid not in page and partner_cid not in page and "Evert Expert" not in page, role
        # an unknown credential id is the ordinary 404, on the public page too
        assert browsers["anonymous"].get(tool.url + "/credentials/verify/00000000-0000-4000-8000-000000000000").status_code == 404
        # the public page shows what the credential says (achievement, learner, issuer), not the tandem's records
        public = text_of(get(browsers["anonymous"], tool, f"/credentials/verify/{cid}"))
        assert "Evert Expert" in public and "Dana Digital" not in public and f"/tandems/{tandem_id}" not in public
        assert "Evert Expert" not in browsers["anonymous"].get(tool.url + f"/credentials/status/{cid}").text

        # the mutation check: the readers' check allowing everyone, and the matrix says so
        monkeypatch.setattr(credentials, "_may_read", lambda session, actor, row: True)
        wrong = _run(browsers, tool, [r for r in rows if "/verify" not in r[1] and "/status/" not in r[1] and "/issuers/" not in r[1]])
        assert any("partner: 200, expected 404" in w for w in wrong) and any("other_org: 200, expected 404" in w for w in wrong), wrong
