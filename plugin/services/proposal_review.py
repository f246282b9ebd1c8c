"""One page of a draft proposal's review: its pairs (paged, filtered by fit, by name or department, by
"changed by you"), the people without a partner (paged on their own), and the few people the trainer may
pair by hand (those with a place left, found by name or department).

The page reads a constant number of queries whatever the size of the programme: the draft's row, the
places people have left (two narrow queries), a search when asked, and the names of the people the page
shows, no others. A draft keeps its pairs as JSON in its row; each process parses a draft once per
content (keyed by a digest of the stored text, so an edit in any process is seen at once) and keeps the
few drafts it parsed last.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain.catalogue import Side
from plugin.domain.errors import NotFound
from plugin.domain.fit import Fit, FitLevel, Summary, fit_of_pair, summarise
from plugin.models import Programme, Proposal
from plugin.services.launches import Actor
from plugin.services.matching_pool import DRAFT, capacities, names, search
from plugin.services.programmes import require_trainer

PER_PAGE = 50
UNMATCHED_PER_PAGE = 50
#: people offered per side in the "pair two people yourself" form
CANDIDATES = 50
MAX_SEARCH = 100
#: drafts each process keeps parsed
PARSED_DRAFTS = 4

T = TypeVar("T")


@dataclass(frozen=True)
class ReviewQuery:
    """What the trainer asked to see (the web layer parses it from the address)."""

    page: int = 1
    fit: FitLevel | None = None
    search: str = ""
    changed: bool = False
    unmatched_page: int = 1
    find_digital: str = ""
    find_expert: str = ""

    @property
    def filtered(self) -> bool:
        return bool(self.fit or self.search or self.changed)


@dataclass(frozen=True)
class ReviewPair:
    digital: str
    expert: str
    explanation: dict[str, Any]
    edited: bool
    fit: Fit


@dataclass(frozen=True)
class Paged(Generic[T]):
    """``items`` of page ``page`` of ``pages``; ``total`` items matched in all."""

    items: list[T]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The position of the first item shown (1-based)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


@dataclass(frozen=True)
class Candidates:
    """People of one side with a place left: ``available`` in all, ``found`` of them matching the search,
    ``ids`` the first of those (people without any partner first)."""

    side: Side
    ids: list[str]
    found: int
    available: int


@dataclass(frozen=True)
class ReviewPage:
    proposal_id: int
    summary: Summary
    unmatched_count: int
    pairs: Paged[ReviewPair]
    unmatched: Paged[tuple[str, str]]
    digital: Candidates
    expert: Candidates
    names: dict[int, str | None] = field(default_factory=dict)

    @property
    def optimal(self) -> bool:
        return self.summary.optimal


def _page(items: list[T], page: int, per_page: int) -> Paged[T]:
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return Paged(items[(page - 1) * per_page : page * per_page], len(items), page, pages, per_page)


def _candidates(side: Side, left: list[tuple[int, str, int]], paired: dict[int, int], found: set[str] | None) -> Candidates:
    value = side.value
    available = [pid for pid, s, places in left if s == value and places > paired.get(pid, 0)]
    matching = available if found is None else [pid for pid in available if str(pid) in found]
    matching.sort(key=lambda pid: (pid in paired, pid))
    return Candidates(side, [str(pid) for pid in matching[:CANDIDATES]], len(matching), len(available))


def _text(value: str) -> str:
    return value.strip()[:MAX_SEARCH]


@dataclass(frozen=True)
class _Draft:
    """A draft's stored pairs and unmatched, parsed, with each pair's fit and everyone's number of pairs."""

    pairs: tuple[ReviewPair, ...]
    unmatched: tuple[tuple[str, str], ...]
    #: person id -> pairs they are in
    paired: dict[int, int]


_parsed: OrderedDict[tuple[int, bytes], _Draft] = OrderedDict()
_parsed_lock = threading.Lock()


def _draft(proposal_id: int, pairs_text: str | None, unmatched_text: str | None) -> _Draft:
    key = (proposal_id, hashlib.blake2b(f"{pairs_text}\x00{unmatched_text}".encode(), digest_size=16).digest())
    with _parsed_lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
            return found
    stored = json.loads(pairs_text) if pairs_text else []
    unmatched = json.loads(unmatched_text) if unmatched_text else {}
    paired: Counter[str] = Counter()
    for p in stored:
        paired[p["digital"]] += 1
        paired[p["expert"]] += 1
    draft = _Draft(
        tuple(ReviewPair(p["digital"], p["expert"], p.get("explanation") or {}, bool(p.get("edited")), fit_of_pair(p)) for p in stored),
        tuple(sorted(unmatched.items(), key=lambda item: int(item[0]))),
        {int(pid): n for pid, n in paired.items()},
    )
    with _parsed_lock:
        _parsed[key] = draft
        while len(_parsed) > PARSED_DRAFTS:
            _parsed.popitem(last=False)
    return draft


def _current(session: Session, programme: Programme) -> tuple[int, _Draft, bool] | None:
    """The current draft's id, parsed content and whether it is proven optimal (one query)."""
    row = session.execute(
        sa.select(Proposal.id, sa.cast(Proposal.pairs, sa.Text), sa.cast(Proposal.unmatched, sa.Text), Proposal.optimal)
        .where(Proposal.programme_id == programme.id, Proposal.status == DRAFT)
        .order_by(Proposal.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], _draft(row[0], row[1], row[2]), bool(row[3]))


def outline(session: Session, actor: Actor, programme: Programme, proposal_id: int) -> tuple[Summary, list[tuple[str, str]]]:
    """The summary of the current draft ``proposal_id`` and its pairs as (digital, expert) ids.

    :raise NotFound: it is not the current draft (published, replaced by a new run, or never existed).
    """
    require_trainer(actor)
    found = _current(session, programme)
    if found is None or found[0] != proposal_id:
        raise NotFound("no such draft proposal; run matching again")
    _id, draft, optimal = found
    return summarise((p.fit for p in draft.pairs), optimal), [(p.digital, p.expert) for p in draft.pairs]


def review(session: Session, actor: Actor, programme: Programme, query: ReviewQuery = ReviewQuery()) -> ReviewPage | None:
    """The page of the draft the trainer asked for, or None when there is no draft."""
    require_trainer(actor)
    found = _current(session, programme)
    if found is None:
        return None
    proposal_id, draft, optimal = found
    found = search(session, programme, _text(query.search)) if _text(query.search) else None
    shown = [
        p
        for p in draft.pairs
        if (query.fit is None or p.fit.level is query.fit) and (not query.changed or p.edited) and (found is None or p.digital in found or p.expert in found)
    ]
    waiting = list(draft.unmatched) if found is None else [item for item in draft.unmatched if item[0] in found]
    left = capacities(session, programme)
    find_d, find_e = _text(query.find_digital), _text(query.find_expert)
    digital = _candidates(Side.DIGITAL_MENTOR, left, draft.paired, search(session, programme, find_d) if find_d else None)
    expert = _candidates(Side.SENIOR_EXPERT, left, draft.paired, search(session, programme, find_e) if find_e else None)
    page = _page(shown, query.page, PER_PAGE)
    unmatched_page = _page(waiting, query.unmatched_page, UNMATCHED_PER_PAGE)
    ids = {int(pid) for p in page.items for pid in (p.digital, p.expert)} | {int(pid) for pid, _ in unmatched_page.items}
    ids |= {int(pid) for pid in digital.ids + expert.ids}
    return ReviewPage(
        proposal_id=proposal_id,
        summary=summarise((p.fit for p in draft.pairs), bool(optimal)),
        unmatched_count=len(draft.unmatched),
        pairs=page,
        unmatched=unmatched_page,
        digital=digital,
        expert=expert,
        names=names(session, actor, ids),
    )
