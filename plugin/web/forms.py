"""Base form: CSRF from Flask-WTF, WTForms' own messages in the page language (loaded once per language)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    # Flask-WTF re-reads this catalogue on every request; it never changes while Tandem runs.
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class TandemForm(FlaskForm):
    """Every Tandem form: CSRF-protected, with validation messages in English or Dutch."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):  # noqa: ANN001, ANN201 - WTForms' signature
            return _wtforms_translations(str(get_locale() or "en"))


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (values as strings)."""
    return [SelectChoice(str(value), label) for value, label in pairs]
