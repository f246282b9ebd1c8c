"""The notifications blueprint and the words of every kind: its name, an email subject, a line, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from flask import Blueprint
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

bp = Blueprint("notifications", __name__)

#: each kind's name on the preferences page
LABELS = {
    "matched": _l("You have a tandem partner"),
    "partner_accepted": _l("Your partner accepted"),
    "agreement_to_sign": _l("An agreement waits for your signature"),
    "signoff_requested": _l("Your partner asks you to sign off"),
    "signoff_made": _l("A sign-off on your learning"),
    "session_tomorrow": _l("A planned session tomorrow, or moved"),
    "plan_overdue": _l("A plan item overdue"),
    "tandem_inactive": _l("A tandem without sessions for weeks"),
    "coffee_match": _l("A virtual coffee match"),
    "event_reminder": _l("An event tomorrow"),
    "grade_failed": _l("A grade that did not reach the gradebook (trainers)"),
}
MODES = {"immediate": _l("Each at once"), "digest": _l("In a daily digest")}


def language() -> str:
    return str(get_locale() or "en")


def when(value: str | None, zone: str | None) -> str:
    """A moment in the given zone, the zone named."""
    if not value:
        return ""
    tz = ZoneInfo(zone or "UTC")
    moment = datetime.fromisoformat(value).astimezone(tz)
    return _("%(moment)s (%(zone)s)", moment=format_datetime(moment, "full", tzinfo=tz, locale=language()), zone=zone or "UTC")


def _local(value: Any) -> str:
    """A value given in both languages (a module's title), in the current one."""
    if isinstance(value, dict):
        return str(value.get(language()) or value.get("en") or "")
    return str(value or "")


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "full", locale=language()) if value else ""


def _item(v: dict[str, Any]) -> str:
    """A plan item in words: the module, a session, a check-in or a follow-up's text."""
    if v.get("item") == "module":
        return _("the module %(module)s", module=v.get("module", ""))
    if v.get("item") == "session":
        return _("a session")
    if v.get("item") == "checkin":
        return _("a check-in with your trainer")
    return str(v.get("text") or _("a follow-up"))


def subject(kind: str, v: dict[str, Any]) -> str:
    """The email subject (and the in-app line's title) of one notification, in the current language."""
    if kind == "matched":
        return _("You have a tandem partner: %(partner)s", partner=v.get("partner", ""))
    if kind == "partner_accepted":
        return _("Your tandem has started") if v.get("started") else _("%(partner)s accepted your tandem", partner=v.get("partner", ""))
    if kind == "agreement_to_sign":
        return _("Your tandem agreement waits for your signature")
    if kind == "signoff_requested":
        return _("%(partner)s asks you to sign off %(module)s", partner=v.get("partner", ""), module=_local(v.get("module")))
    if kind == "signoff_made":
        return _("%(signer)s signed off your learning in %(module)s", signer=v.get("signer", ""), module=_local(v.get("module")))
    if kind == "session_tomorrow" and v.get("moved"):
        return _("Your session with %(partner)s moved to %(day)s", partner=v.get("partner", ""), day=_day(v.get("due")))
    if kind == "session_tomorrow":
        return _("Tomorrow: a session with %(partner)s", partner=v.get("partner", ""))
    if kind == "plan_overdue":
        return _("Overdue in your plan: %(what)s", what=_item(v))
    if kind == "tandem_inactive":
        return _("No session logged since %(since)s", since=v.get("since", ""))
    if kind == "coffee_match":
        return _("Your virtual coffee with %(others)s", others=format_list(v.get("others") or ["?"], locale=language()))
    if kind == "event_reminder":
        return _("Tomorrow: %(title)s", title=v.get("title", ""))
    if kind == "grade_failed":
        return _("A grade did not reach the gradebook: %(learner)s", learner=v.get("learner", ""))
    return _("Something needs you in Tandem")


def line(kind: str, v: dict[str, Any]) -> str:
    """One sentence saying what happened and what to do."""
    if kind == "matched":
        return _("You are matched with %(partner)s. See who it is and why, then accept or decline.", partner=v.get("partner", ""))
    if kind == "partner_accepted":
        if v.get("started"):
            return _("%(partner)s accepted too. Sign your agreement, make your plan and log your sessions in your tandem.", partner=v.get("partner", ""))
        return _("%(partner)s accepted your tandem. Answer too, so your tandem can start.", partner=v.get("partner", ""))
    if kind == "agreement_to_sign":
        return _("%(partner)s signed your tandem agreement. Read it and sign it too.", partner=v.get("partner", ""))
    if kind == "signoff_requested":
        return _(
            "%(partner)s added evidence for “%(objective)s” in %(module)s. Look at it and sign it off when it meets the criteria.",
            partner=v.get("partner", ""),
            objective=_local(v.get("objective")),
            module=_local(v.get("module")),
        )
    if kind == "signoff_made":
        return _("%(signer)s signed off “%(objective)s” in %(module)s.", signer=v.get("signer", ""), objective=_local(v.get("objective")), module=_local(v.get("module")))
    if kind == "session_tomorrow" and v.get("moved"):
        return _("%(partner)s moved your planned session from %(old)s to %(day)s.", partner=v.get("partner", ""), old=_day(v.get("old")), day=_day(v.get("due")))
    if kind == "session_tomorrow":
        return _("Your plan has a session with %(partner)s tomorrow, %(day)s. Look at the plan to prepare it.", partner=v.get("partner", ""), day=_day(v.get("due")))
    if kind == "plan_overdue":
        return _("%(what)s was due on %(day)s and is not done yet. Mark it done or move it in your plan.", what=_item(v), day=_day(v.get("due")))
    if kind == "tandem_inactive":
        if v.get("trainer"):
            return _("The tandem of %(partner)s has logged no session since %(since)s.", partner=v.get("partner", ""), since=v.get("since", ""))
        return _("Your tandem with %(partner)s has logged no session since %(since)s. Plan your next session together.", partner=v.get("partner", ""), since=v.get("since", ""))
    if kind == "coffee_match":
        return _("You have a virtual coffee with %(others)s, suggested for %(when)s.", others=format_list(v.get("others") or ["?"], locale=language()), when=when(v.get("starts_at"), v.get("timezone")))
    if kind == "event_reminder":
        return _("%(title)s starts %(when)s.", title=v.get("title", ""), when=when(v.get("starts_at"), v.get("timezone")))
    if kind == "grade_failed":
        return _("The gradebook refused the score of %(learner)s for %(label)s. Send it again from the grades overview.", learner=v.get("learner", ""), label=v.get("label", ""))
    return ""
