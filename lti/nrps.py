"""The course roster from the platform's Names and Role Provisioning Service (NRPS v2).

``NrpsRoster.pages()`` reads the membership container page by page, following
``Link: <…>; rel="next"``, and turns each member into a ``RosterMember``. Any failure raises
``RosterUnavailable``; the pages yielded before it are the caller's to keep or drop (an import
that must be all-or-nothing collects them first, as ``members()`` does).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import requests
from pylti1p3.service_connector import ServiceConnector

from lti import claims
from lti.service_calls import ServiceCallFailed, authorised_request, with_query
from lti.services import TandemServiceConnector, TokenCache
from lti.tooling import TandemRegistration
from plugin.domain.errors import NotFound
from plugin.domain.roster import RosterMember, RosterUnavailable
from plugin.services import keys, platforms
from plugin.services.launches import Actor, launch_data

MEDIA_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: members the platform reports with one of these statuses are kept, but inactive
INACTIVE_STATUSES = frozenset({"inactive", "deleted"})
#: a roster longer than this many pages is taken as a pagination loop
MAX_PAGES = 10_000

log = logging.getLogger("tandem.lti.nrps")


def _text(value: Any, limit: int = 255) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text[:limit] or None


def member_from(raw: Any) -> RosterMember | None:
    """A roster member from one NRPS ``members`` entry; None when it has no ``user_id``."""
    if not isinstance(raw, Mapping):
        return None
    subject = _text(raw.get("user_id"))
    if subject is None:
        return None
    status = str(raw.get("status") or "Active").rsplit("#", 1)[-1].strip().lower()
    return RosterMember(
        subject=subject,
        role=claims.role_from(raw.get("roles")),
        name=_text(raw.get("name")),
        given_name=_text(raw.get("given_name")),
        family_name=_text(raw.get("family_name")),
        email=_text(raw.get("email"), 320),
        active=status not in INACTIVE_STATUSES,
    )


class NrpsRoster:
    """One course's roster, read through a service connector from the launch's memberships URL."""

    def __init__(self, connector: ServiceConnector, memberships_url: str, *, retries: int = 1) -> None:
        self.connector = connector
        self.memberships_url = memberships_url
        #: extra attempts per page after a 5xx, a timeout or a token failure
        self.retries = retries

    def pages(self, role: str | None = None, limit: int = 100) -> Iterator[list[RosterMember]]:
        """The roster, one page (``limit`` members at most) at a time.

        ``role`` filters on the platform (``Learner``, ``Instructor`` or a full role URI). A member
        appearing on two pages (the roster changed while paging) is yielded once; members without a
        ``user_id`` are skipped.

        Raises:
            RosterUnavailable: a page could not be read (HTTP error, timeout, not NRPS JSON).
        """
        if limit <= 0:
            raise ValueError("limit must be positive")
        url: str | None = with_query(self.memberships_url, {"role": role, "limit": str(limit)})
        seen_urls: set[str] = set()
        seen_members: set[str] = set()
        while url:
            if url in seen_urls or len(seen_urls) >= MAX_PAGES:
                raise RosterUnavailable(f"NRPS pagination loops at {url}")
            seen_urls.add(url)
            raw_members, url = self._page(url)
            page = []
            for raw in raw_members:
                member = member_from(raw)
                if member is None or member.subject in seen_members:
                    continue
                seen_members.add(member.subject)
                page.append(member)
            yield page

    def members(self, role: str | None = None, limit: int = 100) -> list[RosterMember]:
        """The whole roster, or ``RosterUnavailable``: never a part of it."""
        return [member for page in self.pages(role=role, limit=limit) for member in page]

    def _page(self, url: str) -> tuple[list[Any], str | None]:
        """The members of the page at ``url`` and the next page's URL."""
        problem = ""
        for _attempt in range(1 + max(0, self.retries)):
            try:
                response = authorised_request(self.connector, [claims.NRPS_SCOPE], "GET", url, accept=MEDIA_MEMBERSHIPS)
            except ServiceCallFailed as exc:
                problem = exc.reason
                log.warning("NRPS page %s: %s", url, problem)
                continue
            if response.status_code >= 500:
                problem = f"NRPS answered HTTP {response.status_code}"
                log.warning("NRPS page %s: %s", url, problem)
                continue
            if response.status_code != 200:
                raise RosterUnavailable(f"NRPS answered HTTP {response.status_code} for {url}")
            return self._parse(response, url)
        raise RosterUnavailable(f"{problem} for {url}")

    @staticmethod
    def _parse(response: requests.Response, url: str) -> tuple[list[Any], str | None]:
        try:
            body = response.json()
        except ValueError as exc:  # requests' JSONDecodeError is one
            raise RosterUnavailable(f"NRPS answered with something other than JSON for {url}") from exc
        if not isinstance(body, Mapping) or not isinstance(body.get("members"), list):
            raise RosterUnavailable(f"NRPS answer for {url} has no members list")
        next_url = response.links.get("next", {}).get("url")
        return body["members"], next_url or None


def roster_for_launch(
    db_session: Any,
    launch_id: str,
    actor: Actor,
    *,
    http: requests.Session | None = None,
    tokens: TokenCache | None = None,
) -> NrpsRoster | None:
    """The roster of the course launch ``launch_id`` (made by ``actor``), or None when the platform offers none.

    ``http`` and ``tokens`` default to the app's ``PlatformSession`` and ``TokenCache``
    (``app.extensions["tandem_lti"]``), so the call needs an app context unless both are given.

    Creates Tandem's first signing key if there is none yet (the caller commits).

    Raises:
        NotFound: the launch is unknown, expired or not the actor's, or its registration is gone.
    """
    raw = launch_data(db_session, actor, launch_id)
    if raw is None:
        raise NotFound(f"launch {launch_id!r} not found")
    body = json.loads(raw)
    url = claims.nrps_memberships_url(body)
    if url is None:
        return None
    client_id = claims.client_id_of(body)
    info = platforms.find_registration(db_session, str(body.get("iss")), client_id) if client_id else None
    if info is None or (actor.registration_id is not None and info.id != actor.registration_id):
        raise NotFound(f"the registration of launch {launch_id!r} is not registered any more")
    key = keys.signing_key(db_session)
    if http is None or tokens is None:
        from flask import current_app

        ext = current_app.extensions["tandem_lti"]
        http = http or ext.http
        tokens = tokens or ext.tokens
    connector = TandemServiceConnector(TandemRegistration(info, key), http, tokens)
    return NrpsRoster(connector, url)
