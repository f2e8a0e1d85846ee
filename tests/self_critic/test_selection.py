"""The knockout and majority vote against scripted judges (pure Python, no model)."""

from __future__ import annotations

import random

import pytest

from critic_r1_ext.self_critic.selection import bracket_order, entrants, knockout, majority_vote, run, run_batched


def always(verdict):
    return lambda pairs: [verdict] * len(pairs)


def oracle(answers, correct):
    """Picks the correct side when exactly one side is correct, else position 1."""
    return lambda pairs: ["2" if answers[s] == correct and answers[f] != correct else "1" for f, s in pairs]


def noisy(answers, correct, rng, skill=0.8, bias=0.0):
    def judge(pairs):
        out = []
        for first, second in pairs:
            if rng.random() < bias:
                out.append("1")
            elif (answers[first] == correct) != (answers[second] == correct):
                right = "1" if answers[first] == correct else "2"
                out.append(right if rng.random() < skill else {"1": "2", "2": "1"}[right])
            else:
                out.append(rng.choice("12"))
        return out

    return judge


@pytest.mark.parametrize("m", [1, 2, 3, 5, 8, 13])
def test_bracket_has_every_seed_once_and_byes_go_to_top_seeds(m):
    order = bracket_order(m)
    assert sorted(s for s in order if s is not None) == list(range(m))
    byes = [
        order[k] if order[k + 1] is None else order[k + 1]
        for k in range(0, len(order) - 1, 2)
        if None in order[k : k + 2]
    ]
    assert sorted(byes) == list(range(len(byes)))
    if m >= 2:
        assert order[:2] == [0, len(order) - 1] or order[1] is None


def test_merge_groups_by_answer_and_drops_no_answer_candidates():
    answers = ["3", "5", "3", None, "3", "5", "7"]
    seeded = entrants(answers)
    assert [(e.answer, e.members) for e in seeded] == [("3", (0, 2, 4)), ("5", (1, 5)), ("7", (6,))]
    assert [e.count for e in entrants(answers, merge=False)] == [1] * 7
    assert [e.index for e in entrants([None, None])] == [0, 1]


def test_plain_knockout_makes_n_minus_one_calls_and_always_first_keeps_the_top_seed():
    answers = [str(k) for k in range(16)]
    selection = run(knockout(entrants(answers, merge=False), both_orders=False), always("1"))
    assert selection.judge_calls == 15 and len(selection.matches) == 15
    assert selection.winner == 0
    assert all(match.pairs == [(match.a, match.b)] for match in selection.matches)


def test_always_correct_judge_finds_the_correct_answer_with_and_without_merging():
    answers = ["9", "4", "9", "4", "2", "4", "4", "4", "1", "2", "9"]
    for merge in (False, True):
        for both in (False, True):
            selection = run(knockout(entrants(answers, merge), both), oracle(answers, "9"))
            assert answers[selection.winner] == "9", (merge, both)


def test_judge_calls_scale_with_distinct_answers_not_n():
    answers = ["a"] * 60 + ["b"] * 40 + ["c"] * 20 + ["d"] * 8
    selection = run(knockout(entrants(answers), both_orders=True, max_looks=3), always("1"))
    assert selection.judge_calls <= 2 * 3 * 3  # 3 matches, at most 3 looks of 2 calls each
    assert run(knockout(entrants(answers, merge=False), both_orders=False), always("1")).judge_calls == 127


def test_a_singleton_never_costs_a_call_against_a_group_five_times_larger():
    answers = ["a"] * 5 + ["b"]
    selection = run(knockout(entrants(answers)), always("2"))
    assert selection.judge_calls == 0 and selection.winner == 0


def test_both_orders_cancel_position_bias_and_the_count_breaks_the_tie():
    answers = ["x", "y", "y", "x", "y"]  # y: 3 candidates, x: 2
    for verdict in ("1", "2"):
        selection = run(knockout(entrants(answers), both_orders=True), always(verdict))
        match = selection.matches[0]
        assert match.votes[0] == match.votes[1]
        assert answers[selection.winner] == "y"
    one_order = run(knockout(entrants(answers), both_orders=False), always("2"))
    assert answers[one_order.winner] == "x"  # a single order follows the biased judge


def test_one_order_without_verdict_lets_the_other_decide():
    answers = ["x", "x", "y", "y"]
    verdicts = iter(["2", None, "2", None])
    selection = run(
        knockout(entrants(answers), both_orders=True, max_looks=2), lambda pairs: [next(verdicts) for _ in pairs]
    )
    assert answers[selection.winner] == "y"
    assert selection.matches[0].votes == (0, 2)


def test_no_verdict_at_all_falls_back_to_the_higher_seed():
    answers = ["p", "q", "q"]
    assert answers[run(knockout(entrants(answers)), always(None)).winner] == "q"
    assert run(knockout(entrants(["p", "q"], merge=False), both_orders=False), always("tie")).winner == 0


def test_position_biased_noisy_judge_beats_first_sample_and_both_orders_beat_one_order():
    rng = random.Random(0)
    hits = {"first": 0, "merged_one_order": 0, "merged_both": 0, "plain": 0}
    for _ in range(300):
        answers = [rng.choice(["ok"] * 4 + ["w1"] * 3 + ["w2", "w3"]) for _ in range(32)]
        hits["first"] += answers[0] == "ok"
        for key, merge, both in (
            ("merged_one_order", True, False),
            ("merged_both", True, True),
            ("plain", False, False),
        ):
            judge = noisy(answers, "ok", random.Random(rng.random()), skill=0.8, bias=0.3)
            hits[key] += answers[run(knockout(entrants(answers, merge), both), judge).winner] == "ok"
    assert hits["merged_both"] > hits["first"] + 60
    assert hits["plain"] > hits["first"] + 60
    assert hits["merged_both"] >= hits["merged_one_order"]


def test_run_batched_serves_one_step_of_every_knockout_per_call():
    pools = [["a", "b", "c", "d"], ["a", "a", "b"], ["z"]]
    calls = []

    def judge(requests):
        calls.append(requests)
        return ["1"] * len(requests)

    batched = run_batched([knockout(entrants(p, merge=False), both_orders=False) for p in pools], judge)
    alone = [run(knockout(entrants(p, merge=False), both_orders=False), always("1")) for p in pools]
    assert [s.winner for s in batched] == [s.winner for s in alone]
    assert len(calls) == 2  # two rounds for the 4-candidate pool, the others ride along
    assert {k for k, _, _ in calls[0]} == {0, 1}


def test_a_judge_returning_the_wrong_number_of_verdicts_is_an_error():
    with pytest.raises(ValueError, match="verdicts for"):
        run(knockout(entrants(["a", "b"])), lambda pairs: [])
    with pytest.raises(ValueError, match="max_looks"):
        run(knockout(entrants(["a", "b"]), max_looks=0), always("1"))


def test_majority_vote_breaks_ties_by_first_appearance_and_ignores_missing_answers():
    assert majority_vote([None, "b", "a", "a", "b"]) == 1
    assert majority_vote([None, None]) is None
    assert majority_vote(["c", None, "d", "d"]) == 2
