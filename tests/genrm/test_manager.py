"""CriticGenRM loaded by verl's own ``load_reward_manager`` from the recipe, judging through the loopback server."""

from __future__ import annotations

import asyncio
import math
import random

import pytest
from genrm.conftest import ScriptedCritic, genrm_config, manager, sample

from critic_r1_ext.genrm import groups
from critic_r1_ext.genrm.loopback import serve


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


@pytest.fixture(autouse=True)
def fresh_board(monkeypatch):
    """Each test gets its own in-process board (the Ray actor's class, without Ray)."""
    shared = groups._LocalBoard(groups.GroupBoard())
    monkeypatch.setattr("critic_r1_ext.genrm.manager.board", lambda: shared)
    return shared.inner


def test_reference_mode_both_orders_cancel_a_position_biased_judge(tiny_tokenizer):
    with serve(ScriptedCritic(bias=True)) as url:
        rm = manager(genrm_config(url), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9")))
    info = out["reward_extra_info"]
    assert out["reward_score"] == 0.5  # wins as Answer 1, loses as Answer 2
    assert info["genrm_judge_calls"] == 2 and info["genrm_position1_votes"] == 2
    assert info["genrm_swap_pairs"] == 1 and info["genrm_swap_consistent"] == 0


def test_reference_mode_rewards_the_better_answer_and_sends_the_image(tiny_tokenizer):
    from PIL import Image

    critic = ScriptedCritic()
    with serve(critic) as url:
        rm = manager(genrm_config(url), tiny_tokenizer)
        image = Image.new("RGB", (32, 32), "red")
        good = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9", image=image)))
        bad = run(rm.run_single(sample(tiny_tokenizer, "v", 0, "q=0.1", image=image)))
    assert (good["reward_score"], bad["reward_score"]) == (1.0, 0.0)
    assert critic.images == [1, 1, 1, 1]
    assert good["reward_extra_info"]["genrm_swap_consistent"] == 1


def test_one_order_judges_once(tiny_tokenizer):
    critic = ScriptedCritic()
    with serve(critic) as url:
        rm = manager(genrm_config(url, "reward.custom_reward_function.reward_kwargs.both_orders=false"), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9")))
    assert critic.calls == 1 and out["reward_score"] == 1.0


def test_ties_count_half(tiny_tokenizer):
    with serve(ScriptedCritic()) as url:
        rm = manager(genrm_config(url), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "TIE q=0.9")))
    assert out["reward_score"] == 0.5 and out["reward_extra_info"]["genrm_neutral"] == 0


def test_garbage_verdicts_give_a_counted_neutral_reward(tiny_tokenizer):
    with serve(ScriptedCritic()) as url:
        rm = manager(
            genrm_config(url, "+reward.custom_reward_function.reward_kwargs.neutral_reward=0.25"), tiny_tokenizer
        )
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "GARBAGE")))
    info = out["reward_extra_info"]
    assert out["reward_score"] == 0.25
    assert info["genrm_neutral"] == 1 and info["genrm_parse_failures"] == 2 and info["genrm_judge_failures"] == 0


def test_timeouts_are_retried_then_counted_neutral(tiny_tokenizer):
    critic = ScriptedCritic(slow_s=1.0)
    overrides = (
        "reward.custom_reward_function.reward_kwargs.timeout_s=0.2",
        "+reward.custom_reward_function.reward_kwargs.max_retries=1",
    )
    with serve(critic) as url:
        rm = manager(genrm_config(url, *overrides), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "SLOW q=1")))
    info = out["reward_extra_info"]
    assert critic.calls == 4  # two orders, each tried twice
    assert out["reward_score"] == 0.5 and info["genrm_neutral"] == 1 and info["genrm_judge_failures"] == 2


def test_server_errors_are_retried_with_backoff(tiny_tokenizer):
    critic = ScriptedCritic(fail_first=2)
    with serve(critic) as url:
        rm = manager(genrm_config(url), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9")))
    assert out["reward_score"] == 1.0 and critic.calls == 4


def test_a_dead_judge_gives_neutral_rewards_not_a_crash(tiny_tokenizer):
    with serve(ScriptedCritic()) as url:
        pass  # the server is gone: connection refused
    rm = manager(genrm_config(url, "+reward.custom_reward_function.reward_kwargs.max_retries=0"), tiny_tokenizer)
    out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9")))
    assert out["reward_score"] == 0.5 and out["reward_extra_info"]["genrm_judge_failures"] == 2


def test_no_reference_answer_is_a_counted_neutral(tiny_tokenizer):
    with serve(ScriptedCritic()) as url:
        rm = manager(genrm_config(url), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9", reference=None)))
    assert out["reward_score"] == 0.5 and out["reward_extra_info"]["genrm_neutral"] == 1


def _group(tiny_tokenizer, url, mode, qualities, workers=3, seed=0, *overrides):
    """One group scored by ``workers`` manager instances sharing the board; members assigned at random."""
    config = genrm_config(
        url,
        f"reward.custom_reward_function.reward_kwargs.mode={mode}",
        f"actor_rollout_ref.rollout.n={len(qualities)}",
        *overrides,
    )
    rms = [manager(config, tiny_tokenizer) for _ in range(workers)]
    rng = random.Random(seed)

    async def all_members():
        order = list(range(len(qualities)))
        rng.shuffle(order)
        tasks = [rng.choice(rms).run_single(sample(tiny_tokenizer, "g", i, f"q={qualities[i]}")) for i in order]
        done = await asyncio.gather(*tasks)
        return [done[order.index(i)] for i in range(len(qualities))]

    return run(all_members())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_round_robin_gathers_the_group_across_workers(tiny_tokenizer, fresh_board, seed):
    critic = ScriptedCritic()
    with serve(critic) as url:
        out = _group(tiny_tokenizer, url, "round_robin", [0.1, 0.4, 0.9, 0.6], seed=seed)
    assert [o["reward_score"] for o in out] == [0.0, 1 / 3, 1.0, 2 / 3]
    assert critic.calls == 12  # 4 * 3 ordered pairs, judged once for the whole group
    assert sum(o["reward_extra_info"]["genrm_judge_calls"] for o in out) == 12
    assert all(o["reward_extra_info"]["genrm_fallback"] == 0 for o in out)
    assert fresh_board.pending() == 0


def test_anchor_and_knockout_modes(tiny_tokenizer):
    qualities = [0.1, 0.4, 0.9, 0.6, 0.2, 0.3, 0.8, 0.7]
    with serve(ScriptedCritic()) as url:
        knock = [o["reward_score"] for o in _group(tiny_tokenizer, url, "knockout", qualities)]
        anchor = _group(tiny_tokenizer, url, "anchor", qualities)
    assert knock[2] == 1.0 and sorted(knock) == [0, 0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]
    scores = [o["reward_score"] for o in anchor]
    assert sorted(scores).count(0.5) >= 1 and sum(o["reward_extra_info"]["genrm_judge_calls"] for o in anchor) == 14
    assert all(s in (0.0, 0.5, 1.0) for s in scores)


def test_a_member_that_never_arrives_makes_the_others_fall_back_to_reference(tiny_tokenizer, fresh_board):
    overrides = ("reward.custom_reward_function.reward_kwargs.mode=round_robin", "actor_rollout_ref.rollout.n=4",
                 "+reward.custom_reward_function.reward_kwargs.group_timeout_s=0.3")  # fmt: skip
    with serve(ScriptedCritic()) as url:
        rm = manager(genrm_config(url, *overrides), tiny_tokenizer)

        async def three_of_four():
            return await asyncio.gather(
                *(rm.run_single(sample(tiny_tokenizer, "g", i, f"q={q}")) for i, q in enumerate([0.1, 0.9, 0.7]))
            )

        out = run(three_of_four())
        late = run(rm.run_single(sample(tiny_tokenizer, "g", 3, "q=0.8")))
    assert [o["reward_score"] for o in out] == [0.0, 1.0, 1.0]  # against the reference q=0.5
    for o in [*out, late]:
        info = o["reward_extra_info"]
        assert info["genrm_fallback"] == 1 and info["genrm_judge_calls"] == 2
        assert math.isnan(info["genrm_reward_round_robin"]) and info["genrm_reward_reference"] == o["reward_score"]
    assert late["reward_score"] == 1.0 and fresh_board.pending() == 0


def test_mix_with_verls_rule_scorer(tiny_tokenizer):
    overrides = ("reward.custom_reward_function.reward_kwargs.alpha=0.5",)
    with serve(ScriptedCritic()) as url:
        rm = manager(genrm_config(url, *overrides), tiny_tokenizer)
        out = run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9")))
    info = out["reward_extra_info"]  # data_source "toy" has no verl scorer: the rule term is 0 and counted
    assert info["genrm_rule_failures"] == 1 and out["reward_score"] == 0.5 * 0 + 0.5 * 1.0


def test_keys_that_are_not_options_are_left_to_the_rule_function(tiny_tokenizer):
    rm = manager(
        genrm_config("http://x/v1", "+reward.custom_reward_function.reward_kwargs.format_weight=0.1"), tiny_tokenizer
    )
    assert rm.opts.mode == "reference"


def test_bad_options_fail_at_start_with_the_key_named(tiny_tokenizer):
    with pytest.raises(ValueError, match="mode='best'"):
        manager(genrm_config("http://x/v1", "reward.custom_reward_function.reward_kwargs.mode=best"), tiny_tokenizer)
    with pytest.raises(ValueError, match="enable_resource_pool=true"):
        manager(
            genrm_config(
                "http://x/v1", "reward.reward_model.enable=true", "reward.reward_model.enable_resource_pool=false"
            ),
            tiny_tokenizer,
        )
