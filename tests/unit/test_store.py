"""The shared stores keep their promises on every backend: ``add`` and ``take`` succeed once."""

from __future__ import annotations

import time

import pytest


@pytest.fixture(params=["database", "redis"])
def store(request, app):
    from plugin.adapters.store import DatabaseStore, RedisStore
    from plugin.extensions import db

    if request.param == "redis":
        redis_store = RedisStore("redis://127.0.0.1:6379/13", prefix=f"test-{time.time_ns()}:")
        redis_store.ping()
        return redis_store
    with app.app_context():
        return DatabaseStore(db.engine)


def test_add_succeeds_once(store):
    assert store.add("nonce:a", "1", 60) is True
    assert store.add("nonce:a", "1", 60) is False
    assert store.get("nonce:a") == "1"


def test_take_returns_the_value_once(store):
    store.set("k", "v", 60)
    assert store.take("k") == "v"
    assert store.take("k") is None


def test_expired_entries_are_absent(store):
    store.set("short", "v", 1)
    time.sleep(1.2)
    assert store.get("short") is None
    assert store.add("short", "again", 60) is True
