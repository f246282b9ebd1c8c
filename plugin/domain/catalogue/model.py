"""The two-way module catalogue's values: frameworks, competences, modules, tracks, objectives (read-only).

Pure standard library. See ``curricula/README.md`` for the schema.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "nl")
EVIDENCE_KINDS = ("note", "link", "file", "observation")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
REF_RE = re.compile(r"^(?P<framework>[a-z]+):(?P<competence>[A-Za-z0-9.]+)@(?P<level>-?\d+)$")


class MentorFunction(enum.StrEnum):
    """The seed's five mentor functions."""

    CHALLENGING_ASSIGNMENTS = "challenging_assignments"
    RELATIONSHIP_COACHING = "relationship_coaching"
    PERSONAL = "personal"
    SKILLS = "skills"
    PROFESSIONAL = "professional"


class Side(enum.StrEnum):
    """Who teaches a track."""

    DIGITAL_MENTOR = "digital_mentor"
    SENIOR_EXPERT = "senior_expert"


#: track key -> (who teaches it, frameworks its competences come from)
TRACKS: dict[str, tuple[Side, tuple[str, ...]]] = {
    "digital": (Side.DIGITAL_MENTOR, ("digcomp",)),
    "expertise": (Side.SENIOR_EXPERT, ("entrecomp", "lifecomp")),
}


class CatalogueError(Exception):
    """A file that cannot be accepted; ``str()`` is ``file:line: field: message``."""

    def __init__(self, filename: str, field: str, line: int | None, message: str) -> None:
        self.filename, self.field, self.line, self.message = filename, field, line, message
        where = f"{filename}:{line}" if line else filename
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


@dataclass(frozen=True)
class Localized:
    """A text in every interface language."""

    en: str
    nl: str

    def get(self, language: str) -> str:
        """The text in ``language`` (English when that language is unknown)."""
        return self.nl if language == "nl" else self.en


@dataclass(frozen=True)
class Level:
    number: int
    name: Localized
    description: Localized


@dataclass(frozen=True)
class Competence:
    framework: str
    id: str
    area: str
    title: Localized
    description: Localized


@dataclass(frozen=True)
class Area:
    id: str
    title: Localized
    competences: tuple[Competence, ...]


@dataclass(frozen=True)
class Framework:
    """A competence framework (DigComp 2.2, EntreComp, LifeComp)."""

    id: str
    version: str
    title: Localized
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    citation: str = ""
    licence: str = ""

    @property
    def competences(self) -> dict[str, Competence]:
        return {c.id: c for a in self.areas for c in a.competences}


@dataclass(frozen=True)
class CompetenceRef:
    """``digcomp:2.6@4``: a competence of a framework at a proficiency level."""

    framework: str
    competence: str
    level: int

    def __str__(self) -> str:
        return f"{self.framework}:{self.competence}@{self.level}"


@dataclass(frozen=True)
class Objective:
    id: str
    text: Localized
    criteria: tuple[Localized, ...]
    evidence: tuple[str, ...]
    competences: tuple[CompetenceRef, ...]


@dataclass(frozen=True)
class Track:
    key: str
    taught_by: Side
    title: Localized
    summary: Localized
    objectives: tuple[Objective, ...]
    activities: tuple[Localized, ...]

    @property
    def learned_by(self) -> Side:
        return Side.SENIOR_EXPERT if self.taught_by is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR

    @property
    def competences(self) -> tuple[CompetenceRef, ...]:
        seen: dict[str, CompetenceRef] = {}
        for objective in self.objectives:
            for ref in objective.competences:
                seen.setdefault(str(ref), ref)
        return tuple(seen.values())


@dataclass(frozen=True)
class Module:
    """One two-way module at one version."""

    slug: str
    version: int
    mentor_function: MentorFunction
    duration_weeks: int
    sessions: int
    title: Localized
    summary: Localized
    tracks: tuple[Track, Track]
    #: sha256 of the content (formatting and comments do not count)
    digest: str = field(compare=False)
    source: str = field(compare=False, repr=False, default="")

    def track(self, key: str) -> Track:
        return next(t for t in self.tracks if t.key == key)

    def summary_dict(self) -> dict[str, Any]:
        """What ``tandem curricula list --json`` prints for the module."""
        return {
            "slug": self.slug,
            "version": self.version,
            "mentor_function": self.mentor_function.value,
            "title": {"en": self.title.en, "nl": self.title.nl},
            "tracks": {
                t.key: {
                    "taught_by": t.taught_by.value,
                    "objectives": [{"id": o.id, "en": o.text.en, "nl": o.text.nl} for o in t.objectives],
                }
                for t in self.tracks
            },
        }


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The frameworks and the modules (every version), read-only."""

    frameworks: Mapping[str, Framework]
    modules: Mapping[tuple[str, int], Module]

    def get(self, slug: str, version: int | None = None) -> Module | None:
        """A module at ``version``, or its latest version."""
        if version is not None:
            return self.modules.get((slug, version))
        versions = [m for (s, _), m in self.modules.items() if s == slug]
        return max(versions, key=lambda m: m.version) if versions else None

    def latest(self) -> list[Module]:
        """The latest version of every module, by English title."""
        slugs = {slug for slug, _ in self.modules}
        return sorted((self.get(s) for s in slugs), key=lambda m: m.title.en)  # type: ignore[return-value, arg-type]

    def competence(self, ref: CompetenceRef) -> Competence | None:
        framework = self.frameworks.get(ref.framework)
        return framework.competences.get(ref.competence) if framework else None


def parse_ref(value: Any) -> CompetenceRef | None:
    """``digcomp:2.6@4`` -> CompetenceRef, or None when it is not of that form."""
    if not isinstance(value, str):
        return None
    match = REF_RE.match(value.strip())
    if not match:
        return None
    return CompetenceRef(match.group("framework"), match.group("competence"), int(match.group("level")))
