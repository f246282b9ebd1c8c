"""One authorised HTTP call to a platform service (NRPS, AGS), shared by ``lti.nrps`` and ``lti.ags``.

The access token comes from the ``TandemServiceConnector`` (tenant-safe ``TokenCache``); a 401
from the service drops the cached token and repeats the call once with a fresh one (the platform
may have revoked it, or rotated its keys). Whatever status the service answers is returned for
the caller to classify; only a call that got no answer at all raises ``ServiceCallFailed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from lti.services import TandemServiceConnector


class ServiceCallFailed(Exception):
    """No answer from the service: the token endpoint failed, or the network did (timeout, refused).

    ``status`` is the token endpoint's HTTP status when it answered, else None. Always worth
    retrying later: token and network trouble is usually passing.
    """

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def with_query(url: str, params: Mapping[str, str | None]) -> str:
    """``url`` with ``params`` added to (or replacing in) its query; keeps what was there (Moodle's ``type_id``)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def with_path_suffix(url: str, suffix: str) -> str:
    """``url`` with ``suffix`` appended to its path, query kept: ``…/lineitems/3?type_id=1`` → ``…/lineitems/3/scores?type_id=1``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + suffix, parts.query, parts.fragment))


def _http(connector: ServiceConnector) -> requests.Session:
    # pylti1p3's ServiceConnector keeps the session it was given (Tandem's PlatformSession:
    # timeout and User-Agent on every call) under this name; the token request uses it too.
    return connector._requests_session


def _forget_token(connector: ServiceConnector, scopes: Sequence[str]) -> None:
    if isinstance(connector, TandemServiceConnector):
        connector._cache.forget(connector._scope_key(sorted(scopes)))


def _token(connector: ServiceConnector, scopes: Sequence[str]) -> str:
    try:
        return connector.get_access_token(list(scopes))
    except LtiServiceException as exc:
        status = exc.response.status_code
        raise ServiceCallFailed(f"token endpoint answered HTTP {status}", status) from exc
    except requests.RequestException as exc:
        raise ServiceCallFailed(f"token endpoint unreachable: {type(exc).__name__}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ServiceCallFailed(f"token endpoint answered without a usable access token: {exc}") from exc


def authorised_request(
    connector: ServiceConnector,
    scopes: Sequence[str],
    method: str,
    url: str,
    *,
    accept: str,
    content_type: str | None = None,
    body: Any = None,
) -> requests.Response:
    """``method url`` with a bearer token for ``scopes``; JSON ``body`` sent as ``content_type``.

    Returns the service's response, whatever its status. A 401 is retried once with a fresh token.

    Raises:
        ServiceCallFailed: no token (token endpoint failed or unreachable) or no answer
            (timeout, connection error).
    """
    response: requests.Response | None = None
    for attempt in range(2):
        headers = {"Authorization": "Bearer " + _token(connector, scopes), "Accept": accept}
        if content_type is not None:
            headers["Content-Type"] = content_type
        try:
            response = _http(connector).request(method, url, headers=headers, json=body)
        except requests.RequestException as exc:
            raise ServiceCallFailed(f"{method} {url} failed: {type(exc).__name__}") from exc
        if response.status_code != 401 or attempt:
            return response
        _forget_token(connector, scopes)
    assert response is not None
    return response
