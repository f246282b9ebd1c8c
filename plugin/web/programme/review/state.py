"""What the review page shows (page, filter, search) as address parameters, carried by every edit form so
that the trainer comes back to the same page; and the review's forms."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from plugin.domain.fit import FitLevel
from plugin.services.proposal_review import MAX_SEARCH, ReviewQuery
from plugin.web.forms import TandemForm

#: parameter -> ReviewQuery field
PARAMS = {"page": "page", "fit": "fit", "q": "search", "changed": "changed", "upage": "unmatched_page", "find_digital": "find_digital", "find_expert": "find_expert"}
MAX_PAGE = 100_000


def _number(value: str | None) -> int:
    value = (value or "").strip()
    return min(int(value), MAX_PAGE) if value.isascii() and value.isdigit() and len(value) <= 6 else 1


def query_from(args: Mapping[str, str]) -> ReviewQuery:
    """The review query of address parameters; anything unknown or malformed falls back to the default."""
    fit = args.get("fit") or ""
    return ReviewQuery(
        page=_number(args.get("page")),
        fit=FitLevel(fit) if fit in FitLevel._value2member_map_ else None,
        search=(args.get("q") or "").strip()[:MAX_SEARCH],
        changed=args.get("changed") in ("1", "y", "on"),
        unmatched_page=_number(args.get("upage")),
        find_digital=(args.get("find_digital") or "").strip()[:MAX_SEARCH],
        find_expert=(args.get("find_expert") or "").strip()[:MAX_SEARCH],
    )


def args_of(query: ReviewQuery, **changes: object) -> dict[str, str]:
    """Address parameters of ``query`` (defaults left out), with ``changes`` (parameter names) applied."""
    out = {
        "page": str(query.page) if query.page > 1 else "",
        "fit": query.fit.value if query.fit else "",
        "q": query.search,
        "changed": "1" if query.changed else "",
        "upage": str(query.unmatched_page) if query.unmatched_page > 1 else "",
        "find_digital": query.find_digital,
        "find_expert": query.find_expert,
    }
    out.update({k: "" if v is None or v is False else "1" if v is True else str(v) for k, v in changes.items()})
    return {k: v for k, v in out.items() if v and not (k in ("page", "upage") and v == "1")}


def review_url(query: ReviewQuery, anchor: str | None = None, **changes: object) -> str:
    return url_for("programme.proposal", **args_of(query, **changes), _anchor=anchor)


def back_value(query: ReviewQuery) -> str:
    """The hidden ``back`` field of an edit form: where the trainer was."""
    return urlencode(args_of(query))


def back_query() -> ReviewQuery:
    """The review query an edit form came from (its ``back`` field)."""
    return query_from(dict(parse_qsl((request.form.get("back") or "")[:1000])))


class PairForm(TandemForm):
    pair = StringField(validators=[InputRequired()])


class SwapForm(TandemForm):
    first = SelectField(_l("First pair"), choices=[], validate_choice=False)
    second = SelectField(_l("Second pair"), choices=[], validate_choice=False)


class AddForm(TandemForm):
    digital = SelectField(_l("Digital mentor"), choices=[], validate_choice=False)
    expert = SelectField(_l("Senior expert"), choices=[], validate_choice=False)


def split_pair(value: str | None) -> tuple[str, str] | None:
    """``"12-34"`` as (digital, expert) person ids, or None when malformed."""
    digital, _sep, expert = (value or "").partition("-")
    if not (digital.isascii() and digital.isdigit() and expert.isascii() and expert.isdigit()) or len(digital) > 18 or len(expert) > 18:
        return None
    return str(int(digital)), str(int(expert))


def person_id(value: str | None) -> str | None:
    value = (value or "").strip()
    return str(int(value)) if value.isascii() and value.isdigit() and len(value) <= 18 else None
