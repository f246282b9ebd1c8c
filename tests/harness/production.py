"""The production path on one machine: nginx (the shipped template) in front of several ``tandem serve``
instances and one ``tandem worker`` each, on PostgreSQL and Redis, with the LMS on another site.

``tandem.test`` (Tandem) and ``lms.test`` (the platform harness, ``SitePlatform``) are two sites served
by one nginx over HTTPS with a certificate from a test CA, both names resolving to 127.0.0.1 only
for this test (see ``tests.harness.sites``). Each instance gets a fresh PostgreSQL database (shared
by the instances) and a Redis database index nobody uses. The instances deliver no scores themselves
(``TANDEM_OUTBOX=off``): the workers do, woken through Redis.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.harness.browser import new_browser
from tests.harness.lms_site import COURSE_PAGE_LOCATION, SitePlatform
from tests.harness.nginx import Nginx, proxy_site
from tests.harness.processes import TandemProcess, free_port
from tests.harness.sites import SiteCertificate, child_env, install_names, make_site_certificate, uninstall_names

TANDEM_HOST, LMS_HOST = "tandem.test", "lms.test"
NAMES = (TANDEM_HOST, LMS_HOST)
SECRET_KEY = "production-path-secret-key-0123456789"
WORKER_ARGS = [sys.executable, "-c", "from plugin.cli import main; main()", "worker"]


def claim_redis_db(base_url: str = "redis://127.0.0.1:6379", candidates: range = range(1, 13)) -> str:
    """The URL of an empty Redis database index, claimed with a marker key so a parallel test skips it."""
    import redis

    for index in candidates:
        client = redis.Redis.from_url(f"{base_url}/{index}")
        try:
            if client.dbsize() == 0 and client.set("tandem:test:claimed", str(os.getpid()), nx=True, ex=3600):
                return f"{base_url}/{index}"
        finally:
            client.close()
    raise RuntimeError(f"no empty Redis database among {list(candidates)} on {base_url}")


def release_redis_db(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@dataclass
class Instance:
    """One ``tandem serve`` (gunicorn master and workers) and its ``tandem worker``."""

    name: str
    web: TandemProcess
    env: dict[str, str]
    log: Path
    worker: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.web.port}"

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            WORKER_ARGS, env={**os.environ, **self.env}, stdout=open(self.log.with_suffix(".worker.log"), "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill_worker(self) -> None:
        """SIGKILL the worker, as a crash would."""
        if self.worker is not None:
            self.worker.send_signal(signal.SIGKILL)
            self.worker.wait(10)
            self.worker = None

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait(5)
            self.worker = None

    def kill_web(self) -> None:
        """SIGKILL the gunicorn master and every worker of this instance at once; return when its port
        refuses connections (until the last process holding the listening socket is gone, it queues them)."""
        assert self.web.proc is not None
        os.killpg(self.web.proc.pid, signal.SIGKILL)
        self.web.proc.wait(10)
        self.web.proc = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.web.port), timeout=0.2).close()
            except ConnectionRefusedError:
                return
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"instance {self.name} still accepts connections 10 s after SIGKILL")


def _migrated_app(url: str, instance: Path):
    """Tandem in this process on the stack's database (to migrate, register the platform and seed data)."""
    from flask_migrate import upgrade

    from plugin import create_app

    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": url,
            "TANDEM_OUTBOX": "off",
            "TANDEM_HTTP_VERIFY": False,
        }
    )
    with app.app_context():
        upgrade()
    return app


def register_platform(app, platform: SitePlatform, organisation: str = "Org A") -> None:
    """Register ``platform`` the way ``tandem platform add`` does."""
    from plugin.extensions import db
    from plugin.services.platforms import NewRegistration, add_registration

    with app.app_context():
        for deployment in platform.deployment_ids:
            add_registration(
                db.session,
                NewRegistration(
                    issuer=platform.issuer, client_id=platform.client_id, deployment_id=deployment, auth_login_url=platform.auth_url,
                    auth_token_url=platform.token_url, key_set_url=platform.jwks_url, organisation=organisation,
                ),
            )
        db.session.commit()


class ProductionStack:
    """nginx + ``instances`` x (``tandem serve --workers web_workers`` + ``tandem worker``) + the LMS site."""

    def __init__(self, tmp: Path, *, pg_admin_url: str, instances: int = 2, web_workers: int = 1, nginx_workers: int = 1) -> None:
        self.tmp = Path(tmp)
        self.pg_admin_url = pg_admin_url
        self.instance_count = instances
        self.web_workers = web_workers
        self.nginx_workers = nginx_workers
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://{TANDEM_HOST}:{self.https_port}"
        self.lms_url = f"https://{LMS_HOST}:{self.https_port}"
        self.instances: list[Instance] = []
        self.nginx: Nginx | None = None
        self.platform: SitePlatform | None = None
        self.app = None
        self.cert: SiteCertificate | None = None
        self._db_name: str | None = None
        self._redis_url: str | None = None

    @property
    def ca(self) -> str:
        assert self.cert is not None
        return self.cert.ca

    def browser(self):
        """A user's browser (requests) that trusts the test CA."""
        return new_browser(verify=self.ca)

    # ---------------------------------------------------------------- start and stop

    def __enter__(self) -> ProductionStack:
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self) -> None:
        self.cert = make_site_certificate(self.tmp / "tls", NAMES)
        install_names(NAMES)
        self._db_name = f"tandem_prod_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{self._db_name}"'))
        admin.dispose()
        db_url = self.pg_admin_url.rsplit("/", 1)[0] + "/" + self._db_name
        self.app = _migrated_app(db_url, self.tmp / "instance-local")
        self._redis_url = claim_redis_db()

        self.platform = SitePlatform(public_url=self.lms_url, tool_base_url=self.url, tool_verify=self.ca)
        self.platform.start()
        register_platform(self.app, self.platform)

        env = {
            "TANDEM_DATABASE_URL": db_url,
            "TANDEM_REDIS_URL": self._redis_url,
            "TANDEM_SECRET_KEY": SECRET_KEY,
            "TANDEM_TRUST_PROXY": "1",
            "TANDEM_HTTP_VERIFY": "1",
            "TANDEM_OUTBOX": "off",
            "TANDEM_OUTBOX_LEASE": "3",
            "TANDEM_OUTBOX_BACKOFF": "0.2",
            **child_env(NAMES, self.ca),
        }
        for index in range(self.instance_count):
            name = "abcdefgh"[index]
            instance_env = {**env, "TANDEM_INSTANCE_PATH": str(self.tmp / f"instance-{name}")}
            log = self.tmp / f"tandem-{name}.log"
            web = TandemProcess(env=instance_env, workers=self.web_workers, log=log)
            self.instances.append(Instance(name, web, instance_env, log))
        # the instances load Tandem at the same time (each takes a few seconds on a busy machine)
        with ThreadPoolExecutor(len(self.instances)) as pool:
            list(pool.map(lambda i: i.web.__enter__(), self.instances))
        for instance in self.instances:
            instance.start_worker()

        lms = proxy_site(server_name=LMS_HOST, upstream=self.platform.internal_url, cert=self.cert.cert, key=self.cert.key, https_port=self.https_port, locations=COURSE_PAGE_LOCATION)
        self.nginx = Nginx(
            self.tmp / "nginx", server_name=TANDEM_HOST, upstreams=[i.address for i in self.instances], cert=self.cert.cert, key=self.cert.key,
            extra_conf=lms, workers=self.nginx_workers, https_port=self.https_port, http_port=self.http_port,
        )
        self.nginx.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.nginx is not None:
            self.nginx.__exit__()
            self.nginx = None
        # SIGTERM to everything first, then wait: graceful stops overlap
        for instance in self.instances:
            for proc in (instance.worker, instance.web.proc):
                if proc is not None:
                    try:
                        os.killpg(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
        for instance in self.instances:
            instance.stop_worker()
            instance.web.__exit__()
        self.instances = []
        if self.platform is not None:
            self.platform.stop()
            self.platform = None
        if self.app is not None:
            from plugin.extensions import db

            self.app.extensions["tandem_outbox_stop"]()
            with self.app.app_context():
                db.engine.dispose()
            self.app = None
        if self._redis_url:
            release_redis_db(self._redis_url)
            self._redis_url = None
        if self._db_name:
            admin = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self._db_name}" WITH (FORCE)'))
            admin.dispose()
            self._db_name = None
        uninstall_names(NAMES)

    # ---------------------------------------------------------------- reading the logs

    def upstream_of(self, address: str) -> Instance:
        """The instance listening at ``address`` (as nginx logs it)."""
        return next(i for i in self.instances if i.address == address)
