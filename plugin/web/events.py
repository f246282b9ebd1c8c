"""Facilitated events: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("events", __name__)
