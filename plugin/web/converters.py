"""Route values and request input bounded before any view (or the database) sees them.

Flask's ``int`` converter accepts any run of digits, unicode digits included, so
``/tandems/99999999999999999999`` reached the database and overflowed SQLite's 64-bit integers (a
500), ``/tandems/2147483648`` overflowed PostgreSQL's ``integer`` columns (a 500), and ``/tandems/١``
was tandem 1 under another name. Tandem's converters replace Flask's own for the
whole URL map, so every ``<int:...>`` and ``<...>`` route of every blueprint is covered at once:

- ``int``: ASCII digits only, no sign and no leading zero, 1 to ``MAX_ID`` = 2**31-1: every id,
  version and sequence number is an ``sa.Integer`` column, 32-bit on PostgreSQL, so nothing larger
  can exist; anything else matches no route, so the answer is the ordinary 404 page.
- ``default``/``string``/``path``: no NUL byte (PostgreSQL refuses NUL in text: a 500) and at most
  ``MAX_SEGMENT`` characters (no slug, token or launch id is that long); else a 404.

NUL bytes in the query string or in form fields (names or values) are refused with a 400 before the
view runs, for the same reason.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

MAX_ID = 2**31 - 1  # PostgreSQL's ``integer``: the largest value any id column of the schema holds
MAX_SEGMENT = 255


class BoundedIntConverter(IntegerConverter):
    """A positive id written the one way ``url_for`` writes it: ``1`` to ``MAX_ID``, ASCII digits."""

    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False) -> None:  # noqa: A002, ANN001 - Werkzeug's signature
        lowest = (-MAX_ID if signed else 1) if min is None else min
        highest = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=lowest, max=highest, signed=signed)
        if signed:
            self.regex = r"0|-?[1-9][0-9]{0,9}"
        if fixed_digits:  # zero-padded on purpose: ``0001``
            self.regex = f"[0-9]{{{int(fixed_digits)}}}"


class BoundedStringConverter(UnicodeConverter):
    """One path segment without NUL bytes, at most ``MAX_SEGMENT`` characters (unless a rule asks for less)."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:  # noqa: ANN001 - Werkzeug's signature
        super().__init__(
            map, minlength=minlength, maxlength=MAX_SEGMENT if maxlength is None and length is None else maxlength, length=length
        )
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


class BoundedPathConverter(PathConverter):
    """Like ``path``, without NUL bytes."""

    regex = "[^/\\x00][^\\x00]*?"
    part_isolating = False


def _has_nul(pairs) -> bool:  # noqa: ANN001 - a MultiDict's lists()
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


def refuse_nul_input() -> None:
    """Abort with 400 when the query string or a form field holds a NUL byte."""
    if _has_nul(request.args.lists()) or (request.method not in ("GET", "HEAD", "OPTIONS") and _has_nul(request.form.lists())):
        abort(400)


def init_app(app: Flask) -> None:
    """Install the bounded converters. Call before any blueprint is registered: rules compile when added."""
    app.url_map.converters.update(
        int=BoundedIntConverter, default=BoundedStringConverter, string=BoundedStringConverter, path=BoundedPathConverter
    )
    app.before_request(refuse_nul_input)
