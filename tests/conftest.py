"""Fixtures: a real Tandem served over HTTPS, a real LTI 1.3 platform (lti1p3platform), and a fresh database.

The database is SQLite by default and PostgreSQL with ``TANDEM_TEST_DATABASE=postgresql`` (a fresh
database per test run on 127.0.0.1:5432, dropped at the end); ``make test`` runs the suite on both.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from werkzeug.serving import make_server

from tests.harness.browser import new_browser
from tests.harness.platform import TestPlatform
from tests.harness.tls import make_self_signed_cert

# Property tests check results, not speed: a busy machine (the suite runs two workers on two cores) must not
# fail them for slow input generation or a slow example.
settings.register_profile("tandem", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tandem")

PG_ADMIN_URL = os.environ.get("TANDEM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    kind = os.environ.get("TANDEM_TEST_DATABASE", "sqlite")
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.db'}"
        _upgrade(url, tmp_path_factory)
        yield url
        return
    name = f"tandem_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        _upgrade(url, tmp_path_factory)
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgrade(url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Create the schema the way production does: through the Alembic migrations."""
    from flask_migrate import upgrade

    from plugin import create_app

    app = create_app(_config(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()


def _config(url: str, instance: Path, **extra: object) -> dict:
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "TANDEM_HTTP_VERIFY": False,
        "TANDEM_HTTP_TIMEOUT": 3.0,
        **extra,
    }


def _truncate(app) -> None:
    from plugin.extensions import db
    from plugin.models import Base

    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:  # sign-off records are append-only: lift the trigger for the clean-up only
                conn.execute(sa.text("DROP TRIGGER IF EXISTS signoff_records_no_delete"))
                for table in tables:
                    conn.execute(sa.text(f"DELETE FROM {table}"))
                conn.execute(
                    sa.text(
                        "CREATE TRIGGER signoff_records_no_delete BEFORE DELETE ON signoff_records "
                        "BEGIN SELECT RAISE(ABORT, 'sign-off records are append-only'); END"
                    )
                )


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    """Tandem on the test database, emptied after each test."""
    from plugin import create_app

    application = create_app(_config(database_url, tmp_path / "instance", TANDEM_OUTBOX_BACKOFF=0.05))
    yield application
    application.extensions["tandem_outbox_stop"]()
    _truncate(application)
    from plugin.extensions import db

    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, so cookies are Secure as in production."""
    certfile, keyfile = make_self_signed_cert(tmp_path_factory.mktemp("tls"))
    return str(certfile), str(keyfile)


class ServedApp:
    """A Flask app served over real HTTPS on 127.0.0.1 in a thread."""

    def __init__(self, app, tls_cert: tuple[str, str]) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=tls_cert)
        self.url = f"https://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ServedApp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def tool(app, tls_cert) -> Iterator[ServedApp]:
    """Tandem served over HTTPS."""
    with ServedApp(app, tls_cert) as served:
        yield served


def register_platform(app, platform: TestPlatform, organisation: str = "Org A") -> None:
    """Register ``platform`` in Tandem the way ``tandem platform add`` does."""
    from plugin.extensions import db
    from plugin.services.platforms import NewRegistration, add_registration

    with app.app_context():
        for dep in platform.deployment_ids:
            add_registration(
                db.session,
                NewRegistration(
                    issuer=platform.issuer,
                    client_id=platform.client_id,
                    deployment_id=dep,
                    auth_login_url=platform.auth_url,
                    auth_token_url=platform.token_url,
                    key_set_url=platform.jwks_url,
                    organisation=organisation,
                ),
            )
        db.session.commit()


@pytest.fixture
def platform(tool: ServedApp, app) -> Iterator[TestPlatform]:
    """A real LTI 1.3 platform registered with Tandem."""
    with TestPlatform(tool_base_url=tool.url, tool_verify=False) as plat:
        register_platform(app, plat)
        yield plat


@pytest.fixture
def browser():
    """A user's browser: a requests session keeping cookies."""
    session = new_browser(verify=False)
    yield session
    session.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run, run again only the tests that use a database (pure core tests ran on SQLite's run);
    a test marked ``sqlite_run`` or ``postgresql_run`` runs in that run only (deselected, not skipped, in the other)."""
    postgresql = os.environ.get("TANDEM_TEST_DATABASE") == "postgresql"
    keep, drop = [], []
    for item in items:
        if item.get_closest_marker("postgresql_run"):
            wanted = postgresql
        elif item.get_closest_marker("sqlite_run"):
            wanted = not postgresql
        else:
            wanted = not postgresql or "database_url" in getattr(item, "fixturenames", ()) or item.path.name in ("test_cli.py", "test_workers.py")
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
