"""The SMTP mailer behind :class:`plugin.services.notifications.Mailer`: ``smtplib``, one connection per send.

``TANDEM_SMTP_URL`` says where: ``smtp://host:port`` (plain, STARTTLS when the server offers it),
``smtps://user:password@host:port`` (TLS from the start); a user and password log in.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from plugin.services.notifications import Unreachable

#: the server refused this one message (its recipient, sender or content): the others still go
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
            raise ValueError("TANDEM_SMTP_URL must look like smtp://host:port or smtps://user:password@host:port")
        self.tls = parsed.scheme == "smtps"
        self.host = parsed.hostname
        self.port = parsed.port or (465 if self.tls else 25)
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raises :class:`Unreachable` when it cannot be reached, an
        ``smtplib.SMTPException`` when it refuses this message."""
        try:
            self._send(message)
        except _REFUSED:
            raise
        except OSError as exc:  # refused connections, timeouts, TLS, a dropped line, HELO or login refused (SMTPException is an OSError)
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc

    def _send(self, message: EmailMessage) -> None:
        if self.tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if not self.tls and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(message)
