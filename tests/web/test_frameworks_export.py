"""Trainers download a competence framework in Moodle's import format; the CLI writes the same file."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

VOCAB = "http://purl.imsglobal.org/vocab/lis/v2/"


def test_trainer_downloads_moodle_csv(platform, browser, tool):
    platform.launch(browser, roles=[VOCAB + "membership#Instructor"])
    response = browser.get(tool.url + "/frameworks/digcomp/moodle.csv?lang=nl")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="digcomp-nl-moodle.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sum(1 for r in rows if r["Parent ID number"].startswith("digcomp-area-")) == 21
    assert any(r["Short name"] == "Netiquette (omgangsvormen online)" for r in rows)


def test_participants_cannot_download_frameworks(platform, browser, tool):
    platform.launch(browser, roles=[VOCAB + "membership#Learner"])
    assert browser.get(tool.url + "/frameworks/digcomp/moodle.csv").status_code == 403


def test_unknown_framework_is_404(platform, browser, tool):
    platform.launch(browser, roles=[VOCAB + "membership#Instructor"])
    assert browser.get(tool.url + "/frameworks/nope/moodle.csv").status_code == 404


def test_cli_export_matches(tmp_path):
    out = tmp_path / "entrecomp.csv"
    result = subprocess.run(
        [sys.executable, "-c", "from plugin.cli import main; main()", "curricula", "export-moodle", "entrecomp", "-o", str(out)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sum(1 for r in rows if r["Parent ID number"].startswith("entrecomp-area-")) == 15
