"""Best-of-N selection by pairwise judging: a seeded single-elimination knockout, plus majority vote.

The knockout is a generator: each round it yields the ordered pairs ``(first, second)`` of
candidate indices it wants judged (``first`` is shown as Answer 1) and receives the verdicts
(``"1"``, ``"2"``, anything else = no verdict) in the same order. :func:`run` drives one knockout
with a judge callable; :func:`run_batched` drives many in lockstep so that one generate call
serves one round of all of them. Nothing here knows about models.

Rules (the paper's knockout over N candidates when ``merge=False, both_orders=False``):

* **Entrants.** Without merging, every candidate enters with count 1. With merging, candidates
  with the same normalised final answer form one entrant, shown to the judge as its first
  member, with the group size as its count; candidates without an answer are dropped when any
  candidate has one (they could never be graded correct), otherwise each enters alone.
* **Seeding.** Seeds run by count (larger first), then by sample order. The bracket is the
  classic one (seed 1 meets seed m in round 1, seeds 1 and 2 can only meet in the final); when m
  is not a power of two the top seeds get the byes. m entrants take m - 1 matches.
* **A match** shows the higher seed as Answer 1. With ``both_orders`` it is judged again with the
  positions swapped. Every valid verdict is one vote; more votes wins. Equal votes (the two orders
  disagree, or no verdict at all) fall back to the higher seed: larger count, then earlier sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field

Pair = tuple[int, int]


@dataclass(frozen=True)
class Entrant:
    index: int  # the candidate shown to the judge
    answer: str | None
    count: int  # candidates merged into this entrant


@dataclass
class Match:
    round: int
    a: int  # higher seed's candidate index
    b: int
    verdicts: list[str | None]  # one per judged order: (a, b) then, with both orders, (b, a)
    winner: int
    decided_by: str  # "judge" or "fallback"


@dataclass
class Selection:
    winner: int | None  # candidate index; None when there were no candidates
    matches: list[Match] = field(default_factory=list)
    judge_calls: int = 0


Knockout = Generator[list[Pair], list, Selection]


def entrants(answers: Sequence[str | None], merge: bool = True) -> list[Entrant]:
    """The knockout's entrants in seed order (see the module docstring for the merge rule)."""
    if not merge or all(answer is None for answer in answers):
        pool = [Entrant(i, answer, 1) for i, answer in enumerate(answers)]
    else:
        counts = Counter(answer for answer in answers if answer is not None)
        first: dict[str, int] = {}
        for i, answer in enumerate(answers):
            if answer is not None:
                first.setdefault(answer, i)
        pool = [Entrant(i, answer, counts[answer]) for answer, i in first.items()]
    return sorted(pool, key=lambda e: (-e.count, e.index))


def bracket_order(m: int) -> list[int | None]:
    """Seed numbers (0 = top) in bracket position order for m entrants; ``None`` marks a bye."""
    order = [0]
    while len(order) < m:
        size = 2 * len(order)
        order = [s for seed in order for s in (seed, size - 1 - seed)]
    return [seed if seed < m else None for seed in order]


def knockout(seeded: Sequence[Entrant], both_orders: bool = True) -> Knockout:
    """Single-elimination knockout over ``seeded`` (in seed order); yields each round's pairs."""
    rank = {e: r for r, e in enumerate(seeded)}
    slots: list[Entrant | None] = [None if s is None else seeded[s] for s in bracket_order(len(seeded))]
    result = Selection(winner=None)
    round_no = 0
    while len(slots) > 1:
        round_no += 1
        slot_pairs = list(zip(slots[::2], slots[1::2]))
        games = [sorted(pair, key=rank.get) for pair in slot_pairs if None not in pair]
        orders = [order for a, b in games for order in _orders(a.index, b.index, both_orders)]
        verdicts = iter((yield orders))
        result.judge_calls += len(orders)
        won = {}
        for a, b in games:
            match = _decide(round_no, a, b, [next(verdicts) for _ in range(1 + both_orders)])
            result.matches.append(match)
            won[a] = won[b] = a if match.winner == a.index else b
        slots = [x or y if None in (x, y) else won[x] for x, y in slot_pairs]
    result.winner = slots[0].index if seeded else None
    return result


def _orders(a: int, b: int, both_orders: bool) -> list[Pair]:
    return [(a, b), (b, a)] if both_orders else [(a, b)]


def _decide(round_no: int, a: Entrant, b: Entrant, verdicts: list) -> Match:
    """One match: votes from each judged order, falling back to the higher seed ``a`` on a tie."""
    votes = {a.index: 0, b.index: 0}
    for (first, second), verdict in zip(_orders(a.index, b.index, True), verdicts):
        if verdict in ("1", "2"):
            votes[first if verdict == "1" else second] += 1
    if votes[a.index] == votes[b.index]:
        return Match(round_no, a.index, b.index, list(verdicts), a.index, "fallback")
    winner = a.index if votes[a.index] > votes[b.index] else b.index
    return Match(round_no, a.index, b.index, list(verdicts), winner, "judge")


def run(selection: Knockout, judge: Callable[[list[Pair]], list]) -> Selection:
    """Drive one knockout; ``judge(pairs)`` returns one verdict per ordered pair."""
    return run_batched([selection], lambda requests: judge([(f, s) for _, f, s in requests]))[0]


def run_batched(selections: Sequence[Knockout], judge: Callable[[list[tuple[int, int, int]]], list]) -> list[Selection]:
    """Drive knockouts in lockstep: each call ``judge([(k, first, second), ...])`` serves one round of all.

    ``k`` is the position of the knockout in ``selections``; the judge returns one verdict per request.
    """
    results: dict[int, Selection] = {}
    requests: dict[int, list[Pair]] = {}
    for k, selection in enumerate(selections):
        _step(k, selection, None, requests, results)
    while requests:
        flat = [(k, first, second) for k, pairs in requests.items() for first, second in pairs]
        verdicts = list(judge(flat))
        if len(verdicts) != len(flat):
            raise ValueError(f"judge returned {len(verdicts)} verdicts for {len(flat)} comparisons")
        current, requests, start = requests, {}, 0
        for k, pairs in current.items():
            _step(k, selections[k], verdicts[start : start + len(pairs)], requests, results)
            start += len(pairs)
    return [results[k] for k in range(len(selections))]


def _step(k: int, selection: Knockout, sent, requests: dict, results: dict) -> None:
    try:
        requests[k] = selection.send(sent)
    except StopIteration as stop:
        results[k] = stop.value


def majority_vote(answers: Sequence[str | None]) -> int | None:
    """Index of the first candidate with the most common answer (ties: the answer seen first); None if none."""
    counts = Counter(answer for answer in answers if answer is not None)
    if not counts:
        return None
    best = max(counts.values())
    return next(i for i, answer in enumerate(answers) if answer is not None and counts[answer] == best)
