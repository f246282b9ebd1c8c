"""Cookies that survive the LMS iframe: ``SameSite=None; Secure; Partitioned`` whenever the request is HTTPS."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface


def _secure() -> bool:
    return has_request_context() and request.is_secure


class IframeSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with iframe-friendly cookie attributes decided per request.

    Over HTTPS (production, behind ProxyFix) the cookie is ``SameSite=None; Secure; Partitioned``
    so it works inside the LMS iframe (partitioned per top-level site, CHIPS). Over plain HTTP
    (the local demo, where LMS and Tandem are the same site) ``Secure`` cookies would be refused,
    so it falls back to ``SameSite=Lax``. The session holds only ids; launch data stays server-side.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return _secure()

    def get_cookie_samesite(self, app: Flask) -> str:
        return "None" if _secure() else "Lax"

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return _secure()
