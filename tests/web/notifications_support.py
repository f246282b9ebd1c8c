"""Helpers for the notification tests: a real SMTP server (aiosmtpd) on a free port, and the sender."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from email.message import EmailMessage

import sqlalchemy as sa
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self, box: SmtpSink) -> None:
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201 - aiosmtpd's hook
        if address in self.box.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201 - aiosmtpd's hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.box.lock:
            self.box.messages.append(message)
        return "250 OK"


class SmtpSink:
    """An SMTP server on 127.0.0.1 keeping every message it accepts; ``stop()`` and ``start()`` take it down and up on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        #: addresses the server refuses (550 at RCPT)
        self.refuse: set[str] = set()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", text_part(message))


def sender(app, sink: SmtpSink):
    """``deliver(session)`` as ``tandem worker`` runs it, against ``sink``."""
    from plugin.adapters.smtp import SmtpMailer
    from plugin.services import notifications
    from plugin.web.notifications import EmailRenderer

    mailer = SmtpMailer(sink.url, timeout=5)
    renderer = EmailRenderer(app)
    policy = notifications.Policy(backoff_base=0.05, backoff_max=0.3, lease_seconds=30)
    return lambda session, now=None: notifications.deliver(session, mailer, renderer, policy, now=now)


def deliver_until_done(app, deliver, timeout: float = 30.0, now: float | None = None) -> int:
    """Run the sender until no row is pending (or ``timeout``); returns how many messages left."""
    from plugin.extensions import db
    from plugin.models import Notification

    sent = 0
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            sent += deliver(db.session, now)
            pending = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.email_status == "pending"))
            db.session.commit()
            if not pending:
                return sent
            time.sleep(0.05)
    raise AssertionError("notifications still pending")


def statuses(app) -> list[tuple[str, int, str]]:
    from plugin.extensions import db
    from plugin.models import Notification

    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(Notification.kind, Notification.person_id, Notification.email_status).order_by(Notification.id))]


def subject_of(message: EmailMessage) -> str:
    """The subject as a reader sees it (a long one is folded over lines in the message)."""
    return " ".join(str(message["Subject"]).split())
