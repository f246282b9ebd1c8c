"""Coffee roulette over HTTP against the real platform harness: 41 people, 6 rounds (the first from
`tandem worker --once`, the trainer's button then makes nothing new, the others from the function the
worker calls each minute), no pair twice, one trio per odd round; opt-out from the next round; one-click
feedback (a wish for the next matching); the meeting in the iCal feed. Also: two workers at once make one
round; the worker's loop runs a due round; the demo's seed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import sqlalchemy as sa
from icalendar import Calendar

from tests.web.coffee_support import coffee_programme, groups_of, match_of, opt_in, switch_on
from tests.web.programme_support import get, post, text_of
from tests.web.test_calendar import fetch, new_feed


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def test_six_rounds_over_41_people_never_repeat_a_pair(app, platform, tool):
    from plugin.extensions import db
    from plugin.models import CoffeeRound, Participant
    from plugin.services import coffee

    browsers, people = coffee_programme(app, platform, tool, launched=[("me", "mia", "Mia Member")], seeded=40)
    me, trainer = browsers["me"], browsers["trainer"]
    assert "You do not take part yet." in text_of(get(me, tool, "/coffee"))
    post(me, tool, "/coffee/opt-in", {"choice": "in"}, token_from="/coffee")
    assert "You take part in the coffee roulette." in text_of(get(me, tool, "/coffee"))
    everyone = [people["me"], *(people[f"s{i}"] for i in range(1, 41))]
    opt_in(app, everyone[1:])

    # off: the trainer's button refuses, nothing is written; the worker makes nothing
    page = post(trainer, tool, "/coffee/rounds", {}, status=400, token_from="/coffee")
    assert "Switch the coffee roulette on first" in text_of(page.text)
    post(trainer, tool, "/coffee/settings", {"enabled": "y", "cadence": "fortnightly!"}, status=400, token_from="/coffee")
    post(trainer, tool, "/coffee/settings", {"enabled": "y", "cadence": "weekly"}, token_from="/coffee")
    assert "41 people take part in the next round." in text_of(get(trainer, tool, "/coffee"))

    # round 1 from `tandem worker --once`, then the button: the same period, nothing new
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "1 coffee round(s) made" in result.output, result.output
    assert "0 coffee round(s) made" in app.test_cli_runner().invoke(args=["worker", "--once"]).output
    again = post(trainer, tool, "/coffee/rounds", {}, token_from="/coffee")
    assert "nothing new was made" in text_of(get(trainer, tool, again.headers["Location"].removeprefix(tool.url)))
    first = groups_of(app)
    assert len(first) == 1

    # my match: who, why, when (in my zone), one-click feedback that becomes a wish and can be changed
    page = text_of(get(me, tool, "/coffee"))
    assert "My coffee this round" in page and "(Europe/Amsterdam)" in page and "you have not met" in page
    mine = match_of(app, people["me"])
    post(me, tool, f"/coffee/matches/{mine}/feedback", {"choice": "work_with", "back": "index"}, token_from="/coffee")
    group = next(g for g in next(iter(first.values())) if people["me"] in g)
    with app.app_context():
        wishes = db.session.scalar(sa.select(Participant.wishes).where(Participant.person_id == people["me"]))
    assert set(wishes) == set(group) - {people["me"]}
    post(me, tool, f"/coffee/matches/{mine}/feedback", {"choice": "met", "back": "match"}, token_from="/coffee")
    with app.app_context():
        assert db.session.scalar(sa.select(Participant.wishes).where(Participant.person_id == people["me"])) == []
    assert "Your answer: We met." in text_of(get(me, tool, f"/coffee/matches/{mine}"))
    post(me, tool, f"/coffee/matches/{mine}/feedback", {"choice": "maybe"}, status=400, token_from="/coffee")

    # rounds 2-6 from the function `tandem worker` calls, one per week; an opt-out before round 4
    today = datetime.now(UTC)
    for week in range(1, 6):
        if week == 3:
            post(me, tool, "/coffee/opt-in", {"choice": "out"}, token_from="/coffee")
        with app.app_context():
            made = coffee.run_due_rounds(db.session, today + timedelta(weeks=week))
            assert len(made) == 1
            assert coffee.run_due_rounds(db.session, today + timedelta(weeks=week)) == []  # the same week again: nothing
    rounds = groups_of(app)
    assert len(rounds) == 6
    seen: set[tuple[int, int]] = set()
    for key, groups in sorted(rounds.items()):
        members = [p for g in groups for p in g]
        assert len(members) == len(set(members))  # everyone once
        expected = set(everyone) if key <= sorted(rounds)[2] else set(everyone) - {people["me"]}
        assert set(members) == expected, key  # the opt-out counts from the next round on
        assert [len(g) for g in groups].count(3) == (1 if len(expected) % 2 else 0), key  # one trio per odd round
        assert all(len(g) in (2, 3) for g in groups)
        pairs = {pair for g in groups for pair in combinations(g, 2)}
        assert not pairs & seen, key  # no repeated pair
        seen |= pairs
    with app.app_context():
        assert db.session.scalars(sa.select(CoffeeRound.repeats)).all() == [0] * 6
    page = text_of(get(me, tool, "/coffee"))
    assert "You do not take part yet." in page and "My past coffees" in page
    assert text_of(get(trainer, tool, "/coffee")).count("Seeded Person") >= 40  # the latest round's pairs

    # the iCal feed holds my three coffees, titled with the others' names, 30 minutes each
    events = [e for e in Calendar.from_ical(fetch(new_feed(me, tool)).content).walk("VEVENT") if str(e["UID"]).startswith("coffee-")]
    assert len(events) == 3
    with app.app_context():
        from plugin.models import Person

        names = dict(db.session.execute(sa.select(Person.id, Person.name)).all())
    for e in events:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert end - start == timedelta(minutes=30) and start.tzinfo is not None
        assert str(e["SUMMARY"]).startswith("Virtual coffee with Seeded Person")
    assert {_monday(e.decoded("DTSTART").date()) for e in events} == {_monday((today + timedelta(weeks=w)).date()) for w in range(3)}
    first_event = min(events, key=lambda e: e.decoded("DTSTART"))
    assert sorted(names[p] for p in group if p != people["me"]) == sorted(str(first_event["SUMMARY"]).removeprefix("Virtual coffee with ").split(", "))


def test_two_workers_at_once_make_one_round(app, platform, tool, caplog):
    """Two `tandem worker` processes look at the same minute: the round's unique key lets one make it."""
    import threading

    from sqlalchemy.orm import sessionmaker

    from plugin.extensions import db
    from plugin.models import CoffeeMatch, CoffeeRound
    from plugin.services import coffee

    _browsers, people = coffee_programme(app, platform, tool, seeded=9)
    opt_in(app, [people[f"s{i}"] for i in range(1, 10)])
    switch_on(app, "monthly")
    with app.app_context():
        factory = sessionmaker(bind=db.engine)
    made: list[list[int]] = []
    start = threading.Barrier(2)

    def worker() -> None:
        session = factory()
        try:
            start.wait()
            made.append(coffee.run_due_rounds(session))
        finally:
            session.close()

    caplog.set_level("INFO", logger="tandem.coffee")
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(len(m) for m in made) == [0, 1], made
    logged = [r for r in caplog.records if r.name == "tandem.coffee"]
    assert [r.levelname for r in logged] == ["INFO"], [r.getMessage() for r in logged]  # one round made, no failure
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CoffeeRound)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CoffeeMatch)) == 4  # 3 pairs and a trio
        assert groups_of(app) and [len(g) for g in next(iter(groups_of(app).values()))].count(3) == 1


def test_the_worker_loop_runs_a_due_round_and_the_demo_seed_runs_one(app, platform, tool):
    import threading
    import time

    from plugin.cli import COFFEE_EVERY
    from plugin.extensions import db
    from plugin.models import CoffeeMember, CoffeeRound, CoffeeSettings, Programme
    from plugin.services import coffee

    browsers, people = coffee_programme(app, platform, tool, seeded=5)
    switch_on(app, "monthly")
    opt_in(app, [people[f"s{i}"] for i in range(1, 6)])
    work = app.extensions["tandem_outbox_worker"]()
    work.every(COFFEE_EVERY, coffee.run_due_rounds)  # as `tandem worker` does
    thread = threading.Thread(target=work.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with app.app_context():
                if db.session.scalar(sa.select(sa.func.count()).select_from(CoffeeRound)):
                    break
            time.sleep(0.1)
    finally:
        work.stop()
        thread.join(10)
    with app.app_context():
        made = db.session.scalars(sa.select(CoffeeRound)).all()
        assert [(r.trigger, r.people, r.cadence, r.repeats) for r in made] == [("schedule", 5, "monthly", 0)]

        # the demo's seed: the roulette on (every two weeks), people opted in, this fortnight's round made;
        # the same five again cannot avoid a repeat (a trio and a pair met: no three of them are all new to
        # each other), and the fewest is one
        programme = db.session.scalar(sa.select(Programme))
        round_id = coffee.seed_example(db.session, programme.id, [people[f"s{i}"] for i in range(1, 6)])
        db.session.commit()
        assert db.session.scalar(sa.select(CoffeeSettings.cadence)) == "fortnightly"
        assert len(db.session.scalars(sa.select(CoffeeMember).where(CoffeeMember.round_id == round_id)).all()) == 5
        again = db.session.get(CoffeeRound, round_id)
        assert (again.repeats, again.optimal) == (1, True)
    page = text_of(get(browsers["trainer"], tool, f"/coffee/rounds/{round_id}"))
    assert "1 pair had met before: no grouping without a repeat was possible, this is the fewest." in page and page.count("had met before.") == 1
