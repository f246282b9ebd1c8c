"""The email renderer: a notification (or a day's digest) as a text + HTML message in the recipient's language.

Implements :class:`plugin.services.notifications.Renderer` for ``tandem worker``. It runs in an application
context without a request: links are ``TANDEM_BASE_URL`` + the row's path, and every message carries an
unsubscribe link per kind (a signed token, no login) and a ``List-Unsubscribe`` header.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import urlparse

from flask import Flask, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from plugin.services import notifications
from plugin.web.notifications.common import LABELS, line, subject


class EmailRenderer:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _base(self) -> str:
        return (self.app.config.get("TANDEM_BASE_URL") or "http://localhost:5000").rstrip("/")

    def render(self, recipient: notifications.Recipient, items: Sequence[notifications.Item], digest: bool) -> EmailMessage:
        base = self._base()
        secret = self.app.config["SECRET_KEY"]
        with self.app.app_context(), force_locale(recipient.language):
            shown = [
                {
                    "kind": item.kind,
                    "label": str(LABELS.get(item.kind, item.kind)),
                    "subject": subject(item.kind, item.values),
                    "line": line(item.kind, item.values),
                    "url": base + item.link,
                    "unsubscribe": base + "/notifications/unsubscribe/" + notifications.unsubscribe_token(secret, recipient.person_id, item.kind),
                }
                for item in items
            ]
            title = _("Your Tandem digest: %(count)s updates", count=len(shown)) if digest else shown[0]["subject"]
            context = {"title": title, "items": shown, "name": recipient.name, "digest": digest, "preferences": base + "/notifications/preferences", "lang": recipient.language}
            text = render_template("notifications/email.txt", **context)
            html = render_template("notifications/email.html", **context)
        message = EmailMessage()
        message["Subject"] = title
        message["From"] = self.app.config.get("TANDEM_MAIL_FROM") or "Tandem <tandem@localhost>"
        message["To"] = formataddr((recipient.name or "", recipient.email))
        domain = urlparse(base).hostname or "tandem.local"
        message["Message-ID"] = make_msgid(idstring="tandem-notification-" + "-".join(str(i.id) for i in items), domain=domain)
        message["Auto-Submitted"] = "auto-generated"
        if len({i["kind"] for i in shown}) == 1:
            message["List-Unsubscribe"] = f"<{shown[0]['unsubscribe']}>"
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        message["Content-Language"] = recipient.language  # after the body: set_content clears Content-* headers
        return message
