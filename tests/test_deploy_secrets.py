"""The secrets a hosting team makes inside the checkout while following the README's Production section (the env
file, the database password, the TLS key) are ignored by git, so a `git add` never commits them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", ["deploy/tandem.env", "deploy/secrets/postgres_password", "deploy/tls/privkey.pem", "deploy/tls/fullchain.pem"])
def test_a_deployment_secret_made_in_the_checkout_is_ignored_by_git(path):
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT)
    assert result.returncode == 0, f"{path} would be committed"


def test_the_examples_stay_tracked():
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", "deploy/tandem.env.example"], cwd=ROOT)
    assert result.returncode == 1
