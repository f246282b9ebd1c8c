"""Tandem's Flask application: the composition root that wires config, database, web and LTI together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from plugin.config import ConfigError, load_config
from plugin.extensions import babel, csrf, db, migrate

MIGRATIONS = str(Path(__file__).parent / "migrations")


def normalise_locale(value: str | None) -> str | None:
    """Map an LMS locale (``nl``, ``nl-NL``, ``nl_BE``, ``en-GB``) to a language Tandem speaks, or None."""
    if not value:
        return None
    lang = value.replace("_", "-").split("-")[0].lower()
    return lang if lang in ("en", "nl") else None


def select_locale() -> str:
    """The page language: the in-page switch, else the launch's locale, else the browser's, else English."""
    chosen = session.get("locale")
    if chosen in ("en", "nl"):
        return chosen
    return request.accept_languages.best_match(["en", "nl"]) or "en"


def make_store(app: Flask):
    """The shared store: Redis when TANDEM_REDIS_URL is set, else the database."""
    from plugin.adapters.store import DatabaseStore, RedisStore

    url = app.config.get("TANDEM_REDIS_URL")
    if url:
        return RedisStore(url)
    with app.app_context():
        return DatabaseStore(db.engine)


def load_shipped_catalogue(path: str | None):
    """The shipped module catalogue, validated at start: an invalid file stops Tandem with one line."""
    from plugin.domain.catalogue import CatalogueError
    from plugin.services.curricula import load_catalogue

    try:
        return load_catalogue(Path(path) if path else None)
    except CatalogueError as exc:
        raise ConfigError(f"the module catalogue is invalid: {exc}") from None


def outbox_policy(app: Flask):
    from plugin.services.outbox import Policy

    return Policy(lease_seconds=app.config["TANDEM_OUTBOX_LEASE"], backoff_base=app.config["TANDEM_OUTBOX_BACKOFF"])


def _outbox(app: Flask) -> None:
    """The score outbox's delivery: a worker (a thread of this process, started by the first wake-up)."""
    import threading

    from sqlalchemy.orm import sessionmaker

    from lti.grades import sender_factory
    from plugin.services.outbox import Worker

    state: dict = {}
    lock = threading.Lock()

    redis_url = app.config.get("TANDEM_REDIS_URL")
    wake_key = "tandem:outbox:wake"

    def redis_signal() -> Callable[[float], bool] | None:
        """With Redis configured, web processes push a wake-up to a list every `tandem worker` blocks on."""
        if not redis_url:
            return None
        import redis

        client = redis.Redis.from_url(redis_url)

        def wait(timeout: float) -> bool:
            try:
                return client.blpop([wake_key], timeout=max(1, int(timeout))) is not None
            except redis.RedisError:
                time.sleep(timeout)
                return False

        return wait

    def worker() -> Worker:
        with app.app_context():
            factory = sessionmaker(bind=db.engine)
        ext = app.extensions["tandem_lti"]
        return Worker(factory, sender_factory(ext.http, ext.tokens), outbox_policy(app), poll=min(5.0, app.config["TANDEM_OUTBOX_BACKOFF"]), signal=redis_signal())

    def wake() -> None:
        if redis_url:
            try:
                if "redis" not in state:
                    import redis

                    state["redis"] = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
                state["redis"].rpush(wake_key, 1)
                state["redis"].ltrim(wake_key, -100, -1)
            except Exception:  # a lost wake-up only delays delivery until the next poll
                logging.getLogger("tandem.outbox").warning("could not signal the outbox workers")
        if app.config["TANDEM_OUTBOX"] != "thread":
            return
        with lock:
            if "worker" not in state:
                state["worker"] = worker()
                threading.Thread(target=state["worker"].run, name="tandem-outbox", daemon=True).start()
        state["worker"].wake()

    def stop() -> None:
        with lock:
            if "worker" in state:
                state.pop("worker").stop()

    app.extensions["tandem_outbox_wake"] = wake
    app.extensions["tandem_outbox_stop"] = stop
    app.extensions["tandem_outbox_worker"] = worker


def _operations(app: Flask) -> None:
    """/healthz, /readyz, /metrics and the request log; outgoing platform calls carry the request id."""
    from sqlalchemy.orm import sessionmaker

    from lti.http import use_request_ids
    from plugin.adapters import logs
    from plugin.adapters.metrics import Metrics
    from plugin.adapters.readiness import Readiness
    from plugin.web import ops

    allow, token = ops.metrics_access(app)
    with app.app_context():
        sessions = sessionmaker(bind=db.engine)
    readiness = Readiness(app.config["SQLALCHEMY_DATABASE_URI"], MIGRATIONS, app.config.get("TANDEM_REDIS_URL"))
    ops.init_app(app, ops.Operations(readiness=readiness, metrics=Metrics(sessions), request_ids=logs, allow=allow, token=token))
    use_request_ids(logs.current_id)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure Tandem.

    Raises:
        plugin.config.ConfigError: the configuration cannot work (one line says why).
    """
    config = load_config(test_config)
    app = Flask(__name__, instance_path=config["INSTANCE_PATH"], instance_relative_config=True)
    app.config.update(config)
    app.config.update(
        SESSION_COOKIE_NAME="tandem_session",
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    from plugin.web.converters import init_app as bound_route_values

    bound_route_values(app)  # before any blueprint: every <int:>/<string> rule of every blueprint is bounded
    if app.config["TANDEM_TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)  # type: ignore[method-assign]

    logging.getLogger("tandem").setLevel(logging.INFO)
    app.extensions["tandem_catalogue"] = load_shipped_catalogue(app.config.get("TANDEM_CURRICULA_PATH"))
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)

    from plugin.web import init_app as init_web
    from plugin.web.session import IframeSessionInterface

    app.session_interface = IframeSessionInterface()
    init_web(app)
    from plugin.adapters.jobs import ThreadJobRunner

    app.extensions["tandem_jobs"] = ThreadJobRunner(app)

    import lti

    store = app.config.get("TANDEM_STORE") or make_store(app)
    app.extensions["tandem_store"] = store
    from plugin.web.pages import landing

    lti.init_app(app, store=store, session=lambda: db.session(), normalise_locale=normalise_locale, landing=landing, csrf=csrf)

    _outbox(app)
    _operations(app)

    from plugin.cli import register_commands

    register_commands(app)
    return app
