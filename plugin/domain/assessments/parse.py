"""Reading and validating a questionnaire file (TOML): every problem, each as ``file:line: field: message``.

Unlike the catalogue's modules (first problem only), a questionnaire file reports every field that is
wrong, so an author fixes a file in one go; a file with any error is not loaded at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from plugin.domain.assessments.model import Item, Questionnaire, ScalePoint
from plugin.domain.catalogue import CatalogueError, Localized
from plugin.domain.catalogue.checker import Checker, load_toml
from plugin.domain.matching import MAX_LEVEL
from plugin.domain.matching.model import TAUGHT_BY

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
MIN_ITEMS, MAX_ITEMS = 3, 60
_KEYS = ("slug", "version", "title", "intro", "source", "scale", "scoring", "items")
_ITEM_KEYS = ("id", "text", "competence", "weight")
_SCALE_KEYS = ("value", "label")
_SCORING_KEYS = ("method", "thresholds")

T = TypeVar("T")


class _Collect:
    """Runs checks, keeping every CatalogueError instead of stopping at the first."""

    def __init__(self, check: Checker) -> None:
        self.check = check
        self.errors: list[CatalogueError] = []

    def __call__(self, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except CatalogueError as exc:
            self.errors.append(exc)
            return None

    def fail(self, path: str, message: str) -> None:
        """Record a problem of ``path``; an array of tables has no line of its own, so its first entry's is used."""
        line = self.check.line(path) or self.check.line(f"{path}[0]")
        self.errors.append(CatalogueError(self.check.filename, path, line, message))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scale(keep: _Collect, data: Mapping[str, Any]) -> tuple[ScalePoint, ...]:
    check = keep.check
    raw = keep(lambda: check.array(data, "scale", "scale", 2)) or []
    points = []
    for i, entry in enumerate(raw):
        path = f"scale[{i}]"
        if not isinstance(entry, Mapping):
            keep.fail(path, "must be a table")
            continue
        keep(lambda entry=entry, path=path: check.only(entry, _SCALE_KEYS, path))
        value = keep(lambda entry=entry, path=path: check.integer(entry, "value", f"{path}.value", 0, 10))
        label = keep(lambda entry=entry, path=path: check.localized(entry.get("label"), f"{path}.label"))
        if value is not None and label is not None:
            points.append(ScalePoint(value, label))
    if points and [p.value for p in points] != list(range(points[0].value, points[0].value + len(points))):
        keep.fail("scale", "values must be consecutive whole numbers, in order (e.g. 0, 1, 2, 3, 4)")
    return tuple(points)


def _thresholds(keep: _Collect, data: Mapping[str, Any], scale: tuple[ScalePoint, ...]) -> tuple[float, ...]:
    check = keep.check
    scoring = keep(lambda: check.table(data, "scoring", "scoring"))
    if scoring is None:
        return ()
    keep(lambda: check.only(scoring, _SCORING_KEYS, "scoring"))
    method = keep(lambda: check.string(scoring, "method", "scoring.method"))
    if method is not None and method != "weighted_mean":
        keep.fail("scoring.method", f"{method!r} is not a known method (expected weighted_mean)")
    raw = keep(lambda: check.array(scoring, "thresholds", "scoring.thresholds", MAX_LEVEL))
    if raw is None:
        return ()
    if len(raw) != MAX_LEVEL or not all(_number(t) for t in raw):
        keep.fail("scoring.thresholds", f"must be {MAX_LEVEL} numbers, one per level 1 to {MAX_LEVEL}")
        return ()
    if any(b <= a for a, b in zip(raw, raw[1:], strict=False)):
        keep.fail("scoring.thresholds", "must rise from one level to the next")
    elif scale and not (scale[0].value < raw[0] and raw[-1] <= scale[-1].value):
        keep.fail("scoring.thresholds", f"must lie above {scale[0].value} and at most {scale[-1].value}, the ends of the scale")
    return tuple(float(t) for t in raw)


def _items(keep: _Collect, data: Mapping[str, Any]) -> tuple[Item, ...]:
    check = keep.check
    raw = keep(lambda: check.array(data, "items", "items", MIN_ITEMS)) or []
    if len(raw) > MAX_ITEMS:
        keep.fail("items", f"has at most {MAX_ITEMS} entries, has {len(raw)}")
    items: list[Item] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        path = f"items[{i}]"
        if not isinstance(entry, Mapping):
            keep.fail(path, "must be a table")
            continue
        before = len(keep.errors)
        keep(lambda entry=entry, path=path: check.only(entry, _ITEM_KEYS, path))
        item_id = keep(lambda entry=entry, path=path: check.string(entry, "id", f"{path}.id"))
        if item_id is not None and not ITEM_ID_RE.match(item_id):
            keep.fail(f"{path}.id", f"{item_id!r} must be lowercase letters, digits, hyphens or underscores")
        elif item_id is not None and item_id in seen:
            keep.fail(f"{path}.id", f"item id {item_id!r} is used twice in this questionnaire")
        seen.add(item_id or "")
        text = keep(lambda entry=entry, path=path: check.localized(entry.get("text"), f"{path}.text"))
        competence = keep(lambda entry=entry, path=path: check.string(entry, "competence", f"{path}.competence"))
        if competence is not None and competence not in TAUGHT_BY:
            keep.fail(f"{path}.competence", f"{competence!r} is not a competence key of the matching model (like digcomp:2.6 or lifecomp:S2)")
        weight = entry.get("weight", 1.0)
        if not _number(weight) or not 0 < weight <= 10:
            keep.fail(f"{path}.weight", f"must be a number above 0 and at most 10, not {weight!r}")
        if len(keep.errors) == before:
            items.append(Item(str(item_id), text or Localized("", ""), str(competence), float(weight)))
    return tuple(items)


def parse_questionnaire(text: str, filename: str) -> tuple[Questionnaire | None, list[CatalogueError]]:
    """The questionnaire of a file, or None and every error found (in the order of the file's lines)."""
    check = Checker(filename, text)
    try:
        data = load_toml(text, filename)
    except CatalogueError as exc:
        return None, [exc]
    keep = _Collect(check)
    keep(lambda: check.only(data, _KEYS, ""))
    slug = keep(lambda: check.string(data, "slug", "slug"))
    if slug is not None and not SLUG_RE.match(slug):
        keep.fail("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    version = keep(lambda: check.integer(data, "version", "version", 1, 10_000))
    title = keep(lambda: check.localized(data.get("title"), "title"))
    intro = keep(lambda: check.localized(data.get("intro"), "intro"))
    source = keep(lambda: check.localized(data["source"], "source")) if "source" in data else None
    scale = _scale(keep, data)
    thresholds = _thresholds(keep, data, scale)
    items = _items(keep, data)
    if keep.errors:
        errors = sorted(keep.errors, key=lambda e: (e.line or 0))
        return None, errors
    assert slug is not None and version is not None and title is not None and intro is not None
    return Questionnaire(slug, version, title, intro, scale, items, thresholds, source), []
