"""Self-assessment questionnaires: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assessments", __name__)
