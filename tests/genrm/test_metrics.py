"""The per-step judge metrics: counts summed, rates as ratios of sums, rewards per mode over the rollouts it scored."""

from __future__ import annotations

import math

from critic_r1_ext.genrm.manager import GenRMOptions, extra_keys
from critic_r1_ext.genrm.metrics import step_metrics


def info(**values):
    base = {key: 0.0 for key in extra_keys(GenRMOptions(mode="round_robin"))}
    base.update({"genrm_reward_round_robin": math.nan, "genrm_reward_reference": math.nan})
    return {**base, **{f"genrm_{k}": v for k, v in values.items()}}


def test_step_metrics_aggregate_a_batch():
    infos = [
        info(critic=1.0, judge_calls=3, position1_votes=2, decisive_votes=3, swap_pairs=1.5, swap_consistent=1.5,
             reward_round_robin=1.0),
        info(critic=0.0, judge_calls=3, position1_votes=1, decisive_votes=3, swap_pairs=1.5, swap_consistent=0.5,
             reward_round_robin=0.0),
        info(critic=0.5, judge_calls=2, parse_failures=2, fallback=1, neutral=1),
    ]  # fmt: skip
    m = step_metrics(infos)
    assert m["genrm/judge_calls"] == 8 and m["genrm/parse_failures"] == 2
    assert m["genrm/fallback"] == 1 and m["genrm/neutral"] == 1
    assert m["genrm/position1_rate"] == 0.5 and m["genrm/swap_consistency"] == 2 / 3
    assert m["genrm/reward/round_robin"] == 0.5 and math.isnan(m["genrm/reward/reference"])
    assert m["genrm/critic_reward"] == 0.5 and m["genrm/judge_calls_per_rollout"] == 8 / 3


def test_no_genrm_samples_no_metrics():
    assert step_metrics([{"acc": 1.0}]) == {}


def test_every_sample_returns_the_same_keys():
    assert extra_keys(GenRMOptions(mode="reference")) == extra_keys(GenRMOptions(mode="reference"))
    keys = extra_keys(GenRMOptions(mode="knockout", alpha=0.3))
    assert {"genrm_reward_knockout", "genrm_reward_reference", "genrm_rule", "genrm_rule_failures"} <= set(keys)
