"""Fixtures the web tests share beyond tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.web.notifications_support import SmtpSink


@pytest.fixture
def sink():
    """A real SMTP server (aiosmtpd) on a free port for one test."""
    box = SmtpSink().start()
    yield box
    box.stop()
