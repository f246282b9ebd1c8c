"""A group's sign-offs tell the learner, as a tandem's do: against a real SMTP server (aiosmtpd), each sign-off
once, to the learner only (not the signer, not the trainer, not the other members), in the learner's language,
with a link to the group that answers."""

from __future__ import annotations

import re


from tests.web.groups_support import DIGITAL, EXPERTISE, MODULE, world
from tests.web.notifications_support import deliver_until_done, links, sender, subject_of
from tests.web.programme_support import get, post




def test_a_group_signoff_tells_the_learner_once_in_their_language(app, platform, tool, sink):
    from plugin.extensions import db
    from plugin.models import Person

    w = world(app, platform, tool, keys=("trainer", "mentor", "j1", "j2"), groups=False)
    app.config["TANDEM_BASE_URL"] = tool.url
    with app.app_context():
        for key, pid in w.person.items():
            row = db.session.get(Person, pid)
            row.email, row.locale = f"{key}@example.org", "nl-NL" if key == "j1" else "en"
        db.session.commit()
    created = post(w.browsers["trainer"], tool, "/groups/new", {"name": "Reputation circle", "purpose": "Both ways", "modules": MODULE, "capacity": "3", "kind": "closed", "mentor": w.person["mentor"]}, token_from="/groups/new")
    gid = int(re.search(r"/groups/(\d+)$", created.headers["Location"]).group(1))
    for junior in ("j1", "j2"):
        post(w.browsers[junior], tool, f"/groups/{gid}/join", {})
        post(w.browsers["mentor"], tool, f"/groups/{gid}/requests/approve", {"person": w.person[junior]}, token_from=f"/groups/{gid}")
    deliver_until_done(app, sender(app, sink))
    sink.messages.clear()  # what joining sent is another test's

    base = f"/groups/{gid}/modules/{MODULE}/v1"
    # the mentor signs what Juno learned (expertise); Juno signs what the mentor learned (digital)
    post(w.browsers["mentor"], tool, f"{base}/sign", [("objective", "e1"), ("learner", w.person["j1"]), *[("criterion", str(i)) for i in range(EXPERTISE["e1"])], ("confirmed", "1")], token_from=base)
    post(w.browsers["j1"], tool, f"{base}/sign", [("objective", "d1"), ("learner", w.person["mentor"]), *[("criterion", str(i)) for i in range(DIGITAL["d1"])], ("confirmed", "1")], token_from=base)
    deliver_until_done(app, sender(app, sink))
    deliver_until_done(app, sender(app, sink))  # a second pass sends nothing again

    assert sorted(str(m["To"]).rsplit("<", 1)[-1].rstrip(">") for m in sink.messages) == ["j1@example.org", "mentor@example.org"]
    (to_juno,) = sink.to("j1@example.org")
    (to_mentor,) = sink.to("mentor@example.org")
    assert to_juno["Content-Language"] == "nl" and subject_of(to_juno).startswith("Sena Senior heeft je leerwerk in"), subject_of(to_juno)
    assert subject_of(to_mentor).startswith("Juno Junior signed off your learning in"), subject_of(to_mentor)
    for who, message in (("j1", to_juno), ("mentor", to_mentor)):
        group_links = [u for u in links(message) if f"/groups/{gid}" in u]
        assert group_links, (who, links(message))
        assert w.browsers[who].get(group_links[0]).status_code == 200
    assert "signed off" not in get(w.browsers["trainer"], tool, "/home")  # the trainer was told nothing (nor was Jip: no message above)
