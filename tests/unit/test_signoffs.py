"""Reciprocal sign-offs: a module completes only when both tracks are signed by the right people, nobody signs
their own learning, a withdrawal reopens a track, and the hash chain gives away any tampering."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.domain.catalogue import CompetenceRef, Localized, MentorFunction, Module, Objective, Side, Track
from plugin.domain.errors import NotAllowed, NotFound, RuleViolation
from plugin.domain.signoffs import (
    GENESIS,
    Kind,
    SignOff,
    Tandem,
    countersign,
    export_chain,
    hash_of,
    new_signoff,
    records_from_export,
    state,
    verify_chain,
    verify_export,
    withdraw,
)

DM, SE, TRAINER, STRANGER = 1, 2, 90, 77
TANDEM = Tandem(10, digital_mentor_id=DM, senior_expert_id=SE)
T0 = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
DIGITAL, EXPERTISE = Side.DIGITAL_MENTOR, Side.SENIOR_EXPERT


def _text(value: str) -> Localized:
    return Localized(en=value, nl=f"{value} (nl)")


def make_module(slug: str = "e-reputation", version: int = 1, objectives: int = 3, criteria: int = 2) -> Module:
    """A small two-way module: objectives d1.. in the digital track, e1.. in the expertise track."""

    def track(key: str, side: Side, prefix: str, framework: str) -> Track:
        objs = tuple(
            Objective(
                f"{prefix}{n}",
                _text(f"Objective {prefix}{n}"),
                tuple(_text(f"Criterion {c}") for c in range(criteria)),
                ("note",),
                (CompetenceRef(framework, "1.1", 3),),
            )
            for n in range(1, objectives + 1)
        )
        return Track(key, side, _text(key), _text(key), objs, (_text("activity"),))

    tracks = (track("digital", DIGITAL, "d", "digcomp"), track("expertise", EXPERTISE, "e", "entrecomp"))
    return Module(slug, version, MentorFunction.SKILLS, 8, 4, _text(slug), _text(slug), tracks, digest="x")


MODULE = make_module()


def ticks(module: Module = MODULE) -> list[int]:
    return list(range(len(module.tracks[0].objectives[0].criteria)))


def sign(
    chain: list[SignOff], objective_id: str, actor: int, at: datetime = T0, module: Module = MODULE, comment: str = ""
) -> list[SignOff]:
    return [*chain, new_signoff(chain, TANDEM, module, objective_id, actor, ticks(module), at, comment)]


def sign_track(chain: list[SignOff], side: Side, module: Module = MODULE) -> list[SignOff]:
    track = next(t for t in module.tracks if t.taught_by is side)
    for n, objective in enumerate(track.objectives):
        chain = sign(chain, objective.id, TANDEM.teacher(side), T0 + timedelta(minutes=len(chain) + n), module)
    return chain


# ---------------------------------------------------------------- who signs what


def test_module_completes_only_when_both_tracks_are_signed():
    chain = sign_track([], DIGITAL)
    after_one = state(chain, MODULE)
    assert after_one.track(DIGITAL).complete and not after_one.track(EXPERTISE).complete
    assert not after_one.complete
    chain = sign(chain, "e1", SE)
    chain = sign(chain, "e2", SE)
    assert not state(chain, MODULE).complete
    chain = sign(chain, "e3", SE)
    done = state(chain, MODULE)
    assert done.complete
    assert [(t.key, t.score, t.signed) for t in done.tracks] == [
        ("digital", 100, ("d1", "d2", "d3")),
        ("expertise", 100, ("e1", "e2", "e3")),
    ]


def test_the_teacher_of_each_track_signs_it():
    chain = sign([], "d1", DM)
    chain = sign(chain, "e1", SE)
    assert [(r.side, r.objective_id, r.actor_id, r.kind) for r in chain] == [
        (DIGITAL, "d1", DM, Kind.SIGNED),
        (EXPERTISE, "e1", SE, Kind.SIGNED),
    ]


@pytest.mark.parametrize(("objective", "learner"), [("d1", SE), ("e2", DM)])
def test_nobody_signs_their_own_learning(objective, learner):
    with pytest.raises(NotAllowed, match="cannot sign off your own learning"):
        new_signoff([], TANDEM, MODULE, objective, learner, ticks(), T0)


@pytest.mark.parametrize("actor", [STRANGER, TRAINER])
def test_only_the_teacher_of_the_track_signs(actor):
    with pytest.raises(NotAllowed, match="Only the digital mentor of this tandem"):
        new_signoff([], TANDEM, MODULE, "d1", actor, ticks(), T0)


def test_a_tandem_is_two_different_people():
    with pytest.raises(RuleViolation, match="two different people"):
        Tandem(1, 5, 5)


def test_an_unknown_objective_is_not_found():
    with pytest.raises(NotFound, match="no objective x9"):
        new_signoff([], TANDEM, MODULE, "x9", DM, ticks(), T0)


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "0 of 2 ticked"),
        ([1], "1 of 2 ticked"),
        ([0, 0], "1 of 2 ticked"),
        ([0, 1, 2], "no criterion 2"),
        ([0, -1], "no criterion -1"),
        ([True, 1], "no criterion True"),
    ],
)
def test_every_criterion_must_be_ticked(criteria, message):
    with pytest.raises(RuleViolation, match=message) as exc:
        new_signoff([], TANDEM, MODULE, "d1", DM, criteria, T0)
    assert exc.value.field == "criteria"


def test_ticks_in_any_order_and_a_comment_are_recorded():
    record = new_signoff([], TANDEM, MODULE, "d1", DM, [1, 0, 1], T0, comment="  Well done  ")
    assert dict(record.payload) == {"criteria": (0, 1), "comment": "Well done"}


def test_a_comment_has_a_limit():
    with pytest.raises(RuleViolation, match="too long") as exc:
        new_signoff([], TANDEM, MODULE, "d1", DM, ticks(), T0, comment="x" * 2001)
    assert exc.value.field == "comment"


def test_an_objective_signed_and_not_withdrawn_cannot_be_signed_again():
    chain = sign([], "d1", DM)
    with pytest.raises(RuleViolation, match="already signed off") as exc:
        new_signoff(chain, TANDEM, MODULE, "d1", DM, ticks(), T0)
    assert exc.value.field == "objective_id"


# ---------------------------------------------------------------- withdrawal


def test_a_withdrawn_signoff_reopens_the_track_and_lowers_the_score():
    chain = sign_track(sign_track([], DIGITAL), EXPERTISE)
    assert state(chain, MODULE).complete
    target = next(r for r in chain if r.objective_id == "e2")
    chain = [*chain, withdraw(chain, TANDEM, target.seq, SE, "Evidence was from someone else", T0 + timedelta(days=1))]
    now = state(chain, MODULE)
    expertise = now.track(EXPERTISE)
    assert not now.complete and not expertise.complete
    assert expertise.signed == ("e1", "e3") and expertise.score == 66 and expertise.withdrawals == 1
    assert now.track(DIGITAL).complete
    assert chain[-1].kind is Kind.WITHDRAWN and dict(chain[-1].payload) == {
        "withdraws": target.seq,
        "reason": "Evidence was from someone else",
    }
    # signing again completes it again
    chain = sign(chain, "e2", SE, T0 + timedelta(days=2))
    assert state(chain, MODULE).complete


def test_withdrawing_needs_a_reason():
    chain = sign([], "d1", DM)
    for reason in ("", "   ", None):
        with pytest.raises(RuleViolation, match="Give a reason") as exc:
            withdraw(chain, TANDEM, 1, DM, reason, T0)  # type: ignore[arg-type]
        assert exc.value.field == "reason"


def test_only_an_active_signoff_can_be_withdrawn():
    chain = sign([], "d1", DM)
    chain = [*chain, withdraw(chain, TANDEM, 1, DM, "mistake", T0)]
    with pytest.raises(RuleViolation, match="already withdrawn"):
        withdraw(chain, TANDEM, 1, DM, "again", T0)
    with pytest.raises(RuleViolation, match="Only a sign-off"):
        withdraw(chain, TANDEM, 2, DM, "a withdrawal", T0)
    with pytest.raises(NotFound, match="no sign-off number 9"):
        withdraw(chain, TANDEM, 9, DM, "nothing", T0)
    # the new sign-off of the same objective is the active one; the old one stays withdrawn
    chain = sign(chain, "d1", DM)
    with pytest.raises(RuleViolation, match="already withdrawn"):
        withdraw(chain, TANDEM, 1, DM, "old one", T0)
    assert withdraw(chain, TANDEM, 3, DM, "new one", T0).payload["withdraws"] == 3


def test_the_learner_cannot_withdraw_but_a_trainer_can():
    chain = sign([], "d1", DM)
    with pytest.raises(NotAllowed, match="or a trainer"):
        withdraw(chain, TANDEM, 1, SE, "I changed my mind", T0)
    with pytest.raises(NotAllowed):
        withdraw(chain, TANDEM, 1, STRANGER, "?", T0, trainer_ids={TRAINER})
    assert withdraw(chain, TANDEM, 1, TRAINER, "Not observed", T0, trainer_ids={TRAINER}).actor_id == TRAINER


# ---------------------------------------------------------------- countersignature


def test_a_required_countersignature_completes_the_track():
    chain = sign_track(sign_track([], DIGITAL), EXPERTISE)
    waiting = state(chain, MODULE, require_countersign=True)
    assert not waiting.complete and all(t.all_signed and not t.complete for t in waiting.tracks)
    chain = [*chain, countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0)]
    half = state(chain, MODULE, require_countersign=True)
    assert half.track(DIGITAL).complete and not half.complete
    chain = [*chain, countersign(chain, TANDEM, MODULE, EXPERTISE, TRAINER, {TRAINER}, T0, comment="Observed at the meeting")]
    assert state(chain, MODULE, require_countersign=True).complete
    assert chain[-1].objective_id is None and chain[-1].kind is Kind.COUNTERSIGNED


def test_countersigning_rules():
    chain = sign_track([], DIGITAL)[:-1]
    with pytest.raises(RuleViolation, match=r"2 of 3 so far"):
        countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0)
    chain = sign(chain, "d3", DM)
    with pytest.raises(NotAllowed, match="Only a trainer"):
        countersign(chain, TANDEM, MODULE, DIGITAL, STRANGER, {TRAINER}, T0)
    with pytest.raises(NotAllowed, match="member of the tandem"):
        countersign(chain, TANDEM, MODULE, DIGITAL, DM, {DM, TRAINER}, T0)
    chain = [*chain, countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0)]
    with pytest.raises(RuleViolation, match="already countersigned"):
        countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0)


def test_a_withdrawal_voids_the_countersignature():
    chain = sign_track([], DIGITAL)
    chain = [*chain, countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0)]
    chain = [*chain, withdraw(chain, TANDEM, 2, DM, "redo", T0)]
    chain = sign(chain, "d2", DM)
    track = state(chain, MODULE, require_countersign=True).track(DIGITAL)
    assert track.all_signed and not track.countersigned and not track.complete
    assert countersign(chain, TANDEM, MODULE, DIGITAL, TRAINER, {TRAINER}, T0).kind is Kind.COUNTERSIGNED


# ---------------------------------------------------------------- state


def test_state_reads_only_its_module_and_version():
    other_version, other_module = make_module(version=2), make_module(slug="mobile-first")
    chain = sign_track([], DIGITAL, other_version)
    chain = sign_track(chain, DIGITAL, other_module)
    chain = sign(chain, "d1", DM)
    assert state(chain, MODULE).track(DIGITAL).signed == ("d1",)
    assert state(chain, other_version).track(DIGITAL).complete
    # the same objective can be signed in another version
    assert new_signoff(chain, TANDEM, other_module, "e1", SE, ticks(), T0).module_slug == "mobile-first"


def test_state_of_an_untouched_module():
    fresh = state([], MODULE)
    assert [(t.score, t.started, t.complete, t.last_signed_at) for t in fresh.tracks] == [(0, False, False, None)] * 2


def test_last_signed_at_follows_the_latest_signoff_of_each_track():
    chain = sign([], "d1", DM, T0)
    chain = sign(chain, "e1", SE, T0 + timedelta(days=3))
    chain = sign(chain, "d2", DM, T0 + timedelta(days=5))
    now = state(chain, MODULE)
    assert now.track(DIGITAL).last_signed_at == T0 + timedelta(days=5)
    assert now.track(EXPERTISE).last_signed_at == T0 + timedelta(days=3)


def test_the_shipped_catalogue_completes_both_ways():
    from plugin.services.curricula import load_catalogue

    module = load_catalogue().get("e-reputation")
    assert module is not None
    chain: list[SignOff] = []
    for track in module.tracks:
        for objective in track.objectives:
            chain.append(
                new_signoff(
                    chain, TANDEM, module, objective.id, TANDEM.teacher(track.taught_by), range(len(objective.criteria)), T0
                )
            )
    assert state(chain, module).complete and verify_chain(chain).ok


# ---------------------------------------------------------------- records and the chain


def test_records_are_new_values_and_never_change():
    chain = sign([], "d1", DM)
    before = list(chain)
    record = new_signoff(chain, TANDEM, MODULE, "d2", DM, ticks(), T0)
    assert chain == before and record.seq == 2
    with pytest.raises(TypeError):
        record.payload["comment"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        record.kind = Kind.WITHDRAWN  # type: ignore[misc]


def test_records_link_by_hash():
    chain = sign(sign(sign([], "d1", DM), "e1", SE), "d2", DM)
    assert [r.seq for r in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS
    assert [r.prev_hash for r in chain[1:]] == [r.hash for r in chain[:-1]]
    entry = chain[1].to_dict()
    del entry["hash"]
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert chain[1].hash == hashlib.sha256(canonical).hexdigest() == hash_of(chain[1].to_dict())


def test_timestamps_are_utc_iso_with_microseconds():
    amsterdam = timezone(timedelta(hours=1))
    record = new_signoff([], TANDEM, MODULE, "d1", DM, ticks(), datetime(2027, 1, 4, 10, 30, 0, 5, tzinfo=amsterdam))
    assert record.timestamp == "2027-01-04T09:30:00.000005+00:00"
    assert record.at == datetime(2027, 1, 4, 9, 30, 0, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        new_signoff([], TANDEM, MODULE, "d1", DM, ticks(), datetime(2027, 1, 4, 10, 30))


def test_a_chain_belongs_to_one_tandem():
    chain = sign([], "d1", DM)
    with pytest.raises(ValueError, match="belongs to tandem 10"):
        new_signoff(chain, Tandem(11, DM, SE), MODULE, "d2", DM, ticks(), T0)


def full_chain() -> list[SignOff]:
    chain = sign_track(sign_track([], DIGITAL), EXPERTISE)
    chain = [*chain, withdraw(chain, TANDEM, 4, SE, "unclear", T0)]
    return sign(chain, "e1", SE, comment="Ünïcödé ✓")


def test_an_intact_chain_verifies():
    chain = full_chain()
    assert verify_chain(chain) == verify_chain(chain, chain[-1].hash)
    report = verify_chain(chain, chain[-1].hash)
    assert (report.ok, report.first_bad_seq, report.reason) == (True, None, "8 records, chain intact.")
    assert verify_chain([]).ok and verify_chain([], GENESIS).ok


def test_export_round_trips_through_json():
    chain = full_chain()
    exported = json.loads(json.dumps(export_chain(chain)))
    assert records_from_export(exported) == chain
    assert [SignOff.from_dict(entry) for entry in exported] == chain
    assert verify_export(exported, chain[-1].hash).ok


def _tampered(chain: list[SignOff], index: int, **changes) -> list[SignOff]:
    entries = export_chain(chain)
    entries[index].update(changes)
    return records_from_export(entries)


def test_an_edited_record_is_found():
    chain = full_chain()
    edited = _tampered(chain, 2, actor_id=SE)
    assert verify_chain(edited) == verify_chain(edited, chain[-1].hash)
    report = verify_chain(edited)
    assert (report.ok, report.first_bad_seq) == (False, 3) and "changed after it was written" in report.reason


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link():
    entries = export_chain(full_chain())
    entries[2]["payload"]["comment"] = "forged"
    entries[2]["hash"] = hash_of(entries[2])
    report = verify_export(entries)
    assert (report.ok, report.first_bad_seq) == (False, 4) and "does not follow record 3" in report.reason


def test_removed_inserted_and_reordered_records_are_found():
    chain = full_chain()
    assert verify_chain(chain[1:]).first_bad_seq == 1
    assert verify_chain(chain[:3] + chain[4:]).first_bad_seq == 4
    assert verify_chain([*chain[:2], chain[3], chain[2], *chain[4:]]).first_bad_seq == 3
    assert verify_chain([*chain[:5], chain[1], *chain[5:]]).first_bad_seq == 6


def test_a_removed_last_record_or_a_rewritten_chain_needs_the_head():
    chain = full_chain()
    assert verify_chain(chain[:-1]).ok
    report = verify_chain(chain[:-1], chain[-1].hash)
    assert (report.ok, report.first_bad_seq) == (False, 7) and "does not end where it should" in report.reason
    assert not verify_chain([], chain[-1].hash).ok
    # a chain rebuilt from scratch with one sign-off left out is internally consistent, but not the same chain
    rebuilt: list[SignOff] = []
    for record in chain[1:5]:
        rebuilt = sign(rebuilt, record.objective_id or "", record.actor_id)
    assert verify_chain(rebuilt).ok and not verify_chain(rebuilt, chain[-1].hash).ok


def test_a_record_from_another_tandem_is_found():
    chain = full_chain()
    stranger = Tandem(11, DM, SE)
    entries = export_chain(chain)
    entries[3]["tandem_id"] = stranger.id
    entries[3]["hash"] = hash_of(entries[3])
    report = verify_export(entries)
    assert (report.ok, report.first_bad_seq) == (False, 4) and "another tandem" in report.reason


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.pop("hash"), "has no hash"),
        (lambda e: e.update(colour="red"), "unknown field colour"),
        (lambda e: e.update(seq="3"), "seq of the wrong type"),
        (lambda e: e.update(actor_id=True), "actor_id of the wrong type"),
        (lambda e: e.update(kind="deleted"), "unknown kind 'deleted'"),
        (lambda e: e.update(side="trainer"), "unknown side 'trainer'"),
        (lambda e: e.update(timestamp="yesterday"), "not ISO 8601"),
    ],
)
def test_a_malformed_export_is_refused_with_its_entry(change, message):
    entries = export_chain(full_chain())
    change(entries[4])
    with pytest.raises(RuleViolation, match=message) as exc:
        records_from_export(entries)
    assert exc.value.field and exc.value.field.startswith("entries[4]")
    report = verify_export(entries)
    assert (report.ok, report.first_bad_seq) == (False, 5) and message in report.reason
    assert verify_export(["not an object"]).first_bad_seq == 1  # type: ignore[list-item]


# ---------------------------------------------------------------- any tampering, at random


@st.composite
def chains(draw) -> list[SignOff]:
    """A valid chain from a random run of sign-offs and withdrawals over two modules."""
    modules = [MODULE, make_module("mobile-first")]
    chain: list[SignOff] = []
    at = T0
    for _ in range(draw(st.integers(1, 14))):
        module = draw(st.sampled_from(modules))
        now = state(chain, module)
        active = [
            r
            for r in chain
            if r.kind is Kind.SIGNED and r.module_slug == module.slug and r.objective_id in now.track(r.side).signed
        ]
        active = [r for r in active if not any(w.kind is Kind.WITHDRAWN and w.payload["withdraws"] == r.seq for w in chain)]
        open_ = [(t.taught_by, o.id) for t in module.tracks for o in t.objectives if o.id not in now.track(t.taught_by).signed]
        at += timedelta(microseconds=draw(st.integers(0, 10**9)))
        if active and (not open_ or draw(st.booleans())):
            target = draw(st.sampled_from(active))
            chain.append(
                withdraw(
                    chain,
                    TANDEM,
                    target.seq,
                    TANDEM.teacher(target.side),
                    draw(st.text(min_size=1, max_size=8).filter(str.strip)),
                    at,
                )
            )
        elif open_:
            side, objective = draw(st.sampled_from(open_))
            chain.append(
                new_signoff(chain, TANDEM, module, objective, TANDEM.teacher(side), ticks(), at, draw(st.text(max_size=8)))
            )
    return chain


def _edit(draw, entry: dict) -> None:
    """Change one field of an export entry to another value of the same type."""
    name = draw(st.sampled_from(sorted(entry)))
    value = entry[name]
    if name in ("seq", "tandem_id", "module_version", "actor_id"):
        entry[name] = value + draw(st.integers(-3, 3).filter(bool))
    elif name == "side":
        entry[name] = (EXPERTISE if value == DIGITAL.value else DIGITAL).value
    elif name == "kind":
        entry[name] = draw(st.sampled_from([k.value for k in Kind if k.value != value]))
    elif name == "payload":
        entry[name] = {**value, draw(st.sampled_from(["comment", "reason", "extra"])): draw(st.text(min_size=1, max_size=3))}
        if entry[name] == value:
            entry[name]["extra"] = "x"
    elif name == "timestamp":
        moved = datetime.fromisoformat(value) + timedelta(microseconds=draw(st.integers(-(10**6), 10**6).filter(bool)))
        entry[name] = moved.isoformat(timespec="microseconds")
    elif name in ("prev_hash", "hash"):
        i = draw(st.integers(0, len(value) - 1))
        entry[name] = value[:i] + ("0" if value[i] != "0" else "1") + value[i + 1 :]
    elif name == "objective_id":
        entry[name] = "d1" if value is None else None if draw(st.booleans()) else value + "x"
    else:
        entry[name] = value + draw(st.text(min_size=1, max_size=3))


@settings(max_examples=300, deadline=None)
@given(chains(), st.data())
def test_any_tampering_is_found(chain, data):
    entries = export_chain(chain)
    last = chain[-1].hash
    n = len(entries)
    how = data.draw(
        st.sampled_from(
            ["edit", "remove", "insert copy", "insert forged", "swap"]
            if n > 1
            else ["edit", "remove", "insert copy", "insert forged"]
        )
    )
    undetectable_without_head = False
    if how == "edit":
        i = data.draw(st.integers(0, n - 1))
        _edit(data.draw, entries[i])
        expected = i + 1
    elif how == "remove":
        i = data.draw(st.integers(0, n - 1))
        del entries[i]
        expected = max(n - 1, 1) if i == n - 1 else i + 1
        undetectable_without_head = i == n - 1
    elif how == "insert copy":
        i, j = data.draw(st.integers(0, n)), data.draw(st.integers(0, n - 1))
        entries.insert(i, dict(entries[j]))
        expected = i + 2 if i == j else i + 1  # a copy in front of its original is in the original's place
    elif how == "insert forged":
        # a well-formed record linked to its predecessor, with a valid hash of its own
        i = data.draw(st.integers(0, n))
        forged = {
            **entries[data.draw(st.integers(0, n - 1))],
            "seq": i + 1,
            "prev_hash": entries[i - 1]["hash"] if i else GENESIS,
        }
        forged["payload"] = {**forged["payload"], "comment": "forged"}
        forged["hash"] = hash_of(forged)
        entries.insert(i, forged)
        expected = i + 2 if i < n else n + 1
        undetectable_without_head = i == n
    else:
        i, j = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
        entries[i], entries[j] = entries[j], entries[i]
        expected = i + 1
    report = verify_export(entries, last)
    assert not report.ok and report.first_bad_seq == expected, (how, report)
    assert verify_export(entries).ok is undetectable_without_head
