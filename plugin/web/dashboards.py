"""Dashboards of the programme and the organisation: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dashboards", __name__)
