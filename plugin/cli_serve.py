"""``tandem serve``: Tandem under gunicorn, each worker with its own app."""

from __future__ import annotations

import gc
from typing import Any

import click
from flask import Flask

from plugin.cli_common import configure_logs, fail
from plugin.config import ConfigError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64), help="Threads per worker (gthread when above 1).")
@click.option("--certfile", default=None, help="Serve HTTPS with this certificate (else put a TLS proxy in front).")
@click.option("--keyfile", default=None)
@click.option("--access-log/--no-access-log", default=False)
def serve(host: str, port: int, workers: int, threads: int, certfile: str | None, keyfile: str | None, access_log: bool) -> None:
    """Serve Tandem with gunicorn (each worker builds its own app)."""
    from gunicorn.app.base import BaseApplication

    from plugin import create_app
    from plugin.adapters.metrics import prepare_multiprocess_dir, remove_multiprocess_dir

    # Fail here, with one line, rather than in every worker.
    try:
        create_app()
    except ConfigError as exc:
        fail(str(exc), 2)
    configure_logs()
    metrics_dir, made_here = prepare_multiprocess_dir()  # the workers' counters add up in every scrape

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "accesslog": "-" if access_log else None,
                "errorlog": "-",
                "loglevel": "warning",
                "keepalive": 5,
                "certfile": certfile,
                "keyfile": keyfile,
                "on_exit": (lambda _arbiter: remove_multiprocess_dir(metrics_dir)) if made_here else None,  # made for this run
            }
            # gunicorn 25.1+ listens on a control socket at one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl or
            # ~/.gunicorn/gunicorn.ctl): two `tandem serve` on one machine would share it. Tandem does not use it.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            app = create_app()
            gc.collect()
            gc.freeze()  # the app's long-lived objects leave the collector's generations: requests that build many rows pay less for collections
            return app

    click.echo(f"Tandem listening on {'https' if certfile else 'http'}://{host}:{port} with {workers} worker(s)")
    Server().run()
