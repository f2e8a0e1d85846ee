"""The strategies on scripted verdicts: which pairs are kept, what is dropped and why, and the exact call count."""

from __future__ import annotations

import random

import pytest

from critic_r1_ext.preferences import strategies
from critic_r1_ext.self_critic.selection import run_batched


def run(strategy, n, judge, margin=0):
    return run_batched([strategies.make(strategy, n, margin)], lambda requests: [judge(f, s) for _, f, s in requests])[
        0
    ]


def by_quality(quality):
    """A perfect critic for answers of the given quality."""
    return lambda first, second: "1" if quality[first] > quality[second] else "2"


@pytest.mark.parametrize("strategy", strategies.STRATEGIES)
@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 8, 9])
def test_judge_calls_equal_the_budget_whatever_the_verdicts(strategy, n):
    rng = random.Random(f"{strategy}{n}")
    outcome = run(strategy, n, lambda f, s: rng.choice(["1", "2", "tie", None, "garbage"]))
    assert outcome.calls == strategies.judge_calls(strategy, n)
    assert sum(outcome.decisions.values()) == (n - 1 if strategy == "best_vs_worst" else n * (n - 1) // 2)


def test_agree_keeps_pairs_both_orders_agree_on_and_counts_ties_no_verdicts_and_inconsistent():
    table = {
        (0, 1): "1",
        (1, 0): "2",  # both pick 0: kept
        (0, 2): "1",
        (2, 0): "1",  # each picks its first: inconsistent
        (1, 2): "tie",
        (2, 1): "1",  # a tie
    }
    outcome = run("agree", 3, lambda f, s: table[f, s])
    assert [(p.chosen, p.rejected) for p in outcome.pairs] == [(0, 1)]
    assert outcome.pairs[0].judgments == [(0, 1, "1"), (1, 0, "2")]
    assert outcome.dropped == {"inconsistent": 1, "tie": 1}
    assert outcome.decisions == {"agree": 1, "inconsistent": 1, "tie": 1}
    unreadable = run("agree", 2, lambda f, s: None if f == 0 else "2")
    assert unreadable.pairs == [] and unreadable.dropped == {"no_verdict": 1}


def test_round_robin_keeps_only_pairs_whose_scores_differ_by_the_margin():
    quality = [0, 1, 2, 3]
    perfect = run("round_robin", 4, by_quality(quality), margin=2)
    assert len(perfect.pairs) == 6  # neighbours in rank differ by exactly two wins
    wide = run("round_robin", 4, by_quality(quality), margin=4)
    assert sorted((p.chosen, p.rejected) for p in wide.pairs) == [(2, 0), (3, 0), (3, 1)]
    assert wide.dropped == {"below_margin": 3}
    assert all(quality[p.chosen] > quality[p.rejected] for p in wide.pairs)


def test_a_fully_position_biased_critic_yields_no_pair_under_any_strategy():
    for strategy in strategies.STRATEGIES:
        outcome = run(strategy, 6, lambda f, s: "1")
        assert outcome.pairs == []
        assert set(outcome.dropped) == {"inconsistent"}


def test_best_vs_worst_pairs_the_champion_with_the_worst_clear_first_match_loser():
    quality = [3, 1, 4, 1.5, 5, 9, 2, 6]
    outcome = run("best_vs_worst", 8, by_quality(quality))
    (pair,) = outcome.pairs
    assert (pair.chosen, pair.rejected) == (5, 1)  # the best; the worst lost round 1 to the first one out
    assert outcome.calls == 14
    judged = {(f, s) for f, s, _ in pair.judgments}
    assert {(5, 2), (2, 5)} <= judged  # the champion's first match is part of the evidence
    assert all(quality[f] != quality[s] for f, s, _ in pair.judgments)


def test_best_vs_worst_drops_the_prompt_when_the_champion_won_a_split_match():
    quality = [3, 0, 1, 2]

    def judge(first, second):
        if {first, second} == {0, 3}:  # the champion's first match (won on the seed): each order picks its first
            return "1"
        return by_quality(quality)(first, second)

    outcome = run("best_vs_worst", 4, judge)
    assert outcome.pairs == [] and outcome.dropped == {"inconsistent": 1}
