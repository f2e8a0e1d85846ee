"""GRPO steps through verl's own actor and reference engines on a CPU, with our recipe, data and reward.

The loop runs in a subprocess: verl swaps Qwen2.5-VL's forward process-wide and the loop installs a
CPU platform and a gloo process group, none of which may leak into the rest of the suite. The tiny
model is first given a short supervised *warm start* (think/boxed answers built from the sample's
labels) so that rewards vary and GRPO has non-zero advantages; see critic_r1_ext/cpu/warm_start.py.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import critic_r1_ext
from critic_r1_ext.rollout_metrics import metrics_table

STEPS = 3
RECIPE = Path(critic_r1_ext.__file__).parent / "hydra_configs" / "recipe" / "critic_r1.yaml"


@pytest.fixture(scope="module")
def loop_results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grpo_loop")
    out = tmp / "results.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "critic_r1_ext.cpu.grpo_loop",
            "--workdir",
            str(tmp / "work"),
            "--steps",
            str(STEPS),
            "--json",
            str(out),
            "--dump-dir",
            str(tmp / "rollouts"),
        ],
        check=True,
        timeout=900,
        cwd=Path(__file__).resolve().parents[2],
    )
    return json.loads(out.read_text()), tmp / "rollouts"


def test_warm_start_makes_rewards_vary_so_grpo_has_advantages(loop_results):
    results, _ = loop_results
    assert results["warm_start"]["loss_last"] < results["warm_start"]["loss_first"] / 4
    assert len(results["steps"]) == STEPS
    assert any(step["advantage_abs"] > 0 for step in results["steps"])
    assert any(step["format"] > 0 for step in results["steps"])


def test_every_logged_metric_is_finite(loop_results):
    results, _ = loop_results
    for step in results["steps"]:
        assert {"reward", "acc", "format", "actor/pg_loss", "actor/kl_loss", "actor/grad_norm"} <= set(step)
        assert all(math.isfinite(value) for value in step.values()), step


def test_engine_log_probs_match_a_plain_hf_forward_with_images(loop_results):
    results, _ = loop_results
    assert results["log_prob_batch_images"] >= 1
    assert results["position_ids_shape"][1] == 4  # text + 3 mrope rows, as verl's agent loop builds them
    assert results["log_prob_mean_abs_diff"] < 0.05


def test_one_grpo_update_favours_the_rollouts_with_positive_advantage(loop_results):
    """Step 1's single optimizer update through verl's engine, compared on the batch it came from (seeded).

    The first-order change of the PPO objective is ``sum_i A_i * (new_i - old_i)`` (log-probs summed
    over each response; the ratio is 1, so nothing is clipped), and AdamW's first step makes it
    positive; positive-advantage rollouts gain on negative ones on average. A flipped advantage sign
    or a loss mask off the response tokens fails here. Not asserted per rollout: two groups can
    share a response with opposite advantages (a verdict right for one prompt, wrong for the other),
    and a prompt-blind model then moves both copies the same way.
    """
    effect = loop_results[0]["update_effect"]
    rows = list(zip(effect["advantage"], effect["old_log_prob"], effect["new_log_prob"], strict=True))
    assert sum(advantage * (new - old) for advantage, old, new in rows) > 0, rows
    raised = [new - old for advantage, old, new in rows if advantage > 0]
    lowered = [new - old for advantage, old, new in rows if advantage < 0]
    assert raised and lowered, rows
    assert sum(raised) / len(raised) > sum(lowered) / len(lowered), rows
    assert sum(lowered) < 0, rows


def test_actor_parameters_change(loop_results):
    results, _ = loop_results
    assert results["engine_strategy"] == "fsdp2" and results["ref_param_offload"]
    assert results["param_max_abs_change"] > 0


def test_recipe_kl_and_clip_settings_reach_the_loss(loop_results):
    results, _ = loop_results
    actor = OmegaConf.load(RECIPE).actor_rollout_ref.actor
    expected = {
        key: actor[key]
        for key in (
            "use_kl_loss",
            "kl_loss_type",
            "kl_loss_coef",
            "clip_ratio_low",
            "clip_ratio_high",
            "clip_ratio_c",
            "loss_agg_mode",
        )
    }
    assert {key: results["loss_config"][key] for key in expected} == expected
    assert all(step["actor/kl_coef"] == actor.kl_loss_coef for step in results["steps"])
    assert any(step["actor/kl_loss"] > 0 for step in results["steps"])  # the actor drifts from the reference


def test_rollouts_never_contain_vision_placeholders(loop_results, tiny_tokenizer):
    results, _ = loop_results
    placeholders = tiny_tokenizer.convert_tokens_to_ids(["<|image_pad|>", "<|video_pad|>"])
    assert sorted(results["banned_token_ids"]) == sorted(placeholders)
    assert results["banned_tokens_sampled"] == []


def test_rollout_metrics_read_the_loops_verl_dumps(loop_results):
    results, dump_dir = loop_results
    table = metrics_table(dump_dir)
    assert [row["step"] for row in table] == list(range(1, STEPS + 1))
    for row, step in zip(table, results["steps"], strict=True):
        assert row["acc"] == pytest.approx(step["acc"]) and row["format"] == pytest.approx(step["format"])
        assert row["score"] == pytest.approx(step["reward"], abs=1e-6)
        assert row["position_bias"] == pytest.approx(row["verdict_1"] - row["label_1"])
