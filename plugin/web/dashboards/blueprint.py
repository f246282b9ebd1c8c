"""The dashboards blueprint."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboards", __name__)
