"""GDPR erasure and retention: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("erasure", __name__)
