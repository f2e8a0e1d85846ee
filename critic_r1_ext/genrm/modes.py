"""Per-rollout rewards from pairwise verdicts: which pairs each mode judges and how verdicts become rewards.

A judge is an async callable ``judge(first, second) -> "1" | "2" | "tie" | None`` over member indices,
``REFERENCE`` standing for the row's reference answer; ``first`` is shown as Answer 1. ``None`` is no
verdict (a failed call or an unreadable answer): it is counted and left out of the reward.

* ``reference``: each rollout against the reference; reward = share of orders the rollout wins.
* ``anchor``: each rollout against one sibling drawn per group (seeded); the anchor itself gets 0.5.
* ``round_robin``: each rollout against the other n-1; reward = its win rate.
* ``knockout``: the seeded single-elimination bracket of ``self_critic.selection`` (one look per match);
  reward = (round reached - 1) / rounds, so the champion gets 1 and first-round losers 0.

A tie counts half a win. With ``both_orders`` every pair is judged with each member in each position,
so a judge's position bias cancels; with one order the positions alternate over the pairs. A rollout
without any valid verdict gets ``None`` (the manager turns it into the counted neutral reward).
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from critic_r1_ext.self_critic.selection import entrants, knockout

REFERENCE = -1
MODES = ("reference", "anchor", "round_robin", "knockout")
GROUP_MODES = ("anchor", "round_robin", "knockout")
Judge = Callable[[int, int], Awaitable[str | None]]
VALID = ("1", "2", "tie")


@dataclass
class GroupScore:
    rewards: list[float | None]  # per member; None: no valid verdict
    judged: list[tuple[int, int, str | None]] = field(default_factory=list)  # (first, second, verdict)

    @property
    def calls(self) -> int:
        return len(self.judged)

    @property
    def position1(self) -> int:
        """Decisive verdicts that chose Answer 1."""
        return sum(v == "1" for _, _, v in self.judged)

    @property
    def decisive(self) -> int:
        return sum(v in ("1", "2") for _, _, v in self.judged)

    def swaps(self) -> tuple[int, int]:
        """(pairs judged in both orders with two valid verdicts, those whose two verdicts agree)."""
        seen = {(f, s): v for f, s, v in self.judged if v in VALID}
        both = consistent = 0
        for (f, s), v in seen.items():
            if f < s and (s, f) in seen:
                both += 1
                consistent += _winner(f, s, v) == _winner(s, f, seen[(s, f)])
        return both, consistent


def _winner(first: int, second: int, verdict: str) -> int | None:
    return {"1": first, "2": second}.get(verdict)


def pairs_for(mode: str, n: int, both_orders: bool, anchor: int = 0) -> list[tuple[int, int]]:
    """The ordered pairs a non-knockout mode judges for a group of n members (0..n-1)."""
    if mode == "reference":
        unordered = [(i, REFERENCE) for i in range(n)]
    elif mode == "anchor":
        unordered = [(i, anchor) for i in range(n) if i != anchor]
    elif mode == "round_robin":
        unordered = [(i, j) for i in range(n) for j in range(i + 1, n)]
    else:
        raise ValueError(f"no fixed pairs for mode {mode!r}")
    if both_orders:
        return [p for a, b in unordered for p in ((a, b), (b, a))]
    return [(a, b) if k % 2 == 0 else (b, a) for k, (a, b) in enumerate(unordered)]


def draw_anchor(n: int, seed: int, uid: str) -> int:
    """The group's anchor: a seeded draw that depends on the group's uid only."""
    return random.Random(f"{seed}:{uid}").randrange(n)


async def score(mode: str, n: int, judge: Judge, both_orders: bool = True, anchor: int = 0) -> GroupScore:
    """Judge a group of n rollouts in ``mode`` and return their rewards with every verdict."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
    if mode == "knockout":
        return await _knockout(n, judge, both_orders)
    pairs = pairs_for(mode, n, both_orders, anchor)
    verdicts = await asyncio.gather(*(judge(f, s) for f, s in pairs))
    judged = [(f, s, v) for (f, s), v in zip(pairs, verdicts)]
    outcomes: list[list[float]] = [[] for _ in range(n)]
    for f, s, v in judged:
        if v not in VALID:
            continue
        for member, won in ((f, "1"), (s, "2")):
            if member != REFERENCE:
                outcomes[member].append(0.5 if v == "tie" else float(v == won))
    rewards = [sum(o) / len(o) if o else None for o in outcomes]
    if mode == "anchor":
        rewards[anchor] = 0.5
    return GroupScore(rewards, judged)


async def _knockout(n: int, judge: Judge, both_orders: bool) -> GroupScore:
    bracket = knockout(entrants([None] * n, merge=False), both_orders=both_orders, max_looks=1)
    judged: list[tuple[int, int, str | None]] = []
    try:
        asked = next(bracket)
        while True:
            verdicts = await asyncio.gather(*(judge(f, s) for f, s in asked))
            judged += [(f, s, v) for (f, s), v in zip(asked, verdicts)]
            asked = bracket.send(list(verdicts))
    except StopIteration as stop:
        selection = stop.value
    rounds = max(1, math.ceil(math.log2(n))) if n > 1 else 1
    reached = {selection.winner: rounds + 1} if selection.winner is not None else {}
    for match in selection.matches:
        reached[match.b if match.winner == match.a else match.a] = match.round
    rewards: list[float | None] = [(reached.get(i, 1) - 1) / rounds for i in range(n)]
    voted = {m for f, s, v in judged if v in VALID for m in (f, s)}
    return GroupScore([r if i in voted or n == 1 else None for i, r in enumerate(rewards)], judged)


def judge_calls(mode: str, n: int, both_orders: bool = True) -> int:
    """Judge calls one group of n costs in ``mode`` (knockout: with every match decided)."""
    per_pair = 2 if both_orders else 1
    if mode == "reference":
        return per_pair * n
    if mode == "anchor":
        return per_pair * (n - 1)
    if mode == "round_robin":
        return per_pair * n * (n - 1) // 2
    if mode == "knockout":
        return per_pair * (n - 1)
    raise ValueError(f"unknown mode {mode!r}")
