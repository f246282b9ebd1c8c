"""The words of the review: fits in plain language (never the engine's raw score), the one-line summary of a
proposal, and the refusals of an edit."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from plugin.domain.fit import Fit, FitLevel, Learner, Summary
from plugin.web.programme.labels import REFUSALS

FIT_LABELS = {
    FitLevel.STRONG: _l("Strong fit both ways"),
    FitLevel.GOOD: _l("Good fit"),
    FitLevel.FAIR: _l("Fair fit"),
    FitLevel.THIN: _l("One direction is thin"),
    FitLevel.NONE: _l("One of the two learns nothing"),
}
FIT_HINTS = {
    FitLevel.STRONG: _l("Each learns a lot from the other."),
    FitLevel.GOOD: _l("Both learn a good deal."),
    FitLevel.FAIR: _l("Both learn a little."),
    FitLevel.THIN: _l("One learns much more than the other."),
    FitLevel.NONE: _l("Learning would flow one way only."),
}
#: refusals of the review's own edits (the rules' refusals are in labels.REFUSALS)
EDIT_REFUSALS = {
    "gone": _l("This pair is not in the proposal any more; the page shows it as it is now."),
    "same_pair": _l("Choose two different pairs to swap."),
}


def _learns(name: str, partner: str, levels: int) -> str:
    return ngettext("%(name)s learns %(num)d level from %(partner)s", "%(name)s learns %(num)d levels from %(partner)s", levels, name=name, partner=partner)


def fit_reason(fit: Fit, digital: str, expert: str) -> str:
    """Why the pair has its fit, with the two names: what each learns from the other, in levels."""
    d = _learns(digital, expert, fit.digital_learns)
    e = _learns(expert, digital, fit.expert_learns)
    if fit.level is FitLevel.THIN or fit.level is FitLevel.NONE:
        first, second = (d, e) if fit.thin_side is Learner.DIGITAL else (e, d)
        return _("%(thin)s, but %(other)s.", thin=first, other=second)
    return _("%(first)s; %(second)s.", first=d, second=e)


def summary_line(summary: Summary) -> str:
    """``12 pairs, 9 strong fits, proven best overall``."""
    pairs = ngettext("%(num)d pair", "%(num)d pairs", summary.pairs)
    strong = ngettext("%(num)d strong fit", "%(num)d strong fits", summary.strong)
    if summary.pairs == 0:
        return _("No pairs yet")
    if summary.optimal:
        return _("%(pairs)s, %(strong)s, proven best overall", pairs=pairs, strong=strong)
    return _("%(pairs)s, %(strong)s, changed by you (every rule still holds)", pairs=pairs, strong=strong)


def refusal_text(reason: str, fallback: str) -> str:
    """The refusal of an edit in the page's language."""
    return str(EDIT_REFUSALS.get(reason) or REFUSALS.get(reason) or fallback)
