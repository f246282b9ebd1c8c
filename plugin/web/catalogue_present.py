"""How the module catalogue is shown: labels, the catalogue filters and competence references.

Pure presentation over ``plugin.services.modules.Entry`` values: no database, no request. The
labels are lazy strings, so they take the page language when a template renders them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import Catalogue, CompetenceRef, MentorFunction, Module, Side, Track
from plugin.services.modules import DRAFT, PUBLISHED, WITHDRAWN, Entry

MENTOR_FUNCTIONS = {
    MentorFunction.CHALLENGING_ASSIGNMENTS.value: _l("Challenging assignments"),
    MentorFunction.RELATIONSHIP_COACHING.value: _l("Relationship coaching"),
    MentorFunction.PERSONAL.value: _l("Personal mentoring"),
    MentorFunction.SKILLS.value: _l("Skills mentoring"),
    MentorFunction.PROFESSIONAL.value: _l("Professional mentoring"),
}
TEACHES = {Side.DIGITAL_MENTOR.value: _l("Digital mentor teaches"), Side.SENIOR_EXPERT.value: _l("Senior expert teaches")}
SIDES = {Side.DIGITAL_MENTOR.value: _l("Digital mentor"), Side.SENIOR_EXPERT.value: _l("Senior expert")}
TRACKS = {"digital": _l("Digital track"), "expertise": _l("Expertise track")}
EVIDENCE = {"note": _l("note"), "link": _l("link"), "file": _l("file"), "observation": _l("observation in a session")}
STATUSES = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), WITHDRAWN: _l("Withdrawn")}
#: frameworks whose levels are Tandem's own scale, not the framework's (see curricula/README.md)
OWN_SCALE = frozenset({"lifecomp"})


def fold(text: str) -> str:
    """``text`` for matching: case and accents ignored (``één`` finds ``een``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Filters:
    """What the catalogue is narrowed to; an empty value does not filter."""

    side: str = ""  # the track taught by this side (Side value)
    function: str = ""  # MentorFunction value
    competence: str = ""  # "framework:competence", e.g. "digcomp:2.6"
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.side or self.function or self.competence or self.text.strip())


def _tracks(module: Module, side: str) -> tuple[Track, ...]:
    return tuple(t for t in module.tracks if not side or t.taught_by.value == side)


def _haystack(module: Module, side: str, language: str) -> str:
    # With a track chosen, only the module title and that track count: the module summary
    # speaks of both tracks and would match almost any word.
    parts = [module.title.get(language)] if side else [module.title.get(language), module.summary.get(language)]
    for track in _tracks(module, side):
        parts += [track.title.get(language), track.summary.get(language)]
        parts += [objective.text.get(language) for objective in track.objectives]
    return fold("\n".join(parts))


def matches(module: Module, filters: Filters, language: str) -> bool:
    """Whether ``module`` passes every active filter; search words must all occur, in ``language``."""
    if filters.function and module.mentor_function.value != filters.function:
        return False
    tracks = _tracks(module, filters.side)
    if filters.competence and not any(f"{r.framework}:{r.competence}" == filters.competence for t in tracks for r in t.competences):
        return False
    words = fold(filters.text).split()
    if words:
        haystack = _haystack(module, filters.side, language)
        return all(word in haystack for word in words)
    return True


def filter_entries(entries: Iterable[Entry], filters: Filters, language: str) -> list[Entry]:
    """The entries whose module passes ``filters``, by title in ``language``."""
    found = [e for e in entries if matches(e.module, filters, language)]
    return sorted(found, key=lambda e: fold(e.module.title.get(language)))


def framework_name(catalogue: Catalogue, framework_id: str) -> str:
    """The framework's short name, ``DigComp`` (its title up to the version or colon)."""
    framework = catalogue.frameworks.get(framework_id)
    if framework is None:
        return framework_id
    return framework.title.en.split(":")[0].split()[0]


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: tuple[Choice, ...]


def competence_groups(catalogue: Catalogue, entries: Iterable[Entry], language: str) -> list[ChoiceGroup]:
    """The competences the offered modules refer to, grouped by framework in framework order."""
    used = {f"{r.framework}:{r.competence}" for e in entries for t in e.module.tracks for r in t.competences}
    groups = []
    for fid, framework in catalogue.frameworks.items():
        short = framework_name(catalogue, fid)
        choices = tuple(
            Choice(f"{fid}:{c.id}", f"{short} {c.id} {c.title.get(language)}")
            for area in framework.areas
            for c in area.competences
            if f"{fid}:{c.id}" in used
        )
        if choices:
            groups.append(ChoiceGroup(framework.title.get(language).split(":")[0], choices))
    return groups


def choice_values(groups: Sequence[ChoiceGroup]) -> set[str]:
    return {c.value for g in groups for c in g.choices}


@dataclass(frozen=True)
class RefView:
    """A competence reference as people read it: ``DigComp 2.6 Managing digital identity``, level 4 (name)."""

    competence: str
    level: int
    level_name: str
    own_scale: bool


def ref_view(catalogue: Catalogue, ref: CompetenceRef, language: str) -> RefView:
    """How to show ``ref`` in ``language``."""
    competence = catalogue.competence(ref)
    framework = catalogue.frameworks.get(ref.framework)
    title = competence.title.get(language) if competence else ""
    label = f"{framework_name(catalogue, ref.framework)} {ref.competence} {title}".strip()
    level_name = ""
    if framework is not None and 1 <= ref.level <= len(framework.levels):
        level_name = framework.levels[ref.level - 1].name.get(language)
    return RefView(label, ref.level, level_name, ref.framework in OWN_SCALE)
