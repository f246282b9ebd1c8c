"""A bare pylti1p3next tool, written the way the official Flask example
(dmitry-viskov/pylti1.3-flask-example, ``game/app.py``) is: the baseline the harness is
checked against.

Routes: ``/login`` (OIDC initiation), ``/launch`` (shows the user's name), ``/jwks`` (tool
keys), and, like the example's ``/configure`` and ``/api/...`` routes, ``/configure/<launch_id>``
(deep-linking response with one resource), ``/score/<launch_id>/<score>`` (AGS) and
``/members/<launch_id>`` (NRPS). No database; launch data lives in Flask-Caching's
``FileSystemCache`` so several gunicorn workers share it::

    BARE_TOOL_CONF=/path/tool.json BARE_TOOL_CACHE_DIR=/tmp/bare-cache \\
        gunicorn -w 2 'tests.harness.bare_tool:create_from_env()'

``tool.json`` uses pylti1p3's ``ToolConfJsonFile`` format (issuer -> list of
``{client_id, auth_login_url, auth_token_url, key_set_url, private_key_file,
public_key_file, deployment_ids, default}``); key file paths are relative to the JSON file.
Errors are not handled: pylti1p3 raises and Flask answers 500, as in the example.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, request
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
    FlaskServiceConnector,
)
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.tool_config import ToolConfDict

__all__ = ["create_from_env", "load_tool_conf", "make_bare_app"]


class ReverseProxied:
    """Honour ``X-Forwarded-Proto`` (as the example does) so cookies are marked Secure."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO")
        if scheme:
            environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


def load_tool_conf(conf: Mapping[str, Any], base_dir: str | os.PathLike[str] | None = None) -> ToolConfDict:
    """``ToolConfDict`` with the keys of ``private_key_file``/``public_key_file`` loaded.

    Relative key paths are resolved against ``base_dir`` (default: the current directory).
    """
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    tool_conf = ToolConfDict(dict(conf))
    for issuer, entries in conf.items():
        many = isinstance(entries, list)
        for entry in entries if many else [entries]:
            client_id = entry["client_id"] if many else None
            for field, setter in (
                ("private_key_file", tool_conf.set_private_key),
                ("public_key_file", tool_conf.set_public_key),
            ):
                path = entry.get(field)
                if path:
                    setter(issuer, (base / path).read_text(encoding="utf-8"), client_id=client_id)
    return tool_conf


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head><body>\n{body}\n</body></html>\n"
    )


def make_bare_app(
    tool_conf_dict: Mapping[str, Any],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    secret_key: str = "bare-tool-secret",
    redis_url: str | None = None,
) -> Flask:
    """The bare tool for ``tool_conf_dict`` (``ToolConfJsonFile`` format, see module doc)."""
    app = Flask("bare_pylti1p3_tool")
    app.wsgi_app = ReverseProxied(app.wsgi_app)  # type: ignore[method-assign]
    app.config.from_mapping(
        {
            "CACHE_TYPE": "FileSystemCache",
            "CACHE_DIR": str(cache_dir) if cache_dir is not None else tempfile.mkdtemp(prefix="bare-tool-cache-"),
            "CACHE_DEFAULT_TIMEOUT": 600,
            "SECRET_KEY": secret_key,
            "SESSION_COOKIE_NAME": "pylti1p3-flask-app-sessionid",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SECURE": False,
            "SESSION_COOKIE_SAMESITE": None,
        }
    )
    if redis_url:
        # The shared backend the pylti1p3 docs recommend for several workers.
        app.config.update({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url})
    cache = Cache(app)
    tool_conf = load_tool_conf(tool_conf_dict, base_dir)

    def launch_data_storage() -> FlaskCacheDataStorage:
        return FlaskCacheDataStorage(cache)

    def cached_launch(launch_id: str) -> FlaskMessageLaunch:
        return FlaskMessageLaunch.from_cache(  # type: ignore[return-value]
            launch_id,
            FlaskRequest(),
            tool_conf,
            launch_data_storage=launch_data_storage(),
            service_connector_cls=FlaskServiceConnector,
        )

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        flask_request = FlaskRequest()
        target_link_uri = flask_request.get_param("target_link_uri")
        if not target_link_uri:
            raise ValueError('Missing "target_link_uri" param')
        oidc_login = FlaskOIDCLogin(flask_request, tool_conf, launch_data_storage=launch_data_storage())
        return oidc_login.redirect(target_link_uri)

    @app.route("/launch", methods=["POST"])
    def launch() -> str:
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf, launch_data_storage=launch_data_storage())
        data = message_launch.get_launch_data()
        roles = data.get("https://purl.imsglobal.org/spec/lti/claim/roles", [])
        body = (
            f"<h1 id=\"user-name\">{html.escape(str(data.get('name', '')))}</h1>\n"
            f"<p id=\"message-type\">{html.escape(str(data.get('https://purl.imsglobal.org/spec/lti/claim/message_type')))}</p>\n"
            f"<p id=\"launch-id\">{html.escape(message_launch.get_launch_id())}</p>\n"
            f"<p id=\"roles\">{html.escape(' '.join(str(role) for role in roles))}</p>\n"
            f"<pre id=\"claims\">{html.escape(json.dumps(data, indent=1, sort_keys=True))}</pre>"
        )
        return _page("Bare pylti1p3 tool", body)

    @app.route("/jwks", methods=["GET"])
    def jwks() -> Any:
        return jsonify(tool_conf.get_jwks())

    @app.route("/configure/<launch_id>", methods=["GET", "POST"])
    def configure(launch_id: str) -> str:
        message_launch = cached_launch(launch_id)
        if not message_launch.is_deep_link_launch():
            raise PermissionError("Must be a deep link!")
        resource = DeepLinkResource()
        resource.set_url(request.url_root.rstrip("/") + "/launch").set_custom_params({"picked": "yes"}).set_title(
            "Bare tool activity"
        ).set_lineitem(LineItem().set_score_maximum(100).set_label("Bare tool grade"))
        return message_launch.get_deep_link().output_response_form([resource])

    @app.route("/score/<launch_id>/<int:earned>", methods=["POST"])
    def score(launch_id: str, earned: int) -> Any:
        message_launch = cached_launch(launch_id)
        if not message_launch.has_ags():
            raise PermissionError("Don't have grades!")
        launch_data = message_launch.get_launch_data()
        resource_link_id = launch_data.get("https://purl.imsglobal.org/spec/lti/claim/resource_link", {}).get("id")
        timestamp = datetime.datetime.now(datetime.timezone.utc).isoformat()
        grade = Grade()
        grade.set_score_given(earned).set_score_maximum(100).set_timestamp(timestamp).set_activity_progress(
            "Completed"
        ).set_grading_progress("FullyGraded").set_user_id(launch_data["sub"])
        line_item = LineItem().set_tag("score").set_score_maximum(100).set_label("Score")
        if resource_link_id:
            line_item.set_resource_id(resource_link_id)
        result = message_launch.get_ags().put_grade(grade, line_item)
        return jsonify({"success": True, "result": result.get("body")})

    @app.route("/members/<launch_id>", methods=["GET"])
    def members(launch_id: str) -> Any:
        message_launch = cached_launch(launch_id)
        if not message_launch.has_nrps():
            raise PermissionError("Don't have names and roles!")
        return jsonify(message_launch.get_nrps().get_members())

    return app


def create_from_env() -> Flask:
    """App factory for gunicorn: ``BARE_TOOL_CONF`` (JSON path), ``BARE_TOOL_CACHE_DIR`` or ``BARE_TOOL_REDIS_URL``."""
    conf_path = Path(os.environ["BARE_TOOL_CONF"]).resolve()
    conf = json.loads(conf_path.read_text(encoding="utf-8"))
    cache_dir = os.environ.get("BARE_TOOL_CACHE_DIR") or None
    redis_url = os.environ.get("BARE_TOOL_REDIS_URL") or None
    return make_bare_app(conf, cache_dir=cache_dir, base_dir=conf_path.parent, redis_url=redis_url)
