"""Play the user's browser with ``requests.Session``.

The harness never lets requests follow redirects by itself: every hop is made explicitly with
``allow_redirects=False`` so that tests can look at each response (status, ``Location``,
``Set-Cookie``). Cookies live in the session's jar, exactly as a browser would keep them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36 TandemTestHarness/1.0"
)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _UnverifiedHTTPSConnectionPool(HTTPSConnectionPool):
    """HTTPS pool that does not emit ``InsecureRequestWarning``.

    The project's pytest configuration turns warnings into errors, and a warning raised in a
    server thread would break the platform's own JWKS fetches. Verification is off on purpose
    when this pool is used (``verify=False`` against a self-signed test certificate).
    """

    def _validate_conn(self, conn: BaseHTTPConnection) -> None:
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()


class UnverifiedHTTPSAdapter(HTTPAdapter):
    """Transport adapter for ``verify=False`` sessions that stays silent about it."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        classes = dict(self.poolmanager.pool_classes_by_scheme)
        classes["https"] = _UnverifiedHTTPSConnectionPool
        self.poolmanager.pool_classes_by_scheme = classes


def new_browser(verify: bool | str = False) -> requests.Session:
    """A fresh browser: empty cookie jar, browser-like User-Agent, no proxies from the env.

    ``verify`` is ``False`` (accept the tool's self-signed certificate) or a CA file path.
    """
    session = requests.Session()
    session.verify = verify
    session.trust_env = False
    session.headers["User-Agent"] = BROWSER_USER_AGENT
    if verify is False:
        session.mount("https://", UnverifiedHTTPSAdapter())
    return session


def follow(
    browser: requests.Session, response: requests.Response, max_hops: int = 5
) -> requests.Response:
    """Follow the redirects of ``response`` hop by hop, like a browser, and return the last one.

    301/302/303 become GETs; 307/308 repeat the method and body. Raises ``RuntimeError`` when
    there are more than ``max_hops`` redirects.
    """
    current = response
    for _ in range(max_hops):
        if current.status_code not in _REDIRECT_STATUSES or "Location" not in current.headers:
            return current
        target = urljoin(current.url, current.headers["Location"])
        if current.status_code in (307, 308):
            previous = current.request
            headers = {}
            content_type = previous.headers.get("Content-Type")
            if content_type:
                headers["Content-Type"] = content_type
            current = browser.request(
                previous.method or "GET",
                target,
                data=previous.body,
                headers=headers,
                allow_redirects=False,
            )
        else:
            current = browser.get(target, allow_redirects=False)
    if current.status_code in _REDIRECT_STATUSES and "Location" in current.headers:
        raise RuntimeError(f"more than {max_hops} redirects, last to {current.headers['Location']}")
    return current


@dataclass
class HtmlForm:
    """One ``<form>`` of a page: its raw ``action``, upper-case ``method`` and named fields."""

    action: str | None
    method: str = "GET"
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._current: HtmlForm | None = None
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key.lower(): (value or "") for key, value in attrs}
        if tag == "form":
            self._current = HtmlForm(
                action=attributes.get("action"),
                method=(attributes.get("method") or "GET").upper(),
            )
            self.forms.append(self._current)
            return
        if self._current is None:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            self._current.fields[name] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._textarea_text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._current is not None:
            self._current.fields[self._textarea] = "".join(self._textarea_text)
            self._textarea = None
        elif tag == "form":
            self._current = None


def parse_forms(html: str) -> list[HtmlForm]:
    """Every form of the page, in document order (entities in values are decoded)."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def parse_form(html: str) -> tuple[str | None, dict[str, str]]:
    """``(action, fields)`` of the first form of the page; ``(None, {})`` when there is none."""
    forms = parse_forms(html)
    if not forms:
        return None, {}
    return forms[0].action, dict(forms[0].fields)


def set_cookie_headers(response: requests.Response) -> list[str]:
    """All raw ``Set-Cookie`` header values of one response (not of its redirect history)."""
    raw_headers: Any = response.raw.headers if response.raw is not None else None
    if raw_headers is not None and hasattr(raw_headers, "getlist"):
        values: Iterable[str] = raw_headers.getlist("Set-Cookie")
        return list(values)
    single = response.headers.get("Set-Cookie")
    return [single] if single else []


def cookie_header(response: requests.Response, name: str) -> str | None:
    """The raw ``Set-Cookie`` header that sets cookie ``name``, or ``None``.

    Lets tests assert the attributes a browser would see (``SameSite=None; Secure;
    Partitioned``), which the cookie jar does not keep.
    """
    prefix = f"{name}="
    for header in set_cookie_headers(response):
        if header.lstrip().startswith(prefix):
            return header
    return None
