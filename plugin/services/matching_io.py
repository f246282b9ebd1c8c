"""The matching engine offline: JSON in, JSON out (``tandem match --input people.json --output pairs.json``).

The formats are documented in ``docs/matching.md``. No Flask, no database: plain files and
:mod:`plugin.domain.matching`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from plugin.domain.errors import RuleViolation
from plugin.domain.matching import Person, Result, Rules, Suggestion, match, suggest_network

_PERSON_KEYS = {"id", "side", "languages", "capacity", "needs", "goals", "availability", "department", "manager", "wishes", "vetoes"}
_RULE_KEYS = {"shared_language", "no_reporting_line", "exclude_earlier", "earlier_pairs", "managers"}
_NEED_KEYS = {"offer", "want", "current"}


def _fail(message: str, field: str | None = None) -> RuleViolation:
    return RuleViolation(message, field)


def _person(raw: Any, index: int) -> Person:
    where = f"people[{index}]"
    if not isinstance(raw, dict):
        raise _fail(f"{where}: must be an object", where)
    unknown = set(raw) - _PERSON_KEYS
    if unknown:
        raise _fail(f"{where}: unknown keys {sorted(unknown)}", where)
    for key in ("id", "side", "languages"):
        if key not in raw:
            raise _fail(f"{where}: {key!r} is required", f"{where}.{key}")
    needs = raw.get("needs", {})
    if not isinstance(needs, dict):
        raise _fail(f"{where}.needs: must be an object of competence -> {{offer, want, current}}", f"{where}.needs")
    offers, wants, current = {}, {}, {}
    for key, entry in needs.items():
        if not isinstance(entry, dict) or not set(entry) <= _NEED_KEYS or not entry:
            raise _fail(f"{where}.needs[{key!r}]: must be an object with 'offer', 'want' and/or 'current'", f"{where}.needs")
        for name, target in (("offer", offers), ("want", wants), ("current", current)):
            if entry.get(name) is not None:
                target[key] = entry[name]
    availability = raw.get("availability") or {}
    if not isinstance(availability, dict):
        raise _fail(f"{where}.availability: must be an object", f"{where}.availability")
    for key in ("languages", "wishes", "vetoes"):
        if key in raw and not isinstance(raw[key], list):
            raise _fail(f"{where}.{key}: must be a list", f"{where}.{key}")
    try:
        return Person(
            id=str(raw["id"]),
            side=raw["side"],
            languages=frozenset(raw["languages"]),
            capacity=raw.get("capacity", 1),
            offers=offers,
            wants=wants,
            current=current,
            goals=str(raw.get("goals") or ""),
            timezone=availability.get("timezone"),
            cadence=availability.get("cadence"),
            department=raw.get("department"),
            manager=None if raw.get("manager") is None else str(raw["manager"]),
            wishes=tuple(str(w) for w in raw.get("wishes", ())),
            vetoes=frozenset(str(v) for v in raw.get("vetoes", ())),
        )
    except RuleViolation as exc:
        raise _fail(f"{where}: {exc.message}", f"{where}.{exc.field}" if exc.field else where) from None


def load_people_json(text: str) -> tuple[list[Person], Rules]:
    """Parse an input document (``{"people": [...], "rules": {...}}``) into people and rules.

    Raises :class:`~plugin.domain.errors.RuleViolation` naming the offending field."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise _fail('the input must be an object with a "people" list', "people")
    unknown = set(doc) - {"people", "rules"}
    if unknown:
        raise _fail(f"unknown top-level keys {sorted(unknown)}")
    raw_rules = doc.get("rules") or {}
    if not isinstance(raw_rules, dict) or set(raw_rules) - _RULE_KEYS:
        raise _fail(f"rules: must be an object with keys among {sorted(_RULE_KEYS)}", "rules")
    earlier = raw_rules.get("earlier_pairs", [])
    if not isinstance(earlier, list) or not all(isinstance(p, list) and len(p) == 2 for p in earlier):
        raise _fail("rules.earlier_pairs: must be a list of [id, id] pairs", "rules.earlier_pairs")
    managers = raw_rules.get("managers", {})
    if not isinstance(managers, dict):
        raise _fail("rules.managers: must be an object of id -> manager id", "rules.managers")
    for key in ("shared_language", "no_reporting_line", "exclude_earlier"):
        if not isinstance(raw_rules.get(key, True), bool):
            raise _fail(f"rules.{key}: must be true or false", f"rules.{key}")
    rules = Rules(
        shared_language=raw_rules.get("shared_language", True),
        no_reporting_line=raw_rules.get("no_reporting_line", True),
        exclude_earlier=raw_rules.get("exclude_earlier", True),
        earlier_pairs=frozenset(frozenset(str(x) for x in p) for p in earlier),
        managers={str(k): str(v) for k, v in managers.items() if v is not None},
    )
    people = [_person(raw, i) for i, raw in enumerate(doc["people"])]
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise _fail(f"duplicate person id {next(i for i in ids if ids.count(i) > 1)!r}", "people")
    return people, rules


def people_to_json(people: Sequence[Person], rules: Rules = Rules()) -> dict[str, Any]:
    """The input document for ``people`` and ``rules`` (the inverse of :func:`load_people_json`)."""
    out = []
    for p in people:
        needs: dict[str, dict[str, int]] = {}
        for name, values in (("offer", p.offers), ("want", p.wants), ("current", p.current)):
            for key, level in values.items():
                needs.setdefault(key, {})[name] = level
        item: dict[str, Any] = {"id": p.id, "side": p.side.value, "languages": sorted(p.languages), "capacity": p.capacity, "needs": needs}
        if p.goals:
            item["goals"] = p.goals
        if p.timezone or p.cadence:
            item["availability"] = {k: v for k, v in (("timezone", p.timezone), ("cadence", p.cadence)) if v}
        for key in ("department", "manager"):
            if getattr(p, key) is not None:
                item[key] = getattr(p, key)
        if p.wishes:
            item["wishes"] = list(p.wishes)
        if p.vetoes:
            item["vetoes"] = sorted(p.vetoes)
        out.append(item)
    return {
        "rules": {
            "shared_language": rules.shared_language,
            "no_reporting_line": rules.no_reporting_line,
            "exclude_earlier": rules.exclude_earlier,
            "earlier_pairs": sorted(sorted(pair) for pair in rules.earlier_pairs),
            "managers": dict(sorted(rules.managers.items())),
        },
        "people": out,
    }


def _contribution(c: Any) -> dict[str, Any]:
    return {"competence": c.competence, "offered": c.offered, "wanted": c.wanted, "current": c.current, "gain": c.gain}


def result_to_json(result: Result, network: Mapping[str, Sequence[Suggestion]] | None = None, *, duals: bool = True) -> dict[str, Any]:
    """The output document: pairs with explanations, unmatched reasons, the mentor network, the certificate."""
    cert = result.certificate
    doc: dict[str, Any] = {
        "total": result.total,
        "optimal": result.optimal,
        "pairs": [
            {
                "digital": p.digital_id,
                "expert": p.expert_id,
                "score": p.score,
                "explanation": {
                    "expert_teaches": [_contribution(c) for c in p.explanation.expert_teaches],
                    "digital_teaches": [_contribution(c) for c in p.explanation.digital_teaches],
                    "expertise_gain": p.explanation.expertise_gain,
                    "digital_gain": p.explanation.digital_gain,
                    "wishes_honoured": list(p.explanation.wishes_honoured),
                    "shared_languages": list(p.explanation.shared_languages),
                },
            }
            for p in result.pairs
        ],
        "unmatched": {pid: {"reason": reason.value, "message": reason.message} for pid, reason in result.unmatched.items()},
        "network": {
            pid: [{"competence": s.competence, "mentor": s.mentor_id, "offered": s.offered, "wanted": s.wanted, "reached": s.reached} for s in items]
            for pid, items in (network or {}).items()
        },
        "certificate": {
            "dual_bound": cert.dual_bound,
            "gap": result.gap,
            "pairs_checked": cert.pairs_checked,
            "pairs_scored": cert.pairs_scored,
            "candidates": cert.candidates,
            "full_scans": cert.full_scans,
        },
    }
    if duals:
        doc["certificate"]["duals"] = dict(cert.duals)
    return doc


def run(input_path: str | Path, output_path: str | Path) -> Result:
    """``tandem match``: read people (and rules) from ``input_path``, match the whole pool, suggest mentor
    networks, and write the result to ``output_path`` (UTF-8 JSON). Returns the result."""
    people, rules = load_people_json(Path(input_path).read_text(encoding="utf-8"))
    result = match(people, rules)
    network = suggest_network(people, rules, result)
    Path(output_path).write_text(json.dumps(result_to_json(result, network), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


__all__ = ["load_people_json", "people_to_json", "result_to_json", "run"]
