"""The mentor network: focused mentorings: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("network", __name__)
