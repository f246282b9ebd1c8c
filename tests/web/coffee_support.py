"""Helpers for the coffee roulette tests: a programme with launched and seeded participants who opted in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.web.programme_support import INSTRUCTOR, LEARNER, ids, launch, seed_participants, set_up_programme

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
SIDES = ("digital_mentor", "senior_expert")
DEPARTMENTS = ("Sales", "Finance", "IT", "Operations", "HR")
ZONES = ("Europe/Amsterdam", "Europe/Lisbon", "Europe/Athens", None)


def coffee_programme(app, platform, tool, *, launched: Sequence[tuple[str, str, str]] = (), seeded: int = 0, locale: str = "en", suffix: str = "") -> tuple[dict[str, Any], dict[str, int]]:
    """A trainer (browser ``trainer``), participants launched in their own browsers (``(key, subject, name)``,
    each with a profile) and ``seeded`` more participants written straight to the database (``s1``...).

    Returns ``(browsers, person ids)`` keyed by ``trainer``, the launched keys and ``s1``..``sN``."""
    from plugin.extensions import db
    from plugin.models import Participant, Programme
    from plugin.models.base import utcnow

    browsers: dict[str, Any] = {"trainer": new_browser(verify=False)}
    launch(platform, browsers["trainer"], INSTRUCTOR, user_id=f"trainer{suffix}", name="Tess Trainer", locale=locale)
    set_up_programme(browsers["trainer"], tool)
    people = {"trainer": ids(app, f"trainer{suffix}")[f"trainer{suffix}"]}
    for n, (key, subject, name) in enumerate(launched):
        browsers[key] = new_browser(verify=False)
        launch(platform, browsers[key], LEARNER, user_id=subject, name=name, locale=locale)
        people[key] = ids(app, subject)[subject]
        with app.app_context():
            programme = db.session.scalar(sa.select(Programme))
            db.session.add(
                Participant(programme_id=programme.id, person_id=people[key], side=SIDES[n % 2], department=DEPARTMENTS[n % 5], timezone="Europe/Amsterdam",
                            languages=["en", "nl"], capacity=1, needs={}, goals="", wishes=[], vetoes=[], profile_saved_at=utcnow())
            )
            db.session.commit()
    if seeded:
        rows = [{"subject": f"s{i}{suffix}", "side": SIDES[i % 2], "name": f"Seeded Person {i:02d}"} for i in range(1, seeded + 1)]
        by_subject = seed_participants(app, rows)
        with app.app_context():
            for i in range(1, seeded + 1):
                row = db.session.scalar(sa.select(Participant).where(Participant.person_id == by_subject[f"s{i}{suffix}"]))
                row.department, row.timezone = DEPARTMENTS[(i * 3) % 5], ZONES[i % 4]
            db.session.commit()
        people.update({f"s{i}": by_subject[f"s{i}{suffix}"] for i in range(1, seeded + 1)})
    return browsers, people


def opt_in(app, person_ids: Sequence[int], opted_in: bool = True) -> None:
    """Opt people in (or out) straight in the database (the page's own button is tested separately)."""
    from plugin.extensions import db
    from plugin.models import Programme
    from plugin.services.coffee.rounds import set_opt_in_row

    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        for person_id in person_ids:
            set_opt_in_row(db.session, programme.id, person_id, opted_in)
        db.session.commit()


def switch_on(app, cadence: str = "weekly") -> None:
    from plugin.extensions import db
    from plugin.models import CoffeeSettings, Programme

    with app.app_context():
        programme = db.session.scalar(sa.select(Programme))
        row = db.session.scalar(sa.select(CoffeeSettings).where(CoffeeSettings.programme_id == programme.id))
        if row is None:
            row = CoffeeSettings(programme_id=programme.id)
            db.session.add(row)
        row.enabled, row.cadence = True, cadence
        db.session.commit()


def groups_of(app) -> dict[str, list[tuple[int, ...]]]:
    """Every round's groups by round key (each group's person ids, sorted)."""
    from plugin.extensions import db
    from plugin.models import CoffeeMember, CoffeeRound

    with app.app_context():
        rows = db.session.execute(sa.select(CoffeeRound.key, CoffeeMember.match_id, CoffeeMember.person_id).join(CoffeeMember, CoffeeMember.round_id == CoffeeRound.id)).all()
    out: dict[str, dict[int, list[int]]] = {}
    for key, match_id, person_id in rows:
        out.setdefault(key, {}).setdefault(match_id, []).append(person_id)
    return {key: sorted(tuple(sorted(g)) for g in matches.values()) for key, matches in out.items()}


def match_of(app, person_id: int) -> int:
    """The id of the person's latest match."""
    from plugin.extensions import db
    from plugin.models import CoffeeMember

    with app.app_context():
        return db.session.scalar(sa.select(CoffeeMember.match_id).where(CoffeeMember.person_id == person_id).order_by(CoffeeMember.id.desc()).limit(1))
