"""``tandem match`` runs the engine offline on the documented JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).with_name("people_example.json")


def _tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from plugin.cli import main; main()", *args], capture_output=True, text=True, timeout=120)


def test_match_writes_pairs_with_explanations(tmp_path):
    out = tmp_path / "pairs.json"
    result = _tandem("match", "--input", str(EXAMPLE), "--output", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["optimal"] is True and data["pairs"]
    for pair in data["pairs"]:
        assert pair["explanation"]["expert_teaches"] and pair["explanation"]["digital_teaches"]
    assert data["total"] == sum(p["score"] for p in data["pairs"])


def test_match_reports_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"people": [{"id": 1}]}')
    result = _tandem("match", "--input", str(bad), "--output", str(tmp_path / "x.json"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["tandem: error: people[0]: 'side' is required"]
    assert not (tmp_path / "x.json").exists()
