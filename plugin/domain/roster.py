"""A course roster as the platform reports it (LTI Names and Role Provisioning), in Tandem's terms."""

from __future__ import annotations

from dataclasses import dataclass

from plugin.domain.errors import DomainError
from plugin.domain.roles import Role


@dataclass(frozen=True)
class RosterMember:
    """One person on the course roster.

    ``subject`` is the platform's user id (the ``sub`` of that person's launches). Names and email
    are ``None`` when the platform's privacy settings withhold them. ``active`` is false for
    members the platform reports as Inactive or Deleted.
    """

    subject: str
    role: Role
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    active: bool = True

    @property
    def display_name(self) -> str | None:
        """The best name to show: the full name, else given and family name joined, else None."""
        if self.name:
            return self.name
        joined = " ".join(part for part in (self.given_name, self.family_name) if part)
        return joined or None


class RosterUnavailable(DomainError):
    """The platform's roster could not be read (service down, refused, or answered nonsense).

    ``message`` is for people; ``detail`` (status code, URL, exception) is for the log only.
    """

    MESSAGE = "The course roster could not be fetched from the learning platform. Please try again later."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(self.MESSAGE)
        self.message = self.MESSAGE
        self.detail = detail
