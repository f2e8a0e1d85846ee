"""How each mode turns pairwise verdicts into per-rollout rewards, and what it costs in judge calls."""

from __future__ import annotations

import asyncio

import pytest

from critic_r1_ext.genrm import modes


def perfect(quality, bias_to_first=False):
    async def judge(first, second):
        q = [*quality, 0.5]  # REFERENCE (-1) has quality 0.5
        if bias_to_first:
            return "1"
        return "1" if q[first] > q[second] else "2" if q[second] > q[first] else "tie"

    return judge


def score(mode, quality, **kw):
    return asyncio.run(modes.score(mode, len(quality), perfect(quality, kw.pop("bias", False)), **kw))


@pytest.mark.parametrize("mode", modes.MODES)
@pytest.mark.parametrize("n", [8, 16])
@pytest.mark.parametrize("both", [True, False])
def test_calls_per_group_match_the_formula(mode, n, both):
    quality = [i / n for i in range(n)]
    assert score(mode, quality, both_orders=both, anchor=3).calls == modes.judge_calls(mode, n, both)


def test_round_robin_reward_is_the_win_rate():
    assert score("round_robin", [0.1, 0.9, 0.5]).rewards == [0.0, 1.0, 0.5]


def test_reference_reward_is_the_share_of_orders_won_and_ties_count_half():
    assert score("reference", [0.9, 0.1, 0.5]).rewards == [1.0, 0.0, 0.5]


def test_anchor_compares_everyone_with_one_sibling_and_gives_it_half():
    result = score("anchor", [0.1, 0.9, 0.5, 0.7], anchor=2)
    assert result.rewards == [0.0, 1.0, 0.5, 1.0]
    assert all(2 in (f, s) for f, s, _ in result.judged)


def test_knockout_reward_is_the_round_reached():
    quality = [0.1, 0.4, 0.9, 0.6, 0.2, 0.3, 0.8, 0.7]
    rewards = score("knockout", quality).rewards
    assert rewards[2] == 1.0  # the best wins every round
    assert sorted(rewards) == [0, 0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]


def test_both_orders_cancel_position_bias_one_order_does_not():
    quality = [0.1, 0.9, 0.5, 0.3]
    both = score("round_robin", quality, bias=True)
    one = score("round_robin", quality, bias=True, both_orders=False)
    assert both.rewards == [0.5] * 4  # always "Answer 1": no information, and no member favoured
    assert both.position1 == both.decisive == 12 and both.swaps() == (6, 0)
    assert sorted(one.rewards) != [0.5] * 4  # one order: the positions decide


def test_one_order_alternates_positions():
    firsts = [f for f, _ in modes.pairs_for("round_robin", 8, both_orders=False)]
    assert max(firsts.count(i) for i in range(8)) - min(firsts.count(i) for i in range(8)) <= 4
    assert modes.pairs_for("reference", 2, both_orders=False) == [(0, modes.REFERENCE), (modes.REFERENCE, 1)]


def test_no_valid_verdict_means_no_reward():
    async def broken(first, second):
        return None

    for mode in modes.MODES:
        result = asyncio.run(modes.score(mode, 4, broken))
        assert result.rewards == [None] * 4 if mode != "anchor" else result.rewards.count(None) == 3
        assert result.decisive == 0 and result.swaps() == (0, 0)


def test_swap_consistency_counts_agreeing_orders():
    quality = [0.1, 0.9]
    assert score("round_robin", quality).swaps() == (1, 1)


def test_anchor_draw_is_seeded_by_group():
    assert modes.draw_anchor(8, 0, "uid-a") == modes.draw_anchor(8, 0, "uid-a")
    assert len({modes.draw_anchor(8, 0, f"uid-{k}") for k in range(50)}) == 8


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown mode 'pairwise'"):
        asyncio.run(modes.score("pairwise", 2, perfect([0, 1])))
