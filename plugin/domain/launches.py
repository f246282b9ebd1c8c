"""What a launch tells Tandem, as plain values (the LTI adapter builds these from the id_token)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from plugin.domain.roles import Role


class LaunchKind(enum.StrEnum):
    """Why the platform launched Tandem."""

    RESOURCE = "resource"
    DEEP_LINKING = "deep_linking"


@dataclass(frozen=True)
class Identity:
    """The launching person; every field but ``subject`` may be withheld by the platform's privacy settings."""

    subject: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    @property
    def display_name(self) -> str | None:
        """The best name we have, or None when the platform shared none."""
        if self.name:
            return self.name
        full = " ".join(part for part in (self.given_name, self.family_name) if part)
        return full or self.email


@dataclass(frozen=True)
class CourseRef:
    """The LMS course (LTI context) of a launch."""

    context_id: str
    title: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class LaunchFacts:
    """Everything the core needs from one validated launch."""

    issuer: str
    client_id: str
    deployment_id: str
    identity: Identity
    role: Role
    kind: LaunchKind
    course: CourseRef | None = None
    resource_link_id: str | None = None
    locale: str | None = None
    #: custom parameters with lower-cased keys (Moodle lower-cases them anyway)
    custom: dict[str, str] = field(default_factory=dict)
    #: the module a placed link opens (custom parameters tandem_module / tandem_version)
    module: ModuleRef | None = None
    #: where the platform's gradebook takes scores (None when it offers none)
    grades: GradeService | None = None


@dataclass(frozen=True)
class GradeService:
    """The platform's gradebook service as a launch offers it: URLs and the granted scopes (opaque strings)."""

    lineitems_url: str | None
    lineitem_url: str | None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleRef:
    """A module named by a link: slug and version (None when the parameter is not a number)."""

    slug: str
    version: int | None
