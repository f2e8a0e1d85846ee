"""Which of a prompt's N answers the critic compares, and which comparisons become preference pairs.

Every strategy is a generator in the protocol of ``self_critic.selection.run_batched``: it yields the
ordered pairs ``(first, second)`` of answer indices it wants judged (``first`` is shown as Answer 1)
and receives one verdict per pair (``"1"``, ``"2"``, ``"tie"`` or ``None`` for no verdict); it returns
an :class:`Outcome`. Nothing here knows about models, so the simulation in
``benchmarks/preferences.py`` runs exactly this code. Every unordered pair is judged in both orders,
and a pair of answers is *decided* only when both orders pick the same answer; otherwise it is a
``tie`` (a tie verdict), ``no_verdict`` (an unreadable one) or ``inconsistent`` (each order picks the
answer in its own first or second position), dropped and counted.

* ``best_vs_worst``: the paper's knockout (``selection.knockout``, one look, both orders, no merging)
  finds the best answer in ``2 (N - 1)`` calls. The pair is the champion against the worst answer:
  among the answers whose first match was decided against them, the one that went out earliest, to
  the conqueror that went out earliest. Kept only when every match of the champion was decided.
* ``agree``: every pair in both orders, ``N (N - 1)`` calls; every decided pair is kept.
* ``round_robin``: the same judgments; an answer's score is the number of judgments it won. A
  decided pair is kept when the chosen answer's score exceeds the rejected one's by at least
  ``margin`` (margin 0 is ``agree``).

The call count depends only on the strategy and N (:func:`judge_calls`), so the budget printed before
a run is exactly what it spends.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field

from critic_r1_ext.self_critic.selection import entrants, knockout

STRATEGIES = ("best_vs_worst", "agree", "round_robin")

Judged = tuple[int, int, str | None]  # (first, second, verdict)


@dataclass
class Pair:
    chosen: int
    rejected: int
    judgments: list[Judged]  # every judgment this pair rests on, in the order they were made


@dataclass
class Outcome:
    pairs: list[Pair] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)  # candidate pairs not kept, by reason
    decisions: Counter = field(default_factory=Counter)  # judged unordered pairs: agree/tie/no_verdict/inconsistent
    calls: int = 0


Strategy = Generator[list[tuple[int, int]], list, Outcome]


def judge_calls(strategy: str, n: int) -> int:
    """Judge calls one prompt with ``n`` answers costs under ``strategy``."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {list(STRATEGIES)}")
    if n < 2:
        return 0
    return 2 * (n - 1) if strategy == "best_vs_worst" else n * (n - 1)


def clean_verdict(verdict) -> str | None:
    """``"1"``, ``"2"``, ``"tie"``, or ``None`` for anything else."""
    return verdict if verdict in ("1", "2", "tie") else None


def decide(i: int, j: int, verdicts: dict) -> tuple[str, int | None]:
    """How the two judgments of ``{i, j}`` decide it: ``("agree", winner)`` or ``(reason, None)``."""
    first, second = clean_verdict(verdicts[(i, j)]), clean_verdict(verdicts[(j, i)])
    if "tie" in (first, second):
        return "tie", None
    if None in (first, second):
        return "no_verdict", None
    picks = {i if first == "1" else j, j if second == "1" else i}
    if len(picks) > 1:
        return "inconsistent", None
    return "agree", picks.pop()


def make(strategy: str, n: int, margin: int = 0) -> Strategy:
    """The strategy generator for one prompt with ``n`` answers."""
    if strategy == "best_vs_worst":
        return best_vs_worst(n)
    if strategy in ("agree", "round_robin"):
        return all_pairs(n, margin if strategy == "round_robin" else None)
    raise ValueError(f"unknown strategy {strategy!r}; choose one of {list(STRATEGIES)}")


def all_pairs(n: int, margin: int | None) -> Strategy:
    """``agree`` (``margin`` None) or ``round_robin`` with ``margin``: every pair in both orders at once."""
    outcome = Outcome()
    unordered = [(i, j) for i in range(n) for j in range(i + 1, n)]
    asked = [pair for i, j in unordered for pair in ((i, j), (j, i))]
    if not asked:
        return outcome
    verdicts = dict(zip(asked, (yield asked)))
    outcome.calls = len(asked)
    wins = Counter()
    for (first, second), verdict in verdicts.items():
        verdict = clean_verdict(verdict)
        if verdict in ("1", "2"):
            wins[first if verdict == "1" else second] += 1
    for i, j in unordered:
        reason, winner = decide(i, j, verdicts)
        outcome.decisions[reason] += 1
        if winner is None:
            outcome.dropped[reason] += 1
            continue
        loser = j if winner == i else i
        if margin is not None and wins[winner] - wins[loser] < margin:
            outcome.dropped["below_margin"] += 1
            continue
        judgments = [(i, j, verdicts[(i, j)]), (j, i, verdicts[(j, i)])]
        outcome.pairs.append(Pair(winner, loser, judgments))
    return outcome


def best_vs_worst(n: int) -> Strategy:
    """The knockout's champion against the worst decided first-match loser (see the module docstring)."""
    outcome = Outcome()
    if n < 2:
        return outcome
    selection = yield from knockout(entrants([None] * n, merge=False), both_orders=True, max_looks=1)
    outcome.calls = selection.judge_calls
    verdicts = {pair: v for match in selection.matches for pair, v in zip(match.pairs, match.verdicts)}
    decided = {}
    out_round = {}  # candidate -> round it was knocked out in
    first_match = {}
    for match in selection.matches:
        reason, winner = decide(match.a, match.b, verdicts)
        outcome.decisions[reason] += 1
        decided[match.a, match.b] = decided[match.b, match.a] = winner
        out_round[match.b if match.winner == match.a else match.a] = match.round
        first_match.setdefault(match.a, match)
        first_match.setdefault(match.b, match)
    champion = selection.winner
    path = [m for m in selection.matches if champion in (m.a, m.b)]
    unclear = [decide(m.a, m.b, verdicts)[0] for m in path if decided[m.a, m.b] != champion]
    if unclear:
        outcome.dropped[unclear[0]] += 1
        return outcome
    losers = []
    for candidate, match in first_match.items():
        winner = decided[match.a, match.b]
        if candidate != champion and winner is not None and winner != candidate:
            losers.append((match.round, out_round.get(winner, math.inf), candidate, match))
    if not losers:
        outcome.dropped["no_clear_loser"] += 1
        return outcome
    *_, worst, lost = min(losers, key=lambda loser: loser[:3])
    judgments = [(f, s, verdicts[f, s]) for m in [*path, lost] for f, s in m.pairs]
    outcome.pairs.append(Pair(champion, worst, list(dict.fromkeys(judgments))))
    return outcome
