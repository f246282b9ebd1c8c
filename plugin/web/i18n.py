"""Template translations resolved once per request (Flask-Babel looks the catalogue up on every string),
and the compact language switch's target (the language the page is not in)."""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, g
from flask_babel import get_locale, get_translations

# Each language named in itself: the switch offers the other one, marked with its own ``lang``.
LANGUAGES = {"en": "English", "nl": "Nederlands"}


class Language(NamedTuple):
    code: str
    name: str


def _translations():  # noqa: ANN202 - babel.support.Translations
    translations = g.get("_tandem_translations")
    if translations is None:
        translations = g._tandem_translations = get_translations()
    return translations


def other_language() -> Language:
    """The language the switch offers: the one the page is not in (English when the page is in neither)."""
    current = str(get_locale() or "en")
    code = next((c for c in LANGUAGES if c != current), "en") if current in LANGUAGES else "en"
    return Language(code, LANGUAGES[code])


def init_app(app: Flask) -> None:
    """Give Jinja gettext/ngettext that fetch the request's catalogue once, not once per string."""
    app.jinja_env.install_gettext_callables(
        lambda message: _translations().ugettext(message),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.jinja_env.globals["other_language"] = other_language
