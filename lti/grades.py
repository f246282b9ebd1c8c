"""The outbox's sender: scores to the platform's gradebook over AGS (the core sees only ``outbox.Result``)."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy.orm import Session

from lti.ags import AgsTarget, send_score
from lti.services import TandemServiceConnector, TokenCache
from lti.tooling import TandemRegistration
from plugin.services import keys, outbox, platforms


class AgsSender:
    """Sends outbox items; one connector per registration, sharing the process's token cache."""

    def __init__(self, db_session: Session, http: requests.Session, tokens: TokenCache) -> None:
        self._db = db_session
        self._http = http
        self._tokens = tokens
        self._connectors: dict[int, Any] = {}

    def _connector(self, registration_id: int) -> Any:
        if registration_id not in self._connectors:
            info = platforms.registration_by_id(self._db, registration_id)
            if info is None:
                return None
            key = keys.signing_key(self._db)
            self._db.commit()
            self._connectors[registration_id] = TandemServiceConnector(TandemRegistration(info, key), self._http, self._tokens)
        return self._connectors[registration_id]

    def send(self, item: outbox.Item) -> outbox.Result:
        connector = self._connector(item.registration_id)
        if connector is None:
            return outbox.Result("failed", reason="the platform registration was removed")
        target = AgsTarget(
            registration_id=item.registration_id,
            lineitems_url=item.lineitems_url,
            lineitem_url=item.lineitem_url,
            scopes=item.scopes,
            resource_id=item.resource_id,
            tag=outbox.TAG,
            label=item.label,
            score_maximum=float(item.score_maximum),
        )
        delivery = send_score(
            connector,
            target,
            user_id=item.user_id,
            score_given=item.score_given,
            score_maximum=item.score_maximum,
            activity_progress=item.activity_progress,
            grading_progress=item.grading_progress,
            timestamp=item.timestamp,
        )
        return outbox.Result(delivery.status, delivery.http_status, delivery.lineitem_url, delivery.reason)


def sender_factory(http: requests.Session, tokens: TokenCache):  # noqa: ANN201 - a factory for outbox.Worker
    return lambda db_session: AgsSender(db_session, http, tokens)
