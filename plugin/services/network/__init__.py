"""The mentor network made actionable: a participant asks a mentor of the other side for a *focused*
mentoring on one need their partner cannot cover (a group of kind ``focused``: one mentor, one mentee, the
mentor's track of one module, with its own sign-offs through the group chain), the mentor accepts or
declines, and the network page shows who helps with what.

Rules (:mod:`plugin.domain.network_requests`): only a participant with a profile asks; anyone of the other
side who offers the need beyond what the mentee reaches with their partner may be asked (the engine's
network suggestions come first on the page); not oneself, not a tandem partner, no veto, not in one
reporting line (when the programme forbids it), a shared language (when required); one open or running
focused mentoring per need; not again to someone who declined that need; a mentor takes at most their
profile's capacity of focused mentorings (asked or running; completed ones free their place). Only the
asked mentor answers; only the mentee takes a request back. A focused mentoring is seen by its two people
and the course's trainers and organisation administrators; anyone else gets a 404.
"""

from plugin.domain.network_requests import ACTIVE, ASKED, COMPLETED, DECLINED, WITHDRAWN, AskRefused, Need
from plugin.services.network.access import MENTEE, MENTOR, TRAINER, FocusedAccess, access
from plugin.services.network.pages import Candidate, Helper, NeedOptions, NetworkPage, as_json, focused_detail, network_page
from plugin.services.network.pool import Focused
from plugin.services.network.requests import ACCEPT, DECLINE, answer, ask, needs_of, seed_example, withdraw

__all__ = [
    "ACCEPT", "ACTIVE", "ASKED", "COMPLETED", "DECLINE", "DECLINED", "MENTEE", "MENTOR", "TRAINER", "WITHDRAWN", "AskRefused", "Candidate",
    "Focused", "FocusedAccess", "Helper", "Need", "NeedOptions", "NetworkPage", "access", "answer", "as_json", "ask", "focused_detail",
    "needs_of", "network_page", "seed_example", "withdraw",
]  # fmt: skip
