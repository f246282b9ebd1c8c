"""Tandem's matching: pair digital mentors with senior experts so that *each* learns from the other.

Pure core (no Flask, no database). ``docs/matching.md`` documents all of it, with the JSON. Import from
here (``from plugin.domain.matching import match``); the modules, each depending only on the ones above it:

    model      the competences, :class:`Person`, :class:`Rules`, :class:`Exclusion` (values)
    outcome    :class:`Result`, :class:`Pair`, :class:`Explanation`, :class:`Certificate`, :class:`Unmatched`,
               :class:`Suggestion` (values)
    rules      the hard rules pair by pair (reporting lines, earlier pairs, vetoes, language)
    scores     the score pair by pair (reference code), :func:`greedy_total`
    explain    why a pair was proposed, why someone is unmatched; :func:`pair_for`
    network    :func:`suggest_network`: further mentors for needs one partner cannot cover
    pool       :func:`match` (the whole pool at once) and :func:`greedy_baseline`, through the engine
    engine     the vectorised solver (numpy, OR-Tools), loaded on first use: ``tuning``, ``problem``,
               ``encode``, ``scan``, ``solver``, ``greedy``

Public API
    :class:`Person`, :class:`Rules`                 the input
    :func:`match`                                   the whole pool at once -> :class:`Result`
    :func:`suggest_network`                         further mentors for needs one partner cannot cover
    :func:`score_pair`, :func:`exclusion`, :func:`score_matrix`, :func:`greedy_total`
                                                    the score and the rules, pair by pair (reference code)
"""

from __future__ import annotations

from plugin.domain.matching.explain import pair_for
from plugin.domain.matching.model import (
    DIGITAL_COMPETENCES,
    DIRECTION_CAP,
    EXPERTISE_COMPETENCES,
    FRAMEWORKS,
    MAX_CAPACITY,
    MAX_LANGUAGES,
    MAX_LEVEL,
    MAX_WISHES,
    SCALE,
    WISH_BONUS,
    Exclusion,
    Person,
    Rules,
    Side,
)
from plugin.domain.matching.network import suggest_network
from plugin.domain.matching.outcome import Certificate, Contribution, Explanation, Pair, Result, Suggestion, Unmatched
from plugin.domain.matching.pool import STAGES, greedy_baseline, match
from plugin.domain.matching.rules import exclusion, reporting_lines, same_reporting_line
from plugin.domain.matching.scores import combine, contributions, greedy_total, score_matrix, score_pair

__all__ = [
    "DIGITAL_COMPETENCES",
    "DIRECTION_CAP",
    "EXPERTISE_COMPETENCES",
    "FRAMEWORKS",
    "MAX_CAPACITY",
    "MAX_LANGUAGES",
    "MAX_LEVEL",
    "MAX_WISHES",
    "SCALE",
    "STAGES",
    "WISH_BONUS",
    "Certificate",
    "Contribution",
    "Exclusion",
    "Explanation",
    "Pair",
    "Person",
    "Result",
    "Rules",
    "Side",
    "Suggestion",
    "Unmatched",
    "combine",
    "contributions",
    "exclusion",
    "greedy_baseline",
    "greedy_total",
    "match",
    "pair_for",
    "reporting_lines",
    "same_reporting_line",
    "score_matrix",
    "score_pair",
    "suggest_network",
]
