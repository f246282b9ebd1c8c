"""Who is asking: the actor of the current request, from the server-side launch referenced by the session."""

from __future__ import annotations

from flask import session

from plugin.domain.roles import Role
from plugin.extensions import db
from plugin.services import erasure
from plugin.services.launches import Actor


class NoLaunch(Exception):
    """The request has no valid launch behind it (no session, or it ended)."""


def current_actor() -> Actor:
    """The actor of this request.

    Raises:
        NoLaunch: nobody launched Tandem in this browser session.
    """
    try:
        actor = Actor(
            person_id=int(session["person_id"]),
            organisation_id=int(session["organisation_id"]),
            role=Role(session["role"]),
            course_id=session.get("course_id"),
            registration_id=session.get("registration_id"),
        )
    except (KeyError, ValueError, TypeError):
        raise NoLaunch() from None
    if erasure.is_erased(db.session, actor.person_id):  # a browser session from before the account was erased
        session.clear()
        raise NoLaunch()
    return actor
