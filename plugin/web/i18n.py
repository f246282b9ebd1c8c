"""Template translations resolved once per request (Flask-Babel looks the catalogue up on every string)."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations


def _translations():  # noqa: ANN202 - babel.support.Translations
    translations = g.get("_tandem_translations")
    if translations is None:
        translations = g._tandem_translations = get_translations()
    return translations


def init_app(app: Flask) -> None:
    """Give Jinja gettext/ngettext that fetch the request's catalogue once, not once per string."""
    app.jinja_env.install_gettext_callables(
        lambda message: _translations().ugettext(message),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
    )
