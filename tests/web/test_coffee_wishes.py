"""Coffee feedback takes back only the wishes no other "I'd like to work with them" answer of the person still
names: two matches with the same colleague, each answered "work with", then one answer changed, keeps the wish."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.web.coffee_support import coffee_programme
from tests.web.programme_support import post


def _wishes(app, person_id: int) -> list[int]:
    from plugin.extensions import db
    from plugin.models import Participant

    with app.app_context():
        return list(db.session.scalar(sa.select(Participant.wishes).where(Participant.person_id == person_id)) or [])


def test_changing_one_answer_keeps_a_wish_another_match_still_supports(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import CoffeeMatch, CoffeeMember, CoffeeRound, Programme

    browsers, person = coffee_programme(app, platform, tool, launched=(("ann", "ann", "Ann Aalders"), ("bob", "bob", "Bob Bakker")))
    matches = []
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        for week in (1, 2):
            rnd = CoffeeRound(organisation_id=programme.organisation_id, programme_id=programme.id, key=f"2027-W0{week}", cadence="weekly",
                              starts_on=date(2027, 1, 7 * week - 3), ends_on=date(2027, 1, 7 * week + 3), trigger="trainer", people=2)  # fmt: skip
            db.session.add(rnd)
            db.session.flush()
            match = CoffeeMatch(round_id=rnd.id, programme_id=programme.id, starts_at=datetime(2027, 1, 7 * week, 10, tzinfo=UTC), reasons=[])
            db.session.add(match)
            db.session.flush()
            db.session.add_all(CoffeeMember(match_id=match.id, round_id=rnd.id, person_id=person[k], wishes_added=[]) for k in ("ann", "bob"))
            matches.append(match.id)
        db.session.commit()
    ann, bob = browsers["ann"], person["bob"]

    def answer(match_id: int, choice: str) -> None:
        post(ann, tool, f"/coffee/matches/{match_id}/feedback", {"choice": choice}, token_from="/coffee")

    answer(matches[0], "work_with")
    answer(matches[1], "work_with")
    assert _wishes(app, person["ann"]) == [bob]
    answer(matches[0], "met")  # the second match still says "work with Bob"
    assert _wishes(app, person["ann"]) == [bob]
    answer(matches[1], "met")
    assert _wishes(app, person["ann"]) == []
