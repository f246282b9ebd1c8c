"""What the network pages show: a participant's network (their tandem partners and what each helps with,
their focused mentors per need, suggestions for the needs nobody covers yet, the requests they answer as a
mentor and the people they mentor), a trainer's read-only view of the programme's network, one focused
mentoring, and the same as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from plugin.domain import matching as m
from plugin.domain import network_requests as rules
from plugin.domain.catalogue import Catalogue, Side
from plugin.domain.roles import Role
from plugin.models import Participant, Person
from plugin.services.launches import Actor
from plugin.services.network.access import TRAINER, access, is_reader
from plugin.services.network.pool import Focused, describe, focused_rows, offered_modules, partner_ids, pool, programme_of, published_network, tandems_of

#: candidates shown per open need
CANDIDATES = 3


@dataclass(frozen=True)
class Helper:
    """A tandem partner, or one of the programme's pairs: who, and the competences each takes the other further in."""

    tandem_id: int
    person_id: int
    name: str | None
    status: str
    #: competence key -> the level the partner takes me to
    helps_me: dict[str, int]
    #: competence key -> the level I take the partner to
    i_help: dict[str, int]
    other_id: int | None = None
    other_name: str | None = None


@dataclass(frozen=True)
class Candidate:
    person_id: int
    name: str | None
    offered: int
    suggested: bool


@dataclass(frozen=True)
class NeedOptions:
    """A need nobody covers yet, the people who may be asked for it (none when nobody free offers it, or no
    module of the programme works on it), and the modules that work on it."""

    need: rules.Need
    candidates: tuple[Candidate, ...]
    modules: tuple[str, ...]


@dataclass(frozen=True)
class NetworkPage:
    #: participant, trainer, or none (the course has no programme)
    kind: str
    has_profile: bool = False
    partners: list[Helper] = field(default_factory=list)
    mine: list[Focused] = field(default_factory=list)
    suggestions: list[NeedOptions] = field(default_factory=list)
    requests: list[Focused] = field(default_factory=list)
    mentoring: list[Focused] = field(default_factory=list)
    #: trainers: every focused mentoring and every pair of the programme
    network: list[Focused] = field(default_factory=list)
    pairs: list[Helper] = field(default_factory=list)


def _names(session: Session, organisation_id: int, ids: set[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    return dict(session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(ids), Person.organisation_id == organisation_id)).all())


def network_page(session: Session, actor: Actor, catalogue: Catalogue) -> NetworkPage:
    """The actor's network page (participants), or the programme's network (trainers, organisation administrators).

    Raises:
        NotAllowed: any other role.
    """
    from plugin.domain.errors import NotAllowed

    programme = programme_of(session, actor)
    if actor.role not in (Role.PARTICIPANT, Role.TRAINER, Role.ORG_ADMIN):
        raise NotAllowed("the network is for participants and trainers")
    if programme is None:
        return NetworkPage("none")
    people, hard, lines = pool(session, programme)
    everything = describe(session, catalogue, programme, focused_rows(session, programme), {})
    if actor.role is not Role.PARTICIPANT:
        if not is_reader(actor, programme):
            raise NotAllowed("trainers of this course only")
        tandems = tandems_of(session, programme, statuses=("proposed", "requested", "active", "ended"))
        names = _names(session, programme.organisation_id, {f.mentee_id for f in everything} | {f.mentor_id for f in everything} | {p for t in tandems for p in (t.digital_person_id, t.expert_person_id)})
        pairs = [_helper(people, t, t.digital_person_id, names) for t in tandems]
        return NetworkPage("trainer", network=[_named(f, names) for f in everything], pairs=pairs)
    me = people.get(str(actor.person_id))
    tandems = tandems_of(session, programme, actor.person_id)
    partners = partner_ids(tandems, actor.person_id)
    mine = [f for f in everything if f.mentee_id == actor.person_id]
    as_mentor = [f for f in everything if f.mentor_id == actor.person_id]
    suggestions: list[NeedOptions] = []
    if me is not None:
        held = {f.competence for f in mine if f.status in (rules.ASKED, rules.ACTIVE, rules.COMPLETED)}
        needs = rules.open_needs(me, [people[str(p)] for p in partners if str(p) in people])
        suggestions = _suggestions(session, actor, catalogue, programme, people, hard, lines, me, partners, needs, held, everything)
    ids = {actor.person_id, *partners} | {f.mentor_id for f in mine} | {f.mentee_id for f in as_mentor} | {c.person_id for s in suggestions for c in s.candidates}
    names = _names(session, programme.organisation_id, ids)
    return NetworkPage(
        "participant", has_profile=me is not None, partners=[_helper(people, t, actor.person_id, names) for t in tandems],
        mine=[_named(f, names) for f in mine], suggestions=[_named_options(s, names) for s in suggestions],
        requests=[_named(f, names) for f in as_mentor if f.status == rules.ASKED],
        mentoring=[_named(f, names) for f in as_mentor if f.status in (rules.ACTIVE, rules.COMPLETED)],
    )  # fmt: skip


def _named(f: Focused, names: dict[int, str | None]) -> Focused:
    from dataclasses import replace

    return replace(f, mentee_name=names.get(f.mentee_id), mentor_name=names.get(f.mentor_id))


def _named_options(s: NeedOptions, names: dict[int, str | None]) -> NeedOptions:
    return NeedOptions(s.need, tuple(Candidate(c.person_id, names.get(c.person_id), c.offered, c.suggested) for c in s.candidates), s.modules)


def _helper(people: dict[str, m.Person], tandem: Any, me_id: int, names: dict[int, str | None]) -> Helper:
    partner = tandem.expert_person_id if tandem.digital_person_id == me_id else tandem.digital_person_id
    mine, theirs = people.get(str(me_id)), people.get(str(partner))
    helps_me = rules.helps_with(mine, theirs) if mine and theirs else {}
    i_help = rules.helps_with(theirs, mine) if mine and theirs else {}
    return Helper(tandem.id, partner, names.get(partner), tandem.status, helps_me, i_help, me_id, names.get(me_id))


def _suggestions(session, actor, catalogue, programme, people, hard, lines, me, partners, needs, held, everything) -> list[NeedOptions]:  # noqa: ANN001, PLR0913
    caps = dict(session.execute(sa.select(Participant.person_id, Participant.capacity).where(Participant.programme_id == programme.id)).all())
    loads: dict[int, int] = {}
    for f in everything:
        if f.status in (rules.ASKED, rules.ACTIVE):
            loads[f.mentor_id] = loads.get(f.mentor_id, 0) + 1
    declined = {(f.competence, f.mentor_id) for f in everything if f.mentee_id == actor.person_id and f.status == rules.DECLINED}
    suggested = {(s.get("competence"), str(s.get("mentor"))) for s in published_network(session, programme, actor.person_id)}
    offered = offered_modules(session, actor, catalogue, programme)
    teacher = Side.SENIOR_EXPERT if me.side is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR
    out = []
    for need in needs:
        if need.competence in held:
            continue
        found = []
        for other in people.values():
            if other.side is me.side or other.teaches.get(need.competence, 0) <= need.reached:
                continue
            try:
                rules.check_ask(
                    me, other, need.competence, partners={str(p) for p in partners}, needs=needs, rules=hard, lines=lines, open_for_need=False,
                    declined_by_mentor=(need.competence, int(other.id)) in declined, mentor_load=loads.get(int(other.id), 0), mentor_cap=caps.get(int(other.id), 0),
                )  # fmt: skip
            except rules.AskRefused:
                continue
            found.append(Candidate(int(other.id), None, other.teaches[need.competence], (need.competence, other.id) in suggested))
        found.sort(key=lambda c: (not c.suggested, -c.offered, c.person_id))
        aligned = tuple(mod.slug for mod in rules.aligned_modules(need.competence, teacher, offered))
        out.append(NeedOptions(need, tuple(found[:CANDIDATES]) if aligned else (), aligned))
    return out


def focused_detail(session: Session, actor: Actor, catalogue: Catalogue, group_id: int) -> tuple[Focused, str, str]:
    """One focused mentoring, the actor's capacity in it (mentee, mentor or trainer) and the actor's time zone
    (their profile's, else UTC) to show its dates in.

    Raises:
        NotFound: not visible to the actor.
    """
    view = access(session, actor, group_id)
    rows = focused_rows(session, view.programme, group_id=group_id)
    names = _names(session, view.programme.organisation_id, {view.member.person_id, view.group.mentor_person_id})
    zone = session.scalar(sa.select(Participant.timezone).where(Participant.programme_id == view.programme.id, Participant.person_id == actor.person_id))
    return describe(session, catalogue, view.programme, rows, names)[0], view.capacity, zone or "UTC"


def _focused_json(f: Focused) -> dict[str, Any]:
    out = asdict(f)
    out["asked_at"] = f.asked_at.isoformat() if f.asked_at else None
    out["answered_at"] = f.answered_at.isoformat() if f.answered_at else None
    return out


def as_json(page: NetworkPage) -> dict[str, Any]:
    """The page's content as JSON (people by id and name, competences by key)."""
    helper = lambda h: {"tandem_id": h.tandem_id, "person_id": h.person_id, "name": h.name, "status": h.status, "helps_me": h.helps_me, "i_help": h.i_help}  # noqa: E731
    if page.kind == TRAINER:
        return {
            "kind": page.kind, "focused": [_focused_json(f) for f in page.network],
            "pairs": [{"tandem_id": h.tandem_id, "digital": h.other_id, "expert": h.person_id, "status": h.status} for h in page.pairs],
        }  # fmt: skip
    return {
        "kind": page.kind, "partners": [helper(h) for h in page.partners], "focused": [_focused_json(f) for f in page.mine],
        "suggestions": [{"competence": s.need.competence, "wanted": s.need.wanted, "reached": s.need.reached, "modules": list(s.modules),
                         "candidates": [asdict(c) for c in s.candidates]} for s in page.suggestions],
        "requests": [_focused_json(f) for f in page.requests], "mentoring": [_focused_json(f) for f in page.mentoring],
    }  # fmt: skip
