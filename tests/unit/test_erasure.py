"""The erasure rules: settings' ranges, the grace period, retention, pseudonyms, scrubbing; and the one list of
tables: every table that names a person is erased by a step or kept with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plugin.domain import erasure
from plugin.domain.errors import RuleViolation


def test_settings_ranges():
    assert erasure.settings(14, None) == erasure.Settings(14, None)
    assert erasure.settings(0, 30).retention_days == 30
    for grace, retention, field in (
        (-1, None, "grace_days"),
        (91, None, "grace_days"),
        (None, None, "grace_days"),
        (14, 29, "retention_days"),
        (14, 3651, "retention_days"),
    ):
        with pytest.raises(RuleViolation) as caught:
            erasure.settings(grace, retention)
        assert caught.value.field == field


def test_grace_period_and_confirmation():
    at = datetime(2026, 12, 4, 10, tzinfo=UTC)
    assert erasure.due_at(at, 14) == datetime(2026, 12, 18, 10, tzinfo=UTC)
    assert erasure.due_at(at, 0) == at
    erasure.confirm(True)
    with pytest.raises(RuleViolation):
        erasure.confirm(False)


def test_retention():
    last = datetime(2026, 1, 1, tzinfo=UTC)
    assert not erasure.retention_over(last, None, last + timedelta(days=10_000))
    assert not erasure.retention_over(None, 30, last)
    assert not erasure.retention_over(last, 30, last + timedelta(days=29, hours=23))
    assert erasure.retention_over(last, 30, last + timedelta(days=30))


def test_pseudonyms_are_random_and_marked():
    a, b = erasure.pseudonym(), erasure.pseudonym()
    assert a != b and a.startswith(erasure.ERASED_SUBJECT_PREFIX) and len(a) > 30


def test_scrub_replaces_the_longest_values_first_and_ignores_short_ones():
    text = "Dana Digital wrote to dana@example.org; Dana agreed. Al too."
    assert erasure.scrub(text, ["Dana Digital", "Dana", "dana@example.org", "Al", ""]) == (
        "Erased participant wrote to Erased participant; Erased participant agreed. Al too."
    )


def test_every_table_that_names_a_person_is_erased_or_kept_with_a_reason():
    from plugin.models import Base
    from plugin.services.erasure_tables import KEPT, STEPS

    naming = {
        t.name
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if any(fk.column.table.name == "people" for fk in c.foreign_keys)
    }
    covered = {name for name, _step in STEPS} | set(KEPT)
    assert naming - covered == set()
    assert set(KEPT) & {name for name, _step in STEPS} == set()
