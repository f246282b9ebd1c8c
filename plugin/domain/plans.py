"""Training plans: a tandem's plan (modules with due dates, planned sessions) and the organisation's long-term plan.

A plan is built from a template or from scratch. Every change (a new date, an item done, a module added)
returns a new plan with one more history entry: who changed what, from what, to what, when. History is
never rewritten.
"""

from __future__ import annotations

import calendar
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from plugin.domain.errors import NotFound, RuleViolation

MAX_OFFSET_DAYS = 3653  # ten years
MAX_SESSIONS = 104
REASON_MAX = 500
QUARTER_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")


class Cadence(enum.StrEnum):
    """How often sessions happen."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class ItemKind(enum.StrEnum):
    MODULE = "module"
    SESSION = "session"
    CHECKIN = "checkin"  # a trainer check-in with the tandem
    FOLLOWUP = "followup"  # a follow-up action of an event one member attended (plugin.domain.events)


@dataclass(frozen=True)
class SessionSeries:
    """``count`` sessions of ``duration_minutes``, every ``cadence``, the first ``first_after`` periods after the start."""

    cadence: Cadence
    count: int
    duration_minutes: int
    kind: ItemKind = ItemKind.SESSION
    first_after: int = 0


@dataclass(frozen=True)
class PlanTemplate:
    key: str
    months: int | None
    series: tuple[SessionSeries, ...]

    def spread(self, slugs: Sequence[str]) -> tuple[ModuleTarget, ...]:
        """Modules spread evenly over the template's length (30-day months): the last one is due at the end."""
        days = (self.months or 6) * 30
        return tuple(ModuleTarget(slug, days * (i + 1) // len(slugs)) for i, slug in enumerate(slugs))


TEMPLATES: dict[str, PlanTemplate] = {
    t.key: t
    for t in (
        # six sessions of about an hour over six months (the NHS reverse-mentoring agreement)
        PlanTemplate("six-sessions", 6, (SessionSeries(Cadence.MONTHLY, 6, 60),)),
        # a managed year: monthly sessions, and a trainer check-in at the end of every quarter
        PlanTemplate(
            "twelve-month-managed",
            12,
            (SessionSeries(Cadence.MONTHLY, 12, 60), SessionSeries(Cadence.QUARTERLY, 4, 30, ItemKind.CHECKIN, first_after=1)),
        ),
        PlanTemplate("scratch", None, ()),
    )
}


@dataclass(frozen=True)
class ModuleTarget:
    """A module in a plan, due ``offset_days`` after the plan starts."""

    slug: str
    offset_days: int


@dataclass(frozen=True)
class PlanItem:
    """A module due date, a planned session, a trainer check-in or an event's follow-up. ``key``: ``module:<slug>``,
    ``session:3``, ``checkin:1``, ``followup:12``; a follow-up has its ``text``, and ``confirm_by`` when only that
    person (the attendee's partner) may mark it done."""

    key: str
    kind: ItemKind
    due: date
    module_slug: str | None = None
    duration_minutes: int | None = None
    done_on: date | None = None
    text: str | None = None
    confirm_by: int | None = None


@dataclass(frozen=True)
class Change:
    """One history entry: ``what`` is ``due``, ``done_on`` or ``added``."""

    item_key: str
    what: str
    old: date | None
    new: date | None
    actor_id: int
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    template: str
    start: date
    items: tuple[PlanItem, ...]
    history: tuple[Change, ...] = ()

    def item(self, key: str) -> PlanItem:
        """Raises NotFound when the plan has no such item."""
        for item in self.items:
            if item.key == key:
                return item
        raise NotFound(f"This plan has no item {key}.")

    @property
    def by_date(self) -> tuple[PlanItem, ...]:
        return tuple(sorted(self.items, key=lambda i: (i.due, list(ItemKind).index(i.kind), i.key)))

    def overdue(self, today: date) -> tuple[PlanItem, ...]:
        """Items not done whose due date has passed (an item due today is not overdue yet)."""
        return tuple(i for i in self.by_date if i.done_on is None and i.due < today)


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the end of shorter months (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def session_dates(start: date, series: SessionSeries) -> list[date]:
    """The planned dates of a series, each computed from ``start`` (so monthly dates do not drift)."""
    steps = range(series.first_after, series.first_after + series.count)
    if series.cadence is Cadence.WEEKLY:
        return [start + timedelta(weeks=n) for n in steps]
    if series.cadence is Cadence.FORTNIGHTLY:
        return [start + timedelta(weeks=2 * n) for n in steps]
    months = 1 if series.cadence is Cadence.MONTHLY else 3
    return [add_months(start, months * n) for n in steps]


def new_plan(template: str, start: date, modules: Iterable[ModuleTarget] = (), series: Sequence[SessionSeries] | None = None) -> Plan:
    """A plan from a template (``series`` replaces the template's sessions when given).

    Raises:
        RuleViolation: an unknown template, a module twice, a target outside 0-3653 days, or a bad session series.
    """
    found = TEMPLATES.get(template)
    if found is None:
        raise RuleViolation(f"Unknown plan template {template!r}: choose one of {', '.join(TEMPLATES)}.", "template")
    items: list[PlanItem] = []
    for target in modules:
        items.append(_module_item(start, target, {i.module_slug for i in items}))
    counters: dict[ItemKind, list[tuple[date, int]]] = {}
    for s in found.series if series is None else series:
        _check_series(s)
        counters.setdefault(s.kind, []).extend((d, s.duration_minutes) for d in session_dates(start, s))
    for kind, dates in counters.items():
        for n, (day, minutes) in enumerate(sorted(dates), start=1):
            items.append(PlanItem(f"{kind.value}:{n}", kind, day, duration_minutes=minutes))
    return Plan(template, start, tuple(items))


def _module_item(start: date, target: ModuleTarget, present: set[str | None]) -> PlanItem:
    if target.slug in present:
        raise RuleViolation(f"Module {target.slug} is in the plan twice.", "modules")
    if not 0 <= target.offset_days <= MAX_OFFSET_DAYS:
        message = f"Module {target.slug} must be due 0 to {MAX_OFFSET_DAYS} days after the start, not {target.offset_days}."
        raise RuleViolation(message, "modules")
    return PlanItem(f"module:{target.slug}", ItemKind.MODULE, start + timedelta(days=target.offset_days), module_slug=target.slug)


def _check_series(series: SessionSeries) -> None:
    if not 1 <= series.count <= MAX_SESSIONS:
        raise RuleViolation(f"Plan 1 to {MAX_SESSIONS} sessions, not {series.count}.", "count")
    if not 15 <= series.duration_minutes <= 480:
        raise RuleViolation(f"A session lasts from 15 to 480 minutes, not {series.duration_minutes}.", "duration_minutes")
    if series.first_after < 0:
        raise RuleViolation("The first session cannot be before the start of the plan.", "first_after")


def reschedule(plan: Plan, item_key: str, new_due: date, actor_id: int, at: datetime, reason: str = "") -> Plan:
    """Move an item to ``new_due``; the history keeps the old date.

    Raises:
        NotFound: no such item.
        RuleViolation: the item is done, the date is unchanged or before the start, or the reason is too long.
    """
    item = plan.item(item_key)
    if item.done_on is not None:
        raise RuleViolation("This item is already done; it cannot be rescheduled.", "due")
    if new_due == item.due:
        raise RuleViolation("The new date is the same as the current one.", "due")
    if new_due < plan.start:
        raise RuleViolation(f"The new date cannot be before the plan starts ({plan.start.isoformat()}).", "due")
    text = (reason or "").strip()
    if len(text) > REASON_MAX:
        raise RuleViolation(f"The reason is too long: at most {REASON_MAX} characters.", "reason")
    change = Change(item_key, "due", item.due, new_due, actor_id, _aware(at), text)
    return _with(plan, replace(item, due=new_due), change)


def mark_done(plan: Plan, item_key: str, on: date, actor_id: int, at: datetime) -> Plan:
    """Record that an item was done on ``on``.

    Raises:
        NotFound: no such item.
        RuleViolation: it is already done, or ``on`` is before the plan starts.
    """
    item = plan.item(item_key)
    if item.done_on is not None:
        raise RuleViolation("This item is already done.", "done_on")
    if item.confirm_by is not None and actor_id != item.confirm_by:
        raise RuleViolation("Only the partner of the person who attended confirms this follow-up is done.", "confirm_by")
    if on < plan.start:
        raise RuleViolation(f"The date cannot be before the plan starts ({plan.start.isoformat()}).", "done_on")
    return _with(plan, replace(item, done_on=on), Change(item_key, "done_on", None, on, actor_id, _aware(at)))


def add_module(plan: Plan, target: ModuleTarget, actor_id: int, at: datetime) -> Plan:
    """Add a module to a running plan (assigned by the trainer, placed by Deep Linking or chosen by the pair).

    Raises:
        RuleViolation: the module is already in the plan, or the target is out of range.
    """
    item = _module_item(plan.start, target, {i.module_slug for i in plan.items})
    change = Change(item.key, "added", None, item.due, actor_id, _aware(at))
    return replace(plan, items=(*plan.items, item), history=(*plan.history, change))


def add_item(plan: Plan, item: PlanItem, actor_id: int, at: datetime) -> Plan:
    """Add an item made elsewhere (an event's follow-up) to a running plan, with its history entry.

    Raises:
        RuleViolation: the plan has an item with that key already.
    """
    if any(i.key == item.key for i in plan.items):
        raise RuleViolation(f"This plan has an item {item.key} already.", "plan")
    change = Change(item.key, "added", None, item.due, actor_id, _aware(at))
    return replace(plan, items=(*plan.items, item), history=(*plan.history, change))


def _with(plan: Plan, item: PlanItem, change: Change) -> Plan:
    items = tuple(item if i.key == item.key else i for i in plan.items)
    return replace(plan, items=items, history=(*plan.history, change))


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a change time must be timezone-aware")
    return at


# ---------------------------------------------------------------- the organisation's long-term plan


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``"2027-Q1"`` -> Quarter(2027, 1). Raises RuleViolation on anything else."""
        match = QUARTER_RE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise RuleViolation(f"{text!r} is not a quarter like 2027-Q1.", "quarter")
        return cls(int(match["year"]), int(match["number"]))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        month = 3 * self.number
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class LongTermPlan:
    """Which modules each cohort takes in which quarter: (cohort, quarter) -> module slugs."""

    entries: Mapping[tuple[str, Quarter], tuple[str, ...]]

    @property
    def cohorts(self) -> tuple[str, ...]:
        return tuple(sorted({c for c, _ in self.entries}))


def long_term_plan(plan: Mapping[str, Mapping[str | Quarter, Iterable[str]]]) -> LongTermPlan:
    """Build from ``{cohort: {"2027-Q1": [slugs]}}``.

    Raises:
        RuleViolation: a bad quarter, or a module planned twice for one cohort.
    """
    entries: dict[tuple[str, Quarter], tuple[str, ...]] = {}
    for cohort, quarters in plan.items():
        seen: dict[str, Quarter] = {}
        for key, slugs in quarters.items():
            quarter = key if isinstance(key, Quarter) else Quarter.parse(key)
            kept = tuple(dict.fromkeys(slugs))
            for slug in kept:
                if slug in seen:
                    raise RuleViolation(f"Cohort {cohort} has module {slug} in both {seen[slug]} and {quarter}.", "modules")
                seen[slug] = quarter
            if kept:
                entries[(cohort, quarter)] = kept
    return LongTermPlan(dict(sorted(entries.items())))


@dataclass(frozen=True)
class QuarterProgress:
    """A cohort's quarter: ``late`` holds modules not completed by the quarter's last day, once it has passed."""

    cohort: str
    quarter: Quarter
    planned: tuple[str, ...]
    completed: tuple[str, ...]
    late: tuple[str, ...]

    @property
    def open(self) -> tuple[str, ...]:
        return tuple(s for s in self.planned if s not in self.completed)


def progress_against(plan: LongTermPlan, actual: Mapping[str, Mapping[str, date | None]], today: date) -> list[QuarterProgress]:
    """Each cohort's quarters with what was planned, what is completed (by ``today``) and what is late.

    A module completed after its quarter counts as completed *and* late.
    """
    out = []
    for (cohort, quarter), planned in plan.entries.items():
        done = actual.get(cohort, {})
        completed = tuple(s for s in planned if _done_by(done.get(s), today))
        late: tuple[str, ...] = ()
        if quarter.last_day < today:
            late = tuple(s for s in planned if not _done_by(done.get(s), quarter.last_day))
        out.append(QuarterProgress(cohort, quarter, planned, completed, late))
    return out


def _done_by(completed_on: date | None, day: date) -> bool:
    return completed_on is not None and completed_on <= day
