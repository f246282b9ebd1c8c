"""Virtual coffee roulette: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coffee", __name__)
