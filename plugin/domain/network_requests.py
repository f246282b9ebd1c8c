"""The mentor network's rules: which needs a partner leaves open, who may be asked for a focused mentoring on
one of them, which module's track the mentoring works on, and what state it is in.

A focused mentoring is one mentor, one mentee, one need (a competence key): the mentor's side teaches the
track of one module aligned to that competence, and signs off the mentee's objectives in it. Pure Python.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from plugin.domain.catalogue import Module, Side
from plugin.domain.errors import RuleViolation
from plugin.domain.matching import Exclusion, Person, Rules, exclusion

#: a focused mentoring as people read it
ASKED, ACTIVE, DECLINED, WITHDRAWN, COMPLETED = "asked", "active", "declined", "withdrawn", "completed"
#: the mentee's membership states that hold a place (the request is open or the mentoring runs)
HOLDING = ("pending", "member")
MESSAGE_MAX = 1000
REASON_MAX = 500


class AskRefused(RuleViolation):
    """A request for a focused mentoring breaks a rule; ``reason`` names which (the pages word it)."""

    def __init__(self, reason: str, message: str, field: str = "mentor") -> None:
        super().__init__(message, field)
        self.reason = reason


@dataclass(frozen=True)
class Need:
    """A competence the mentee wants to reach, and the level they reach with their partner(s)."""

    competence: str
    wanted: int
    reached: int


def status_of(member_status: str, group_status: str, completed: bool) -> str:
    """What a focused mentoring is: asked, active, completed, declined or withdrawn."""
    if member_status == "pending":
        return ASKED
    if member_status == "declined":
        return DECLINED
    if member_status == "left":
        return WITHDRAWN
    return COMPLETED if completed or group_status == "ended" else ACTIVE


def helps_with(learner: Person, teacher: Person) -> dict[str, int]:
    """The competences ``teacher`` can take ``learner`` further in: key -> the level they reach with them."""
    out = {}
    for key, wanted in learner.learns.items():
        level = min(teacher.teaches.get(key, 0), wanted)
        if level > learner.current.get(key, 0):
            out[key] = level
    return out


def open_needs(mentee: Person, partners: Iterable[Person]) -> list[Need]:
    """The mentee's needs their partner(s) do not take to the wanted level, largest gap first."""
    partners = tuple(partners)
    out = []
    for key, wanted in mentee.learns.items():
        reached = max([mentee.current.get(key, 0)] + [min(p.teaches.get(key, 0), wanted) for p in partners])
        if reached < wanted:
            out.append(Need(key, wanted, reached))
    return sorted(out, key=lambda n: (n.reached - n.wanted, n.competence))


def aligned_modules(competence: str, mentor_side: Side, modules: Iterable[Module]) -> list[Module]:
    """Modules whose track taught by ``mentor_side`` has an objective aligned to ``competence``, by slug."""
    found = []
    for module in modules:
        track = next((t for t in module.tracks if t.taught_by is mentor_side), None)
        if track is not None and any(f"{ref.framework}:{ref.competence}" == competence for ref in track.competences):
            found.append(module)
    return sorted(found, key=lambda mod: mod.slug)


def choose_module(competence: str, mentor_side: Side, modules: Iterable[Module], chosen: str | None) -> Module:
    """The module a focused mentoring works on: the one aligned module, or the one chosen among several.

    Raises:
        AskRefused: no module teaches the need, several do and none (or another) was chosen.
    """
    aligned = aligned_modules(competence, mentor_side, modules)
    if not aligned:
        raise AskRefused("no_module", "no module of the programme has a track on this need", "competence")
    if chosen:
        pick = next((mod for mod in aligned if mod.slug == chosen), None)
        if pick is None:
            raise AskRefused("choose_module", "choose one of the modules that work on this need", "module")
        return pick
    if len(aligned) > 1:
        raise AskRefused("choose_module", "several modules work on this need: choose one", "module")
    return aligned[0]


def check_ask(
    mentee: Person,
    mentor: Person | None,
    competence: str,
    *,
    partners: Collection[str],
    needs: Sequence[Need],
    rules: Rules,
    lines: Mapping[str, str],
    open_for_need: bool,
    declined_by_mentor: bool,
    mentor_load: int,
    mentor_cap: int,
) -> Need:
    """Whether ``mentee`` may ask ``mentor`` for a focused mentoring on ``competence``; returns the need.

    Anyone of the other side who can take the need beyond the level the mentee reaches with their partner(s)
    may be asked (the network's suggestions are such people): not oneself, not a tandem partner, nobody the
    hard rules keep apart (a veto either way, one reporting line, no shared language; earlier partners may
    be asked), not twice for one need while a request is open or the mentoring runs, not again by someone
    who declined this need, and not a mentor whose focused mentorings (open or running) fill their capacity.

    Raises:
        AskRefused: names the rule.
    """
    need = next((n for n in needs if n.competence == competence), None)
    if need is None:
        raise AskRefused("not_open", "this is not one of your needs that your partner leaves open", "competence")
    if mentor is None:
        raise AskRefused("not_offered", "this person does not offer this competence in the programme")
    if mentor.id == mentee.id:
        raise AskRefused("self", "you cannot be your own mentor")
    if mentor.id in partners:
        raise AskRefused("partner", "this person is your tandem partner already")
    if mentor.side is mentee.side or min(mentor.teaches.get(competence, 0), need.wanted) <= need.reached:
        raise AskRefused("not_offered", "this person does not offer this competence beyond the level you reach")
    digital, expert = (mentee, mentor) if mentee.side is Side.DIGITAL_MENTOR else (mentor, mentee)
    found = exclusion(digital, expert, Rules(rules.shared_language, rules.no_reporting_line, False, frozenset(), rules.managers), lines)
    if found is Exclusion.REPORTING_LINE:
        raise AskRefused("reporting_line", "the two of you are in one reporting line, and the programme forbids that")
    if found is Exclusion.NO_SHARED_LANGUAGE:
        raise AskRefused("language", "the two of you share no language")
    if found is not None:
        raise AskRefused("unavailable", "this person is not available for a focused mentoring with you")
    if open_for_need:
        raise AskRefused("open", "you already have a request or a focused mentoring on this need", "competence")
    if declined_by_mentor:
        raise AskRefused("declined", "this person declined a focused mentoring on this need")
    if mentor_load >= mentor_cap:
        raise AskRefused("full", "this person mentors as many people as they can take")
    return need


def clean_text(value: str | None, limit: int, field: str) -> str:
    """A message or reason, stripped, at most ``limit`` characters.

    Raises:
        RuleViolation: too long.
    """
    text = (value or "").strip()
    if len(text) > limit:
        raise RuleViolation(f"at most {limit} characters", field)
    return text
