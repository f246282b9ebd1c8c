"""The platform harness as a site of its own, ``https://lms.test``, behind the test nginx.

``SitePlatform`` is ``TestPlatform`` whose every public URL (issuer, /auth, /token, /jwks, AGS and
NRPS endpoints, /initiate) is ``public_url`` instead of the loopback address it listens on; nginx
terminates TLS for ``lms.test`` and proxies to ``internal_url``. ``course_page_location`` is the
test-only nginx location of an LMS course page that frames the tool's launch, as Moodle does.
"""

from __future__ import annotations

from typing import Any

from tests.harness.platform import TestPlatform


class SitePlatform(TestPlatform):
    """``TestPlatform`` reachable (and naming itself) at ``public_url``, e.g. ``https://lms.test:8443``."""

    __test__ = False

    def __init__(self, *, public_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.public_url = public_url.rstrip("/")

    @property
    def url(self) -> str:
        return self.public_url

    @property
    def internal_url(self) -> str:
        """Where the harness listens (plain HTTP on 127.0.0.1): nginx's upstream for the LMS site."""
        if self._server is None:
            raise RuntimeError("SitePlatform not started")
        return self._server.url

    def course_page_url(self, **launch_options: Any) -> str:
        """An LMS course page whose iframe starts a launch with ``launch_options`` (those of ``launch()``)."""
        token = self.browser_launch_url(**launch_options).rsplit("/", 1)[1]
        return f"{self.public_url}/course?launch={token}"


#: The course page, served by nginx on the LMS site: the tool's launch inside an iframe, like Moodle's
#: "embed" placement. `$arg_launch` is the token of ``SitePlatform.browser_launch_url``.
COURSE_PAGE_LOCATION = """
    location = /course {
        default_type text/html;
        add_header Cache-Control "no-store" always;
        return 200 '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Course page</title></head><body><h1>LMS course page</h1><iframe id="tool-frame" title="Tandem" src="/initiate/$arg_launch" width="1000" height="800" allow="clipboard-write"></iframe></body></html>';
    }
"""
