"""Configuration: safe defaults, overlaid by environment variables, validated once at start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """Raised when the configuration cannot work; the message is one line a person can act on."""


def default_instance_path() -> Path:
    """Where Tandem keeps its SQLite file, generated secret key and tool keys when nothing else is said."""
    return Path(os.environ.get("TANDEM_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _secret_key(instance: Path) -> str:
    """Return TANDEM_SECRET_KEY, or a key generated once and kept in the instance folder (mode 0600)."""
    key = os.environ.get("TANDEM_SECRET_KEY")
    if key is not None:
        if len(key) < 16:
            raise ConfigError("TANDEM_SECRET_KEY must be at least 16 characters long")
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def _database_url(instance: Path) -> str:
    url = os.environ.get("TANDEM_DATABASE_URL") or f"sqlite:///{instance / 'tandem.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"TANDEM_DATABASE_URL is not a database URL: {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"TANDEM_DATABASE_URL must be sqlite or postgresql, not {backend!r}")
    if backend == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return url


def _http_url(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, not {value!r}")
    return value.rstrip("/")


def _redis_url(value: str | None) -> str | None:
    if not value:
        return None
    if urlparse(value).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"TANDEM_REDIS_URL must start with redis://, rediss:// or unix://, not {value!r}")
    return value


def _smtp_url(value: str | None) -> str | None:
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ConfigError(f"TANDEM_SMTP_URL must look like smtp://host:port or smtps://user:password@host:port, not {parsed.scheme}://...")
    return value


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask configuration mapping from defaults, environment and ``overrides`` (tests).

    Raises:
        ConfigError: a setting is missing or malformed.
    """
    overrides = dict(overrides or {})
    instance = Path(overrides.pop("INSTANCE_PATH", None) or default_instance_path())
    try:
        instance.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"TANDEM_INSTANCE_PATH {str(instance)!r} cannot be created: {exc.strerror}") from None
    config: dict = {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": overrides.pop("SECRET_KEY", None) or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": overrides.pop("SQLALCHEMY_DATABASE_URI", None) or _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "TANDEM_BASE_URL": _http_url("TANDEM_BASE_URL", os.environ.get("TANDEM_BASE_URL")),
        "TANDEM_REDIS_URL": _redis_url(os.environ.get("TANDEM_REDIS_URL")),
        "TANDEM_CURRICULA_PATH": os.environ.get("TANDEM_CURRICULA_PATH") or None,
        "TANDEM_HTTP_TIMEOUT": 5.0,
        "TANDEM_JWT_LEEWAY": 10,
        "TANDEM_LAUNCH_TTL": 8 * 3600,
        "TANDEM_TRUST_PROXY": os.environ.get("TANDEM_TRUST_PROXY", "1") not in ("0", "false", "no"),
        "TANDEM_HTTP_VERIFY": os.environ.get("TANDEM_HTTP_VERIFY", "1") not in ("0", "false", "no"),
        #: thread: the web process delivers scores itself (woken after each sign-off); off: only `tandem worker`
        "TANDEM_OUTBOX": os.environ.get("TANDEM_OUTBOX", "thread") if os.environ.get("TANDEM_OUTBOX", "thread") in ("thread", "off") else "thread",
        "TANDEM_OUTBOX_LEASE": float(os.environ.get("TANDEM_OUTBOX_LEASE", "60") or 60),
        "TANDEM_OUTBOX_BACKOFF": float(os.environ.get("TANDEM_OUTBOX_BACKOFF", "2") or 2),
        #: email notifications: off when unset
        "TANDEM_SMTP_URL": _smtp_url(os.environ.get("TANDEM_SMTP_URL")),
        "TANDEM_MAIL_FROM": os.environ.get("TANDEM_MAIL_FROM") or "Tandem <tandem@localhost>",
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("en", "nl"),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "WTF_I18N_ENABLED": False,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    }
    config.update(overrides)
    return config
