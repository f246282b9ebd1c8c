"""Peer circles and advisory boards: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("circles", __name__)
