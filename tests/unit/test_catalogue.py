"""The shipped catalogue is complete in both languages, and every kind of bad module file is refused
with one error naming the file, the field and the line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from plugin.domain.catalogue import CatalogueError, Side, parse_module
from plugin.services.curricula import check_files, default_root, load_catalogue, load_frameworks

ROOT = default_root()
GOOD = (ROOT / "modules" / "e-reputation.toml").read_text(encoding="utf-8")


def _tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from plugin.cli import main; main()", *args], capture_output=True, text=True, timeout=60)


def test_shipped_catalogue_is_complete():
    catalogue = load_catalogue()
    assert len(catalogue.latest()) >= 10
    assert {f: len(fw.competences) for f, fw in catalogue.frameworks.items()} == {"digcomp": 21, "entrecomp": 15, "lifecomp": 9}
    assert all(len(fw.levels) == 8 for fw in catalogue.frameworks.values())
    for module in catalogue.latest():
        digital, expertise = module.track("digital"), module.track("expertise")
        assert (digital.taught_by, expertise.taught_by) == (Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT)
        for track in module.tracks:
            assert len(track.objectives) >= 3 and track.activities
            for objective in track.objectives:
                assert objective.criteria and objective.evidence and objective.competences
                for ref in objective.competences:
                    assert catalogue.competence(ref) is not None and 1 <= ref.level <= 8
                texts = [objective.text, *objective.criteria]
                for text in texts:
                    assert text.en.strip() and text.nl.strip() and text.en != text.nl, (module.slug, objective.id)


def test_the_ten_seed_modules_are_there():
    slugs = {m.slug for m in load_catalogue().latest()}
    assert {
        "e-reputation", "personal-branding", "collaboration-platforms", "mobile-first", "new-software",
        "conference-presentation", "confidential-conversations", "presence-at-work",
        "technical-problems-and-alliances", "long-term-training-plan",
    } <= slugs


def test_curricula_check_passes_on_the_shipped_catalogue():
    result = _tandem("curricula", "check")
    assert result.returncode == 0, result.stderr
    assert "10 module(s) valid" in result.stdout


def test_curricula_list_json():
    result = _tandem("curricula", "list", "--json")
    data = json.loads(result.stdout)
    module = next(m for m in data if m["slug"] == "e-reputation")
    assert module["version"] == 1 and module["title"]["nl"]
    assert module["tracks"]["digital"]["taught_by"] == "digital_mentor"
    assert len(module["tracks"]["expertise"]["objectives"]) >= 3


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BAD = {
    "bad-toml": (lambda t: t.replace('duration_weeks = 8', 'duration_weeks = = 8'), "", "not valid TOML"),
    "missing-track": (lambda t: t[: t.index("[tracks.expertise]")], "tracks.expertise", "track is missing"),
    "unknown-competence": (lambda t: t.replace("digcomp:1.1@4", "digcomp:9.9@4", 1), "tracks.digital.objectives[0].competences", "unknown competence"),
    "level-out-of-range": (lambda t: t.replace("digcomp:1.1@4", "digcomp:1.1@9", 1), "tracks.digital.objectives[0].competences", "level must be from 1 to 8"),
    "missing-dutch": (lambda t: t.replace('nl = "E-reputatie en vertrouwen"\n', "", 1), "title.nl", "Dutch text is missing"),
    "wrong-field-type": (lambda t: t.replace("sessions = 5", 'sessions = "five"', 1), "sessions", "must be a whole number"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_module_files_get_one_error_with_file_field_and_line(tmp_path, kind):
    change, field, message = BAD[kind]
    text = change(GOOD)
    path = tmp_path / "e-reputation.toml"
    path.write_text(text, encoding="utf-8")
    modules, errors = check_files([path], load_frameworks(ROOT))
    assert modules == [] and len(errors) == 1
    error = errors[0]
    assert error.filename == str(path) and message in error.message
    assert error.field == field
    assert isinstance(error.line, int) and error.line > 0
    text_lines = text.splitlines()
    if field:
        key = field.rsplit(".", 1)[-1].split("[")[0]
        assert key in text_lines[error.line - 1] or kind == "missing-track" or kind == "missing-dutch", (error.line, text_lines[error.line - 1])
    assert str(error).startswith(f"{path}:{error.line}: ")


def test_error_lines_point_at_the_field():
    text = GOOD.replace("digcomp:1.2@4", "digcomp:1.2@0")
    with pytest.raises(CatalogueError) as info:
        parse_module(text, "x.toml", load_frameworks(ROOT))
    assert info.value.line == _line_of(text, "digcomp:1.2@0")
    assert info.value.field == "tracks.digital.objectives[1].competences"


def test_duplicate_slug_is_refused(tmp_path):
    (tmp_path / "e-reputation.toml").write_text(GOOD, encoding="utf-8")
    other = tmp_path / "other" / "e-reputation.toml"
    other.parent.mkdir()
    other.write_text(GOOD, encoding="utf-8")
    modules, errors = check_files([tmp_path / "e-reputation.toml", other], load_frameworks(ROOT))
    assert len(modules) == 1 and len(errors) == 1
    assert "duplicate slug 'e-reputation'" in str(errors[0]) and str(other) in str(errors[0])


def test_changed_content_without_a_new_version_is_refused(tmp_path):
    path = tmp_path / "e-reputation.toml"
    path.write_text(GOOD.replace("five", "six").replace("Set up alerts", "Set up notifications"), encoding="utf-8")
    lock = json.loads((ROOT / "catalogue.lock.json").read_text())
    modules, errors = check_files([path], load_frameworks(ROOT), lock)
    assert len(errors) == 1 and errors[0].field == "version"
    assert "content changed but version 1 did not" in str(errors[0])
    assert errors[0].line == _line_of(GOOD, "version = 1")
    path.write_text(path.read_text().replace("version = 1", "version = 2"), encoding="utf-8")
    modules, errors = check_files([path], load_frameworks(ROOT), lock)
    assert errors == [] and modules[0].version == 2


def test_curricula_check_reports_each_bad_file_and_fails(tmp_path):
    bad = tmp_path / "e-reputation.toml"
    bad.write_text(GOOD.replace("sessions = 5", "sessions = 0"), encoding="utf-8")
    result = _tandem("curricula", "check", str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"tandem: error: {bad}:{_line_of(GOOD, 'sessions = 5')}: sessions: must be from 1 to 52, not 0"]


def test_an_invalid_shipped_catalogue_stops_tandem_with_one_line(tmp_path):
    import shutil

    root = tmp_path / "curricula"
    shutil.copytree(ROOT, root)
    (root / "modules" / "e-reputation.toml").write_text(GOOD.replace('nl = "E-reputatie en vertrouwen"\n', ""), encoding="utf-8")
    import os

    result = subprocess.run(
        [sys.executable, "-c", "from plugin.cli import main; main()", "platform", "list"],
        env={**os.environ, "TANDEM_CURRICULA_PATH": str(root), "TANDEM_INSTANCE_PATH": str(tmp_path / "i")},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "the module catalogue is invalid" in result.stderr and "title.nl: Dutch text is missing" in result.stderr
