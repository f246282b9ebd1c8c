"""What people do in the coffee roulette: opt in or out, set it up, run a round now, give feedback on a match."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import coffee as rules
from plugin.domain.errors import NotFound, RuleViolation
from plugin.domain.matching import MAX_WISHES
from plugin.models import CoffeeMatch, CoffeeMember, CoffeeSettings, Participant
from plugin.models.base import utcnow
from plugin.services.coffee.access import match_access, profile_of, programme_of, require_member, require_participant, require_trainer, settings_of
from plugin.services.coffee.rounds import TRAINER, run_round, set_opt_in_row
from plugin.services.launches import Actor


def set_opt_in(session: Session, actor: Actor, opted_in: bool) -> None:
    """Take part in the programme's coffee rounds, or stop, from the next round on (a round made stays as it is).

    :raise NotAllowed: not a participant.  :raise NotFound: no programme.  :raise RuleViolation: no profile yet.
    """
    require_participant(actor)
    programme = programme_of(session, actor)
    if programme is None:
        raise NotFound("this course has no mentoring programme yet")
    if opted_in and profile_of(session, programme.id, actor.person_id) is None:
        raise RuleViolation("fill in your profile (your side) before you take part", "opted_in")
    set_opt_in_row(session, programme.id, actor.person_id, opted_in)


def save_settings(session: Session, actor: Actor, enabled: bool, cadence: str) -> None:
    """Switch the roulette on or off and set its cadence.

    :raise NotAllowed: not a trainer.  :raise NotFound: no programme.  :raise RuleViolation: unknown cadence.
    """
    require_trainer(actor)
    programme = programme_of(session, actor)
    if programme is None:
        raise NotFound("this course has no mentoring programme yet")
    if cadence not in set(rules.Cadence):
        raise RuleViolation("choose weekly, every two weeks or monthly", "cadence")
    row = settings_of(session, programme.id)
    if row is None:
        row = CoffeeSettings(programme_id=programme.id)
        session.add(row)
    row.enabled, row.cadence, row.updated_by, row.updated_at = enabled, cadence, actor.person_id, utcnow()
    session.flush()


def run_now(session: Session, actor: Actor, today: date) -> tuple[int, bool]:
    """The trainer's button: the current period's round (its id, and whether this made it; a second press makes nothing).

    :raise NotAllowed: not a trainer.  :raise NotFound: no programme.
    :raise RuleViolation: the roulette is off, or fewer than two people opted in.
    """
    require_trainer(actor)
    programme = programme_of(session, actor)
    if programme is None:
        raise NotFound("this course has no mentoring programme yet")
    settings = settings_of(session, programme.id)
    if settings is None or not settings.enabled:
        raise RuleViolation("switch the coffee roulette on first", "enabled")
    return run_round(session, programme, settings.cadence, today, TRAINER, actor.person_id)


def _still_wished(session: Session, person_id: int, programme_id: int, match_id: int) -> set[int]:
    """The people another "work with" answer of the person (in another match of the programme) still names."""
    mine = sa.select(CoffeeMember.match_id).join(CoffeeMatch, CoffeeMatch.id == CoffeeMember.match_id).where(
        CoffeeMember.person_id == person_id, CoffeeMember.match_id != match_id, CoffeeMember.feedback == rules.Feedback.WORK_WITH.value, CoffeeMatch.programme_id == programme_id
    )
    return set(session.scalars(sa.select(CoffeeMember.person_id).where(CoffeeMember.match_id.in_(mine), CoffeeMember.person_id != person_id)))


def give_feedback(session: Session, actor: Actor, match_id: int, kind: str) -> None:
    """One person's feedback on their match (changeable). "I'd like to work with them" adds the others to the
    person's wished partners for the next matching; changing it takes back the wishes it added, unless another
    "work with" answer of the person still names them.

    :raise NotFound: not the actor's match.  :raise NotAllowed: a trainer.
    :raise RuleViolation: unknown kind; or the wishes would be more than the profile allows, or name someone excluded.
    """
    view = match_access(session, actor, match_id)
    require_member(view)
    if kind not in set(rules.Feedback):
        raise RuleViolation("choose one of the answers", "kind")
    member = session.scalar(sa.select(CoffeeMember).where(CoffeeMember.match_id == match_id, CoffeeMember.person_id == actor.person_id))
    profile = session.scalar(sa.select(Participant).where(Participant.programme_id == view.match.programme_id, Participant.person_id == actor.person_id))
    kept = _still_wished(session, actor.person_id, view.match.programme_id, match_id)
    wishes = [w for w in (profile.wishes if profile else []) if w not in (member.wishes_added or []) or w in kept]
    added: list[int] = []
    if kind == rules.Feedback.WORK_WITH:
        if profile is None:
            raise RuleViolation("fill in your profile before you wish for partners", "kind")
        others = [p for p in view.member_ids if p != actor.person_id]
        if set(others) & set(profile.vetoes or ()):
            raise RuleViolation("your profile excludes someone in this match: change it there first", "kind")
        added = [p for p in others if p not in wishes or p in kept]  # this answer supports them too: it may take them back
        if len(set(wishes) | set(added)) > MAX_WISHES:
            raise RuleViolation(f"you can wish for at most {MAX_WISHES} people: remove one in your profile first", "kind")
        wishes = sorted(set(wishes) | set(added))
    if profile is not None:
        profile.wishes = sorted(wishes)
    member.feedback, member.wishes_added, member.feedback_at = kind, added, utcnow()
    session.flush()
