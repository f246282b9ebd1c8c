"""Notifications: preferences, unsubscribe, what needs you: the pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__)
