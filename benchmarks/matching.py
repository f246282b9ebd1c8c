"""Matching engine at scale: seconds, peak memory, total score, ratio to a greedy baseline, optimality.

Pools of 1,000 / 10,000 / 50,000 participants with realistic, seeded needs maps (see ``generate``): half
digital mentors, half senior experts; each offers 3-8 competences of their own side's frameworks at levels
3-8 (popular competences more often) and wants 3-8 of the other side's at levels 2-7, half of them with a
current level; languages nl/en/de/fr as in a Dutch organisation (most speak two); a reporting tree of the
whole organisation (branching 6) from which the participants are drawn; capacity 1 (70 %), 2 (20 %), 3
(10 %); 10 % name 1-3 wishes, 3 % veto someone, 5 % have an earlier partner.

Each size runs in a fresh process (so its peak memory, the max RSS, is its own): it builds the pool,
then times ``match(people, rules)`` alone (encoding, scans, solves, certificate, explanations, reasons;
not the one-off import of numpy and OR-Tools);
sizes up to 10,000 run ``--repeat`` times (default 3) and report the median, since other processes on a
2-core machine make single short timings noisy.
``greedy_ratio`` is the engine's total over the greedy baseline's (descending score on the candidate
pairs, taken while capacities allow); ``optimal`` is the certificate: the LP dual bound over *all* pairs
equals the total (``gap`` 0) once pricing found no improving pair (a sweep of every pair, then the rows and
columns whose duals moved far enough since to matter); ``pairs_scored`` counts every exact pair score spent.

    .venv/bin/python benchmarks/matching.py [--sizes 1000 10000 50000] [--seed 7]

Prints a table, then one JSON line per size with the keys n, seconds, peak_mb, score, greedy_ratio,
optimal (and gap, pairs, unmatched, candidates, full_scans, pairs_scored, dual_bound).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plugin.domain.matching import (  # noqa: E402
    DIGITAL_COMPETENCES,
    EXPERTISE_COMPETENCES,
    Person,
    Rules,
    Side,
    greedy_baseline,
    match,
)

LANGUAGES = (("nl", 0.55), ("en", 0.20), ("de", 0.15), ("fr", 0.10))


def _weights(keys: tuple[str, ...], rng: random.Random) -> list[float]:
    ranks = list(range(1, len(keys) + 1))
    rng.shuffle(ranks)
    return [1 / r**0.7 for r in ranks]  # some competences are much more popular than others


def _pick(keys: tuple[str, ...], weights: list[float], k: int, rng: random.Random) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        key = rng.choices(keys, weights)[0]
        if key not in chosen:
            chosen.append(key)
    return chosen


def generate(n: int, seed: int = 7) -> tuple[list[Person], Rules]:
    """A seeded, realistic pool of ``n`` participants and the programme rules."""
    rng = random.Random(seed)
    staff = int(n * 1.6) + 10
    manager = {f"u{i}": f"u{(i - 1) // 6}" for i in range(1, staff)}  # the organisation's reporting tree
    ids = rng.sample(range(1, staff), n)
    sides = [Side.DIGITAL_MENTOR] * (n // 2) + [Side.SENIOR_EXPERT] * (n - n // 2)
    rng.shuffle(sides)
    w_dig, w_exp = _weights(DIGITAL_COMPETENCES, rng), _weights(EXPERTISE_COMPETENCES, rng)
    by_side: dict[Side, list[str]] = {Side.DIGITAL_MENTOR: [], Side.SENIOR_EXPERT: []}
    for i, side in zip(ids, sides, strict=True):
        by_side[side].append(f"u{i}")
    people = []
    for i, side in zip(ids, sides, strict=True):
        pid = f"u{i}"
        own, own_w, other, other_w = (
            (DIGITAL_COMPETENCES, w_dig, EXPERTISE_COMPETENCES, w_exp) if side is Side.DIGITAL_MENTOR else (EXPERTISE_COMPETENCES, w_exp, DIGITAL_COMPETENCES, w_dig)
        )
        offers = {k: rng.randint(3, 8) for k in _pick(own, own_w, rng.randint(3, 8), rng)}
        wants = {k: rng.randint(2, 7) for k in _pick(other, other_w, rng.randint(3, 8), rng)}
        current = {k: w - rng.randint(1, 3) for k, w in wants.items() if rng.random() < 0.5 and w > 3}
        first = rng.choices([x for x, _ in LANGUAGES], [p for _, p in LANGUAGES])[0]
        langs = {first}
        if rng.random() < 0.6:
            langs.add("en" if first != "en" and rng.random() < 0.7 else rng.choice(["nl", "de", "fr"]))
        partners = by_side[Side.SENIOR_EXPERT if side is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR]
        wishes = tuple(rng.sample(partners, rng.randint(1, 3))) if rng.random() < 0.10 else ()
        vetoes = frozenset(rng.sample(partners, rng.randint(1, 2))) if rng.random() < 0.03 else frozenset()
        chain, node = [], pid
        while node in manager:
            node = manager[node]
            chain.append(node)
        people.append(
            Person(
                id=pid,
                side=side,
                languages=frozenset(langs),
                capacity=rng.choices([1, 2, 3], [0.7, 0.2, 0.1])[0],
                offers=offers,
                wants=wants,
                current=current,
                goals="",
                timezone="Europe/Amsterdam",
                cadence=rng.choice(["weekly", "fortnightly", "monthly"]),
                department=chain[-2] if len(chain) >= 2 else chain[-1] if chain else None,
                manager=manager.get(pid),
                wishes=wishes,
                vetoes=vetoes,
            )
        )
    digital = by_side[Side.DIGITAL_MENTOR]
    experts = by_side[Side.SENIOR_EXPERT]
    earlier = frozenset(frozenset((rng.choice(digital), rng.choice(experts))) for _ in range(n // 20)) if digital and experts else frozenset()
    return people, Rules(earlier_pairs=earlier, managers=manager)


def run_one(n: int, seed: int, repeat: int) -> dict:
    import plugin.domain.matching.engine  # noqa: F401 - importing numpy and OR-Tools is not part of the timing

    times = []
    for _ in range(repeat):
        people, rules = generate(n, seed)  # fresh objects for every run: nothing cached from the last one
        start = time.perf_counter()
        result = match(people, rules)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    greedy = greedy_baseline(people, rules)
    return {
        "n": n,
        "seconds": round(seconds, 3),
        "peak_mb": round(peak_mb, 1),
        "score": result.total,
        "greedy_ratio": round(result.total / greedy, 4) if greedy else None,
        "optimal": result.optimal,
        "gap": result.gap,
        "dual_bound": result.certificate.dual_bound,
        "pairs": len(result.pairs),
        "unmatched": len(result.unmatched),
        "candidates": result.certificate.candidates,
        "full_scans": result.certificate.full_scans,
        "pairs_scored": result.certificate.pairs_scored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size up to 10,000 (the median is reported); larger sizes run once")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process: run one size, print its JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.repeat if args.one <= 10_000 else 1)))
        return
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed), "--repeat", str(args.repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f"size {n} failed")
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    head = f"{'participants':>12} {'seconds':>8} {'peak MB':>8} {'total score':>12} {'vs greedy':>9} {'optimal':>8} {'gap':>4} {'pairs':>7} {'unmatched':>9} {'candidates':>10} {'scans':>6}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['n']:>12,} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f} {r['score']:>12,} {r['greedy_ratio']:>9.4f} {str(r['optimal']):>8} {r['gap']:>4}"
            f" {r['pairs']:>7,} {r['unmatched']:>9,} {r['candidates']:>10,} {r['full_scans']:>6}"
        )
    print()
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
