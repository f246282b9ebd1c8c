"""GDPR erasure and retention: the use cases (one transaction per state change; the caller commits)."""

from __future__ import annotations

from sqlalchemy.orm import Session


def run_due(session: Session) -> int:
    """What ``tandem worker`` runs periodically: erasures past their grace period and retention purges.

    Returns how many were carried out."""
    return 0
