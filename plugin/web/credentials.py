"""Credentials: download and public verification: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("credentials", __name__)
