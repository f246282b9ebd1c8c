"""Notifications' rules: the kinds and defaults, when a digest leaves, the backoff, the language of a locale,
the SMTP URL, and the unsubscribe token (signed per purpose: another salt or key refuses it)."""

from __future__ import annotations

import pytest
from itsdangerous import BadSignature, URLSafeSerializer

from plugin.adapters.smtp import SmtpMailer
from plugin.domain import notifications as domain
from plugin.services.notifications.preferences import UNSUBSCRIBE_SALT, unsubscribe_token


def test_every_kind_defaults_to_on_at_once_and_a_saved_choice_wins():
    chosen = domain.choices({"coffee_match": (False, "digest")})
    assert [c.kind for c in chosen] == list(domain.KINDS)
    assert next(c for c in chosen if c.kind == "coffee_match") == domain.Choice("coffee_match", False, "digest")
    assert all(c.enabled and c.mode == "immediate" for c in chosen if c.kind != "coffee_match")
    with pytest.raises(ValueError):
        domain.check_choice("nonsense", True, "immediate")
    with pytest.raises(ValueError):
        domain.check_choice("matched", True, "hourly")


def test_a_digest_waits_for_the_next_digest_hour():
    day = 86400.0
    morning = 10 * day + domain.DIGEST_HOUR * 3600
    assert domain.due_at("immediate", morning - 5) == morning - 5
    assert domain.due_at("digest", morning - 5) == morning
    assert domain.due_at("digest", morning) == morning + day
    assert domain.due_at("digest", morning + 3600) == morning + day


def test_backoff_doubles_up_to_its_cap():
    assert [domain.backoff(n, 5, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


@pytest.mark.parametrize(("locale", "language"), [("nl", "nl"), ("nl-NL", "nl"), ("nl_BE", "nl"), ("NL", "nl"), ("en-GB", "en"), ("de", "en"), (None, "en"), ("", "en")])
def test_the_language_of_a_locale(locale, language):
    assert domain.language_of(locale) == language


def test_smtp_urls():
    plain = SmtpMailer("smtp://127.0.0.1:2525")
    assert (plain.tls, plain.host, plain.port, plain.user) == (False, "127.0.0.1", 2525, None)
    tls = SmtpMailer("smtps://mail%40org:p%3Ass@mail.example.org")
    assert (tls.tls, tls.host, tls.port, tls.user, tls.password) == (True, "mail.example.org", 465, "mail@org", "p:ss")
    for bad in ("http://x", "smtp://", "mail.example.org"):
        with pytest.raises(ValueError):
            SmtpMailer(bad)


def test_an_unsubscribe_token_is_signed_for_that_purpose_only():
    token = unsubscribe_token("secret-key-0123456789", 7, "coffee_match")
    assert URLSafeSerializer("secret-key-0123456789", salt=UNSUBSCRIBE_SALT).loads(token) == {"p": 7, "k": "coffee_match"}
    for key, salt in (("another-key-0123456789", UNSUBSCRIBE_SALT), ("secret-key-0123456789", "another.purpose")):
        with pytest.raises(BadSignature):
            URLSafeSerializer(key, salt=salt).loads(token)


def test_a_server_that_cannot_be_reached_is_told_apart_from_a_refused_message():
    from email.message import EmailMessage

    from plugin.services.notifications import Unreachable
    from tests.web.notifications_support import free_port

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "x"
    message.set_content("x")
    with pytest.raises(Unreachable):
        SmtpMailer(f"smtp://127.0.0.1:{free_port()}", timeout=2).send(message)
