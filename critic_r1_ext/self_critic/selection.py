"""Best-of-N selection by pairwise judging: a seeded single-elimination knockout, plus majority vote.

The knockout is a generator: each step it yields the ordered pairs ``(first, second)`` of
candidate indices it wants judged (``first`` is shown as Answer 1) and receives the verdicts
(``"1"``, ``"2"``, anything else = no verdict) in the same order. :func:`run` drives one knockout
with a judge callable; :func:`run_batched` drives many in lockstep so that one generate call
serves one step of all of them. Nothing here knows about models.

Rules (``merge=False, both_orders=False`` is the paper's knockout over all N candidates):

* **Entrants.** Without merging, every candidate enters alone with count 1. With merging,
  candidates with the same normalised final answer form one entrant whose count is the group
  size; candidates without an answer are dropped when any candidate has one (they could never be
  graded correct), otherwise each enters alone.
* **Seeding.** Seeds run by count (larger first), then by sample order. The bracket is the
  classic one (seed 1 meets the last seed in round 1, seeds 1 and 2 can only meet in the final);
  when the entrant count is not a power of two the top seeds get the byes.
* **A match** between A (the higher seed) and B is a series of *looks*: look r shows the r-th
  member of each group, A as Answer 1, and with ``both_orders`` again with the positions swapped.
  Each valid verdict is a vote, and each vote doubles its side's weight, which starts at the
  count: ``weight = count * 2**votes``. The larger weight wins; equal weights go to A (the larger
  count, then the earlier sample). So when the two orders of a look disagree, the counts decide.
* **Looks per match:** at most ``min(count_A, count_B, max_looks)``, and no look is taken once
  the remaining votes can no longer change the winner (a singleton never costs a call against a
  group more than four times its size). Unmerged candidates get exactly one look per match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field

Pair = tuple[int, int]


@dataclass(frozen=True)
class Entrant:
    index: int  # the group's first candidate
    answer: str | None
    members: tuple[int, ...]  # candidate indices merged into this entrant, in sample order

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass
class Match:
    round: int
    a: int  # the higher seed's first candidate
    b: int
    pairs: list[Pair]  # judged (first, second) candidate pairs, in order
    verdicts: list[str | None]
    votes: tuple[int, int]  # valid votes for a, for b
    winner: int


@dataclass
class Selection:
    winner: int | None  # candidate index; None when there were no candidates
    matches: list[Match] = field(default_factory=list)
    judge_calls: int = 0


Knockout = Generator[list[Pair], list, Selection]


def entrants(answers: Sequence[str | None], merge: bool = True) -> list[Entrant]:
    """The knockout's entrants in seed order (see the module docstring for the merge rule)."""
    if not merge or all(answer is None for answer in answers):
        pool = [Entrant(i, answer, (i,)) for i, answer in enumerate(answers)]
    else:
        groups: dict[str, list[int]] = {}
        for i, answer in enumerate(answers):
            if answer is not None:
                groups.setdefault(answer, []).append(i)
        pool = [Entrant(members[0], answer, tuple(members)) for answer, members in groups.items()]
    return sorted(pool, key=lambda e: (-e.count, e.index))


def bracket_order(m: int) -> list[int | None]:
    """Seed numbers (0 = top) in bracket position order for m entrants; ``None`` marks a bye."""
    order = [0]
    while len(order) < m:
        size = 2 * len(order)
        order = [s for seed in order for s in (seed, size - 1 - seed)]
    return [seed if seed < m else None for seed in order]


def knockout(seeded: Sequence[Entrant], both_orders: bool = True, max_looks: int = 4) -> Knockout:
    """Single-elimination knockout over ``seeded`` (in seed order); yields the pairs of each step."""
    if max_looks < 1:
        raise ValueError(f"max_looks must be at least 1, got {max_looks}")
    rank = {e: r for r, e in enumerate(seeded)}
    slots: list[Entrant | None] = [None if s is None else seeded[s] for s in bracket_order(len(seeded))]
    result = Selection(winner=None)
    round_no = 0
    while len(slots) > 1:
        round_no += 1
        slot_pairs = list(zip(slots[::2], slots[1::2]))
        games = [_Game(*sorted(pair, key=rank.get), both_orders, max_looks) for pair in slot_pairs if None not in pair]
        while asks := [(game, game.next_pairs()) for game in games if game.open()]:
            verdicts = iter((yield [pair for _, pairs in asks for pair in pairs]))
            for game, pairs in asks:
                game.record(pairs, [next(verdicts) for _ in pairs])
        won = {}
        for game in games:
            match = game.result(round_no)
            result.matches.append(match)
            result.judge_calls += len(match.pairs)
            won[game.a] = won[game.b] = game.a if match.winner == game.a.index else game.b
        slots = [x or y if None in (x, y) else won[x] for x, y in slot_pairs]
    result.winner = slots[0].index if seeded else None
    return result


class _Game:
    """One match's state: looks taken, votes and judged pairs (rules in the module docstring)."""

    def __init__(self, a: Entrant, b: Entrant, both_orders: bool, max_looks: int):
        self.a, self.b = a, b
        self.per_look = 2 if both_orders else 1
        self.looks = min(a.count, b.count, max_looks)
        self.votes = [0, 0]
        self.pairs: list[Pair] = []
        self.verdicts: list[str | None] = []

    def weights(self) -> tuple[int, int]:
        return self.a.count << self.votes[0], self.b.count << self.votes[1]

    def open(self) -> bool:
        """True while a look is left and its votes could still change the winner."""
        left = self.looks - len(self.pairs) // self.per_look
        if left <= 0:
            return False
        weight_a, weight_b = self.weights()
        swing = left * self.per_look
        return weight_a < weight_b << swing and weight_a << swing >= weight_b

    def next_pairs(self) -> list[Pair]:
        look = len(self.pairs) // self.per_look
        first, second = self.a.members[look], self.b.members[look]
        return [(first, second), (second, first)][: self.per_look]

    def record(self, pairs: list[Pair], verdicts: list) -> None:
        for (first, second), verdict in zip(pairs, verdicts):
            if verdict in ("1", "2"):
                chosen = first if verdict == "1" else second
                self.votes[0 if chosen in self.a.members else 1] += 1
        self.pairs += pairs
        self.verdicts += list(verdicts)

    def result(self, round_no: int) -> Match:
        weight_a, weight_b = self.weights()
        winner = self.a.index if weight_a >= weight_b else self.b.index
        return Match(round_no, self.a.index, self.b.index, self.pairs, self.verdicts, tuple(self.votes), winner)


def run(selection: Knockout, judge: Callable[[list[Pair]], list]) -> Selection:
    """Drive one knockout; ``judge(pairs)`` returns one verdict per ordered pair."""
    return run_batched([selection], lambda requests: judge([(f, s) for _, f, s in requests]))[0]


def run_batched(selections: Sequence[Knockout], judge: Callable[[list[tuple[int, int, int]]], list]) -> list[Selection]:
    """Drive knockouts in lockstep: each call ``judge([(k, first, second), ...])`` serves one step of all.

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
