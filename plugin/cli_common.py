"""What the ``tandem`` commands share: failing with one line, building the app, configuring the logs."""

from __future__ import annotations

import sys

import click
from flask import Flask

from plugin.config import ConfigError


def fail(message: str, code: int = 1) -> None:
    click.echo(f"tandem: error: {message}", err=True)
    sys.exit(code)


def create_app_or_fail() -> Flask:
    from plugin import create_app

    try:
        return create_app()
    except ConfigError as exc:
        fail(str(exc), 2)
        raise  # unreachable: fail exits


def configure_logs() -> None:
    """Logs to stderr as TANDEM_LOG_FORMAT says (JSON lines by default), each with its request id."""
    from plugin.adapters import logs

    try:
        logs.configure()
    except ValueError as exc:
        fail(str(exc), 2)
