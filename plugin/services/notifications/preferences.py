"""A person's notification choices, the unsubscribe tokens in every email, and the in-app "what needs you" list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from plugin.domain import notifications as domain
from plugin.domain.errors import NotFound, RuleViolation
from plugin.models import Notification, NotificationPreference, Person
from plugin.models.base import utcnow
from plugin.services.launches import Actor
from plugin.services.upsert import upsert_returning_id

#: itsdangerous salt: a token signed for unsubscribing is good for nothing else
UNSUBSCRIBE_SALT = "tandem.notifications.unsubscribe"
#: how long an item stays in "what needs you"
RECENT = timedelta(days=14)


def _saved(session: Session, person_id: int) -> dict[str, tuple[bool, str]]:
    rows = session.execute(sa.select(NotificationPreference.kind, NotificationPreference.enabled, NotificationPreference.mode).where(NotificationPreference.person_id == person_id))
    return {k: (e, m) for k, e, m in rows}


def _person(session: Session, actor: Actor) -> Person:
    """The actor's own person row: nobody reads or changes another's choices."""
    person = session.get(Person, actor.person_id)
    if person is None or person.organisation_id != actor.organisation_id:
        raise NotFound("no such person")
    return person


def choices(session: Session, actor: Actor) -> list[domain.Choice]:
    """The actor's choice for every kind (defaults where they made none)."""
    person = _person(session, actor)
    return domain.choices(_saved(session, person.id))


def _store(session: Session, person_id: int, choice: domain.Choice) -> None:
    upsert_returning_id(
        session,
        NotificationPreference.__table__,
        {"person_id": person_id, "kind": choice.kind, "enabled": choice.enabled, "mode": choice.mode, "updated_at": utcnow()},
        ["person_id", "kind"],
        ["enabled", "mode", "updated_at"],
    )


def save(session: Session, actor: Actor, wanted: dict[str, tuple[bool, str]]) -> list[domain.Choice]:
    """Store the actor's choices for every kind (a kind left out is off, at its current mode).

    :raise RuleViolation: an unknown kind or mode; nothing is written."""
    person = _person(session, actor)
    try:
        chosen = [domain.check_choice(k, *wanted.get(k, (False, "immediate"))) for k in domain.KINDS]
        unknown = set(wanted) - set(domain.KINDS)
        if unknown:
            raise ValueError(f"unknown notification kind {sorted(unknown)[0]!r}")
    except ValueError as exc:
        raise RuleViolation(str(exc), "choice") from None
    for choice in chosen:
        _store(session, person.id, choice)
    session.flush()
    return chosen


def unsubscribe_token(secret: str, person_id: int, kind: str) -> str:
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps({"p": person_id, "k": kind})


@dataclass(frozen=True)
class Unsubscribe:
    person_id: int
    name: str | None
    kind: str
    enabled: bool
    #: the person's language (the page answers in it: the link comes from an email in that language)
    language: str = "en"


def _read(session: Session, secret: str, token: str) -> Unsubscribe:
    try:
        data = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
        person_id, kind = int(data["p"]), str(data["k"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise RuleViolation("this unsubscribe link is not valid: it was changed or cut short", "token") from None
    person = session.get(Person, person_id)
    if person is None or kind not in domain.KINDS:
        raise RuleViolation("this unsubscribe link is not valid: it was changed or cut short", "token")
    enabled = _saved(session, person_id).get(kind, (True, "immediate"))[0]
    return Unsubscribe(person_id, person.name, kind, enabled, domain.language_of(person.locale))


def unsubscribe_preview(session: Session, secret: str, token: str) -> Unsubscribe:
    """What the link would turn off (no login: the signed token says who and which kind).

    :raise RuleViolation: a token that was not signed by this Tandem, or altered."""
    return _read(session, secret, token)


def unsubscribe(session: Session, secret: str, token: str) -> Unsubscribe:
    """Turn the token's kind off for its person (other kinds and the in-app list stay)."""
    found = _read(session, secret, token)
    mode = _saved(session, found.person_id).get(found.kind, (True, "immediate"))[1]
    _store(session, found.person_id, domain.Choice(found.kind, False, mode))
    session.flush()
    return Unsubscribe(found.person_id, found.name, found.kind, False, found.language)


@dataclass(frozen=True)
class NeedsYou:
    id: int
    kind: str
    values: dict
    link: str
    created_at: object


def needs_you(session: Session, actor: Actor, limit: int = 6) -> list[NeedsYou]:
    """The actor's recent notifications, newest first (whatever their email preferences)."""
    since = utcnow() - RECENT
    rows = session.scalars(
        sa.select(Notification)
        .where(Notification.person_id == actor.person_id, Notification.organisation_id == actor.organisation_id, Notification.created_at >= since)
        .where(sa.or_(Notification.course_id.is_(None), Notification.course_id == actor.course_id))
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return [NeedsYou(r.id, r.kind, dict(r.values or {}), r.link, r.created_at) for r in rows]
