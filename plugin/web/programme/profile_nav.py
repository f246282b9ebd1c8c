"""What the steps of the profile and needs map share: the list of steps and where one is, the level
legend of a framework, the words for what is missing, and the quick start's questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import Side
from plugin.domain.needs_map import AREAS, Area, Missing, areas_for
from plugin.domain.self_check import Answer
from plugin.models import Participant
from plugin.web.programme.blueprint import catalogue, language

FRAMEWORK_NAMES = {"digcomp": "DigComp", "entrecomp": "EntreComp", "lifecomp": "LifeComp"}
MISSING = {
    Missing.SIDE: _l("Choose your side: digital mentor or senior expert."),
    Missing.LANGUAGES: _l("Name at least one language you can mentor in."),
    Missing.CAPACITY: _l("Say you can take at least one partner."),
    Missing.OFFERS: _l("Choose at least one competence you can teach, with the level."),
    Missing.WANTS: _l("Choose at least one competence you want to learn from the other side, with a level above your level today."),
}
QUESTIONS = {
    "information": (_l("How at ease are you with finding, judging and keeping information online?"), _l("Browsing and searching, telling reliable sources from others, organising files and data.")),
    "communication": (_l("How at ease are you with communicating and working together online?"), _l("E-mail, chat and video calls, sharing documents, collaboration platforms, your online identity and reputation.")),
    "creating": (_l("How at ease are you with creating digital content and solving problems with devices and software?"), _l("Making documents, presentations and media, copyright, fixing technical problems, learning new apps.")),
    "safety": (_l("How at ease are you with staying safe online?"), _l("Protecting devices and personal data, privacy settings, scams, your wellbeing and the environment.")),
    "ideas": (_l("How at ease are you with spotting opportunities and developing ideas?"), _l("Creativity, a vision for the future, valuing ideas, ethical and sustainable thinking.")),
    "resources": (_l("How at ease are you with mobilising people and resources?"), _l("Self-awareness and motivation, perseverance, money and means, getting others on board.")),
    "action": (_l("How at ease are you with turning ideas into action?"), _l("Taking the initiative, planning and managing, dealing with uncertainty, working with others, learning from experience.")),
    "life": (_l("How at ease are you with managing yourself, relating to others and learning?"), _l("Self-regulation, flexibility, wellbeing, empathy, communication, collaboration, growth mindset, critical thinking.")),
}
ANSWERS = {
    Answer.NEW: _l("It is new to me"),
    Answer.WITH_HELP: _l("I manage with some help"),
    Answer.AT_EASE: _l("I am at ease with it on my own"),
    Answer.CAN_TEACH: _l("I could teach it to others"),
}


@dataclass(frozen=True)
class Step:
    id: str  # basics, quick-start, an area's slug, goals, summary
    title: str
    url: str
    area: Area | None = None
    mode: str | None = None  # offer / want for an area


def area_title(area: Area) -> str:
    framework = catalogue().frameworks.get(area.framework)
    found = next((a for a in framework.areas if a.id == area.area), None) if framework else None
    name = found.title.get(language()) if found else area.area
    return f"{name} ({FRAMEWORK_NAMES.get(area.framework, area.framework)})"


def steps(side: Side | None) -> list[Step]:
    """Every step in order for a side (before the side is chosen, the areas in the frameworks' order)."""
    result = [Step("basics", _("About you: side, languages and time"), url_for("programme.profile_basics")),
              Step("quick-start", _("Quick start: a short self-check"), url_for("programme.profile_quick_start"))]  # fmt: skip
    for area in areas_for(side) if side else AREAS:
        mode = None if side is None else ("offer" if area.taught_by is side else "want")
        title = _("What I can teach: %(area)s", area=area_title(area)) if mode == "offer" else _("What I want to learn: %(area)s", area=area_title(area))
        result.append(Step(area.slug, title, url_for("programme.profile_step", slug=area.slug), area, mode))
    result.append(Step("goals", _("Goals, wishes and reporting line"), url_for("programme.profile_goals")))
    result.append(Step("summary", _("Summary"), url_for("programme.profile")))
    return result


def neighbours(side: Side | None, step_id: str) -> tuple[Step | None, Step | None]:
    """The steps before and after ``step_id``."""
    all_steps = steps(side)
    i = next(i for i, s in enumerate(all_steps) if s.id == step_id)
    return (all_steps[i - 1] if i else None), (all_steps[i + 1] if i + 1 < len(all_steps) else None)


def progress(side: Side | None, step_id: str) -> dict[str, Any]:
    """What the progress indicator shows: "Step 3 of 15", the step's title and every step as a link."""
    all_steps = steps(side)
    number = next(i for i, s in enumerate(all_steps) if s.id == step_id) + 1
    return {"steps": all_steps, "number": number, "total": len(all_steps), "current": all_steps[number - 1], "open": side is not None}


def side_of(row: Participant | None) -> Side | None:
    return Side(row.side) if row is not None and row.side and row.profile_saved_at is not None else None


def levels(framework_id: str) -> list[dict[str, Any]]:
    """A framework's levels with their names and plain descriptions (the legend and the options)."""
    framework = catalogue().frameworks.get(framework_id)
    result = []
    for level in framework.levels if framework else ():
        name = level.name.get(language())
        option = name if str(level.number) in name else f"{level.number} · {name}"
        result.append({"number": level.number, "name": name, "option": option, "description": level.description.get(language())})
    return result


def own_scale_note(framework_id: str) -> str | None:
    """LifeComp has no levels of its own: the legend says the scale is Tandem's."""
    if framework_id == "lifecomp":
        return _("LifeComp defines no levels; these eight are Tandem's own scale, aligned with DigComp's.")
    return None


def fix_url(side: Side | None, missing: Missing) -> str:
    """The step where the person can supply what is missing."""
    if missing in (Missing.SIDE, Missing.LANGUAGES, Missing.CAPACITY) or side is None:
        return url_for("programme.profile_basics")
    wanted = "offer" if missing is Missing.OFFERS else "want"
    step = next(s for s in steps(side) if s.mode == wanted)
    return step.url
