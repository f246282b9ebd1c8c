"""Questionnaires as data: the shipped ones are valid (and against the JSON schema), a malformed file gives
one ``file:line: field: message`` per error and nothing is loaded, and the scoring rules."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

from plugin.domain.assessments import Item, Questionnaire, ScalePoint, Unanswered, levels, needs_from, parse_answers
from plugin.domain.assessments.growth import GrowthRow, changes, cohort, split
from plugin.domain.catalogue import CatalogueError, Localized, Side
from plugin.domain.matching import MAX_LEVEL
from plugin.services import questionnaires

ROOT = Path(__file__).resolve().parents[2] / "curricula"
SHIPPED = sorted((ROOT / "questionnaires").glob("*.toml"))
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<field>[A-Za-z0-9_.\[\]]+): (?P<message>.+)$")


def test_the_shipped_questionnaires_are_valid_and_modest():
    found = questionnaires.load(ROOT)
    assert set(found) == {"digcomp-self-check", "global-leadership-self-check"}
    digital, leadership = found["digcomp-self-check"], found["global-leadership-self-check"]
    assert 12 <= len(digital.items) <= 20 and 12 <= len(leadership.items) <= 20
    assert digital.sides == {Side.DIGITAL_MENTOR} and leadership.sides == {Side.SENIOR_EXPERT}
    assert len(leadership.competences) == 15  # the fifteen competences of the global leadership self-assessment
    # the DigComp check covers every DigComp area the catalogue's modules use
    used = set()
    for path in (ROOT / "modules").glob("*.toml"):
        used |= {f"digcomp:{m.split('.')[0]}" for m in re.findall(r"digcomp:([0-9.]+)@", path.read_text())}
    assert used <= {f"digcomp:{key.split(':')[1].split('.')[0]}" for key in digital.competences}
    for q in found.values():
        assert q.values == (0, 1, 2, 3, 4) and len(q.thresholds) == MAX_LEVEL and all(item.text.nl != item.text.en for item in q.items)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_files_match_the_json_schema(path):
    schema = json.loads((ROOT / "questionnaires" / "questionnaire.schema.json").read_text())
    jsonschema.validate(tomllib.loads(path.read_text()), schema)


BROKEN = '''slug = "Broken Check"
version = 0

[title]
en = "A broken check"

[intro]
en = "Rate each statement."
nl = "Beoordeel elke uitspraak."

[scoring]
method = "median"
thresholds = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 3.0]

[[scale]]
value = 0
[scale.label]
en = "Never"
nl = "Nooit"

[[scale]]
value = 2
[scale.label]
en = "Often"
nl = "Vaak"

[[items]]
id = "one"
competence = "digcomp:9.9"
[items.text]
en = "I search well."
nl = "Ik zoek goed."

[[items]]
id = "one"
competence = "digcomp:1.2"
weight = -1
[items.text]
en = "I check sources before I share them online."
nl = "I check sources before I share them online."

[[items]]
id = "three"
competence = "lifecomp:S2"
colour = "blue"
[items.text]
en = "I communicate clearly."
nl = "Ik communiceer helder."
'''


def test_a_malformed_file_gives_one_line_per_error_and_nothing_is_loaded(tmp_path):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "broken-check.toml").write_text(BROKEN)
    (folder / "bad-toml.toml").write_text('slug = "bad-toml"\nversion = 1\n[title\nen = "x"\n')
    good = (ROOT / "questionnaires" / "digcomp-self-check.toml").read_text()
    (folder / "digcomp-self-check.toml").write_text(good)
    found, errors = questionnaires.check_files(sorted(folder.glob("*.toml")))
    assert [q.slug for q in found] == ["digcomp-self-check"]  # the valid file only; the broken ones give nothing
    lines = [str(e) for e in errors]
    for line in lines:
        assert LINE.match(line) or re.match(r"^[^:]+:\d+: not valid TOML: ", line), line
    name = str(folder / "broken-check.toml")
    assert [line for line in lines if line.startswith(name)] == [
        f"{name}:1: slug: 'Broken Check' must be lowercase letters, digits and hyphens",
        f"{name}:2: version: must be from 1 to 10000, not 0",
        f"{name}:4: title.nl: Dutch text is missing",
        f"{name}:12: scoring.method: 'median' is not a known method (expected weighted_mean)",
        f"{name}:13: scoring.thresholds: must rise from one level to the next",
        f"{name}:15: scale: values must be consecutive whole numbers, in order (e.g. 0, 1, 2, 3, 4)",
        f"{name}:29: items[0].competence: 'digcomp:9.9' is not a competence key of the matching model (like digcomp:2.6 or lifecomp:S2)",
        f"{name}:35: items[1].id: item id 'one' is used twice in this questionnaire",
        f"{name}:37: items[1].weight: must be a number above 0 and at most 10, not -1",
        f"{name}:40: items[1].text.nl: Dutch text is the English text: it is not translated",
        f"{name}:45: items[2].colour: is not a known field (expected one of competence, id, text, weight)",
    ]
    assert [line for line in lines if "bad-toml" in line] == [f"{folder / 'bad-toml.toml'}:3: not valid TOML: Expected ']' at the end of a table declaration"]
    with pytest.raises(CatalogueError):
        questionnaires.load(tmp_path)  # any error: nothing at all is loaded


def test_slug_must_match_the_file_and_be_unique(tmp_path):
    good = (ROOT / "questionnaires" / "digcomp-self-check.toml").read_text()
    (tmp_path / "other-name.toml").write_text(good)
    _found, errors = questionnaires.check_files([tmp_path / "other-name.toml", tmp_path / "missing.toml"])
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'other-name.toml'}:1: slug: slug 'digcomp-self-check' must match the file name 'other-name.toml'",
        f"{tmp_path / 'missing.toml'}: file does not exist",
    ]


def _q() -> Questionnaire:
    scale = tuple(ScalePoint(v, Localized(str(v), f"n{v}")) for v in range(5))
    items = (
        Item("a", Localized("a", "a"), "digcomp:2.1", 1.0),
        Item("b", Localized("b", "b"), "digcomp:2.1", 0.5),
        Item("c", Localized("c", "c"), "entrecomp:2.5", 1.0),
        Item("d", Localized("d", "d"), "lifecomp:S2", 2.0),
    )
    return Questionnaire("q", 1, Localized("t", "t"), Localized("i", "i"), scale, items, (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0))


def test_answers_to_levels_weighted_means_against_the_thresholds():
    q = _q()
    assert levels(q, {"a": 4, "b": 1, "c": 0, "d": 4}) == {"digcomp:2.1": 6, "entrecomp:2.5": 0, "lifecomp:S2": 8}  # (4 + 0.5) / 1.5 = 3.0
    assert levels(q, {"a": 2, "b": 3, "c": 1, "d": 3}) == {"digcomp:2.1": 4, "entrecomp:2.5": 2, "lifecomp:S2": 6}  # 3.5 / 1.5 = 2.33 -> 4


def test_every_unanswered_or_off_scale_statement_is_named():
    with pytest.raises(Unanswered) as caught:
        parse_answers(_q(), {"a": "4", "b": "", "c": "7", "d": "x" * 500})
    assert caught.value.items == ("b", "c", "d") and caught.value.field == "b"
    assert parse_answers(_q(), {"a": "4", "b": 0, "c": "2", "d": "3", "extra": "1"}) == {"a": 4, "b": 0, "c": 2, "d": 3}


def test_levels_to_the_needs_map_keep_wants_and_other_entries():
    before = {"entrecomp:2.5": {"want": 6, "current": 1}, "lifecomp:S2": {"want": 3}, "digcomp:3.4": {"offer": 5}, "digcomp:2.1": {"offer": 2}}
    after = needs_from(Side.DIGITAL_MENTOR, {"digcomp:2.1": 6, "entrecomp:2.5": 2, "lifecomp:S2": 5, "lifecomp:S1": 8, "digcomp:4.2": 0}, before)
    assert after == {"digcomp:2.1": {"offer": 6}, "entrecomp:2.5": {"want": 6, "current": 2}, "lifecomp:S2": {"want": 7, "current": 5}, "digcomp:3.4": {"offer": 5}}
    assert before["entrecomp:2.5"] == {"want": 6, "current": 1}  # pure
    expert = needs_from(Side.SENIOR_EXPERT, {"digcomp:2.1": 0, "entrecomp:2.5": 7}, {})
    assert expert == {"digcomp:2.1": {"want": 2}, "entrecomp:2.5": {"offer": 7}}


def test_growth_first_against_latest_split_by_side_and_cohort_medians():
    takes = [{"digcomp:1.1": 2, "entrecomp:2.5": 1}, {"entrecomp:2.5": 3}, {"digcomp:1.1": 5, "entrecomp:2.5": 4}, {"lifecomp:S2": 4}]
    rows = changes(takes)
    assert [(r.competence, r.before, r.now, r.takes, r.gain) for r in rows] == [("digcomp:1.1", 2, 5, 2, 3), ("entrecomp:2.5", 1, 4, 3, 3), ("lifecomp:S2", 4, 4, 1, 0)]
    learned, taught = split(Side.DIGITAL_MENTOR, rows)
    assert [r.competence for r in learned] == ["entrecomp:2.5", "lifecomp:S2"] and [r.competence for r in taught] == ["digcomp:1.1"]
    assert cohort([takes, [{"digcomp:1.1": 0}, {"digcomp:1.1": 4}], [{"digcomp:1.1": 7}]]) == [
        GrowthRow("digcomp:1.1", 1.0, 4.5, 2), GrowthRow("entrecomp:2.5", 1.0, 4.0, 1)
    ]


def test_curricula_check_reports_every_error_of_a_questionnaire_and_fails(tmp_path):
    from click.testing import CliRunner

    from plugin.cli import curricula_check

    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "broken-check.toml").write_text(BROKEN)
    result = CliRunner().invoke(curricula_check, [str(folder / "broken-check.toml")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 11 and all(line.startswith(f"tandem: error: {folder / 'broken-check.toml'}:") for line in lines)
    shipped = CliRunner().invoke(curricula_check, [])
    assert shipped.exit_code == 0 and "module(s) valid" in shipped.stdout and "2 questionnaire(s) valid" in shipped.stdout
