"""The dashboards' rules, pure Python: the filters as given in a request, the participation funnel, series per
month, plan items on time or overdue, medians, and when a module counts as complete both ways from the
sign-off counts the database aggregated.

A chart is data only (keys, labels, numbers); the web layer names it in the page's language and draws it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median as _median

from plugin.domain.catalogue import Side
from plugin.domain.errors import RuleViolation

#: the stages of the participation funnel, in order (each counts people, never more than the one before)
FUNNEL = ("joined", "profile", "matched", "agreement", "active", "module_complete")
#: what a plan item is on a day
PLAN_STATES = ("done_on_time", "done_late", "overdue", "not_due")
_MONTH = re.compile(r"\d{4}-\d{2}")
_NUMBER = re.compile(r"\d{1,9}")
#: the GET parameters the dashboards understand
PARAMETERS = frozenset({"cohort", "side", "department", "from", "to"})


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field_name: str = "from") -> Month:
        """``YYYY-MM``.  :raise RuleViolation: anything else."""
        if not _MONTH.fullmatch(text) or not 1 <= int(text[5:]) <= 12 or not 1900 <= int(text[:4]) <= 2999:
            raise RuleViolation("Give the month as YYYY-MM.", field_name)
        return cls(int(text[:4]), int(text[5:]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __lt__(self, other: Month) -> bool:
        return (self.year, self.month) < (other.year, other.month)

    def __le__(self, other: Month) -> bool:
        return (self.year, self.month) <= (other.year, other.month)


@dataclass(frozen=True)
class Filters:
    """What a dashboard is narrowed to; None is everything. ``start``/``end`` are months, both included."""

    cohort: int | None = None
    side: Side | None = None
    department: str | None = None
    start: Month | None = None
    end: Month | None = None

    def within(self, day: date | None) -> bool:
        """Whether a day lies in the period (always, without one)."""
        if day is None:
            return self.start is None and self.end is None
        month = Month.of(day)
        return (self.start is None or self.start <= month) and (self.end is None or month <= self.end)

    def as_params(self) -> dict[str, str]:
        """The filters as GET parameters (for download links that keep them)."""
        out = {"cohort": str(self.cohort) if self.cohort else "", "side": self.side.value if self.side else "", "department": self.department or ""}
        out |= {"from": str(self.start) if self.start else "", "to": str(self.end) if self.end else ""}
        return {k: v for k, v in out.items() if v}


def parse_filters(args: Mapping[str, str]) -> Filters:
    """The filters from GET parameters; an empty value is no filter.

    :raise RuleViolation: an unknown parameter, a cohort that is not a number, an unknown side, a department
        over 120 characters or with control characters, a month not ``YYYY-MM``, or a period that ends before it starts.
    """
    unknown = sorted(set(args) - PARAMETERS)
    if unknown:
        raise RuleViolation(f"{unknown[0]!r} is not a filter.", unknown[0])
    values = {k: (args.get(k) or "").strip() for k in PARAMETERS}
    if any("\x00" in v or any(ord(c) < 32 for c in v) for v in values.values()):
        raise RuleViolation("A filter holds a character that is not allowed.", "department")
    cohort = None
    if values["cohort"]:
        if not _NUMBER.fullmatch(values["cohort"]):
            raise RuleViolation("Choose a cohort from the list.", "cohort")
        cohort = int(values["cohort"])
    side = None
    if values["side"]:
        try:
            side = Side(values["side"])
        except ValueError:
            raise RuleViolation("Choose a side from the list.", "side") from None
    if len(values["department"]) > 120:
        raise RuleViolation("A department has at most 120 characters.", "department")
    start = Month.parse(values["from"], "from") if values["from"] else None
    end = Month.parse(values["to"], "to") if values["to"] else None
    if start is not None and end is not None and end < start:
        raise RuleViolation("The period ends before it starts.", "to")
    return Filters(cohort, side, values["department"] or None, start, end)


@dataclass(frozen=True)
class Series:
    key: str
    values: tuple[float | int | None, ...]


@dataclass(frozen=True)
class Chart:
    """One chart's numbers: ``labels`` along the axis (keys the page may translate), one value per label per series."""

    key: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    #: the chart has no data (the page shows its empty state)
    empty: bool = False
    notes: Mapping[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, ...]]:
        """label, value per series: the table alternative, the CSV and the sheet."""
        return [(label, *(s.values[i] for s in self.series)) for i, label in enumerate(self.labels)]


#: the tandem statuses that count as matched in the funnel
PAIRED = frozenset({"proposed", "active", "ended"})


def funnel_stages(joined: int, profiled: int, members: Iterable[tuple[int, bool, str, bool, bool]]) -> dict[str, int]:
    """The number of people at each stage of the funnel: ``joined`` and ``profiled`` counted already; from the
    tandems' ``members`` (person, kept by the filters, tandem status, agreement signed by both, a module complete
    both ways) the people the filters keep in a proposed/active/ended tandem, whose agreement both signed, in an
    active one, with a module complete both ways (each person once per stage, whatever their tandems)."""
    stages: dict[str, set[int]] = {stage: set() for stage in FUNNEL[2:]}
    for person, kept, status, signed, complete in members:
        if not kept or status not in PAIRED:
            continue
        stages["matched"].add(person)
        if signed:
            stages["agreement"].add(person)
            if status == "active":
                stages["active"].add(person)
            if complete:
                stages["module_complete"].add(person)
    return {"joined": joined, "profile": profiled} | {stage: len(people) for stage, people in stages.items()}


def funnel(counts: Mapping[str, int]) -> Chart:
    """The funnel chart from the number of people at each stage (missing stages count 0)."""
    values = tuple(int(counts.get(stage, 0)) for stage in FUNNEL)
    return Chart("funnel", FUNNEL, (Series("people", values),), empty=values[0] == 0)


def month_range(first: Month, last: Month, limit: int = 120) -> list[Month]:
    """Every month from ``first`` to ``last`` (at most ``limit``, the latest kept)."""
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = month.next()
    return out[-limit:]


def per_month(counts: Mapping[tuple[str, str], int], keys: Sequence[str], filters: Filters, today: date, key: str) -> Chart:
    """A series per key (e.g. a side) over the months of the period, from ``(YYYY-MM, key) -> count``.

    Without a period, the months run from the first month with data to today's (or the period's end).
    """
    months = sorted({m for m, _ in counts})
    if filters.start is not None:
        first = filters.start
    elif months:
        first = Month.parse(months[0])
    else:
        first = Month.of(today)
    last = filters.end or max(Month.of(today), Month.parse(months[-1]) if months else Month.of(today))
    labels = tuple(str(m) for m in month_range(first, last))
    series = tuple(Series(k, tuple(int(counts.get((m, k), 0)) for m in labels)) for k in keys)
    return Chart(key, labels, series, empty=not any(v for s in series for v in s.values))


def plan_state(due: date, done_on: date | None, today: date) -> str:
    """done_on_time, done_late, overdue (not done, due before today) or not_due."""
    if done_on is not None:
        return "done_on_time" if done_on <= due else "done_late"
    return "overdue" if due < today else "not_due"


def plan_chart(items: Iterable[tuple[date, date | None]], today: date, filters: Filters) -> Chart:
    """Plan items by state; with a period, only the items due in it."""
    counts = dict.fromkeys(PLAN_STATES, 0)
    first = filters.start.first_day() if filters.start else date.min
    after = filters.end.next().first_day() if filters.end else date.max
    for due, done_on in items:
        if first <= due < after:
            counts[plan_state(due, done_on, today)] += 1
    values = tuple(counts[s] for s in PLAN_STATES)
    return Chart("plan_items", PLAN_STATES, (Series("items", values),), empty=not any(values))


def plan_counts(counts: Mapping[str, int]) -> Chart:
    """The plan chart from the number of items in each state (as the database counted them with :func:`plan_state`'s rule)."""
    values = tuple(int(counts.get(s, 0)) for s in PLAN_STATES)
    return Chart("plan_items", PLAN_STATES, (Series("items", values),), empty=not any(values))


def median(values: Iterable[float]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(_median(kept)) if kept else None


@dataclass(frozen=True)
class TrackCount:
    """What the database aggregated for one track of one module version of one tandem."""

    #: how many objectives are signed off and not withdrawn
    signed: int
    #: the highest seq of a countersignature and of a withdrawal (None when there is none)
    countersigned_seq: int | None
    withdrawn_seq: int | None


def track_complete(count: TrackCount | None, objectives: int, require_countersign: bool) -> bool:
    """Every objective signed and not withdrawn; with countersigning, countersigned after the last withdrawal
    (a withdrawal voids the track's countersignature, as the replay of the chain says)."""
    if count is None or count.signed < objectives:
        return False
    if not require_countersign:
        return True
    return count.countersigned_seq is not None and (count.withdrawn_seq is None or count.countersigned_seq > count.withdrawn_seq)
