"""Values verl accepts and then misuses: counts, learning rates, lengths vs the model's context, GRPO's group."""

from __future__ import annotations

import json

import pytest

from critic_r1_ext.preflight.config import check_divisibility
from critic_r1_ext.preflight.ranges import check_values, model_context


def _failed(checks) -> list[str]:
    return [c.detail for c in checks if c.status == "FAIL"]


def test_the_recipes_values_pass(verl_config):
    (check,) = check_values(verl_config("+recipe=critic_r1"))
    assert check.status == "PASS"


@pytest.mark.parametrize(
    ("override", "said"),
    [
        ("trainer.nnodes=0", "trainer.nnodes=0 is zero or negative"),
        ("trainer.n_gpus_per_node=-8", "trainer.n_gpus_per_node=-8 is zero or negative"),
        ("trainer.total_epochs=two", "trainer.total_epochs='two' is not an integer"),
        ("trainer.total_training_steps=0", "trainer.total_training_steps=0 is zero or negative"),
        ("actor_rollout_ref.actor.optim.lr=1e-6x", "actor_rollout_ref.actor.optim.lr='1e-6x' is not a number"),
        ("actor_rollout_ref.actor.optim.lr=0", "out of range"),
        ("actor_rollout_ref.actor.optim.lr=3", "out of range"),
        ("actor_rollout_ref.rollout.n=1", "a group of one has no baseline"),
    ],
)
def test_bad_values_fail_with_the_fix(verl_config, override, said):
    checks = check_values(verl_config("+recipe=critic_r1", override))
    assert any(said in detail for detail in _failed(checks)), checks
    assert all(c.fix for c in checks if c.status == "FAIL")


def test_a_large_learning_rate_warns(verl_config):
    (check,) = check_values(verl_config("+recipe=critic_r1", "actor_rollout_ref.actor.optim.lr=5e-4"))
    assert check.status == "WARN" and "1e-06" in check.fix


def test_a_group_of_one_is_fine_without_a_group_estimator(verl_config):
    checks = check_values(
        verl_config("+recipe=critic_r1", "actor_rollout_ref.rollout.n=1", "algorithm.adv_estimator=gae")
    )
    assert _failed(checks) == []


def test_lengths_over_the_local_models_context_fail_with_lengths_that_fit(verl_config, tiny_qwen_dir):
    context = model_context(str(tiny_qwen_dir))
    assert context == json.loads((tiny_qwen_dir / "config.json").read_text())["text_config"]["max_position_embeddings"]
    cfg = verl_config(
        "+recipe=critic_r1",
        f"actor_rollout_ref.model.path={tiny_qwen_dir}",
        f"data.max_prompt_length={context}",
        "data.max_response_length=2048",
    )
    (check,) = check_values(cfg)
    assert check.status == "FAIL" and f"over the model's context of {context} tokens" in check.detail
    assert "data.max_response_length to 1 or data.max_prompt_length to" in check.fix


def test_indivisible_batches_name_the_nearest_valid_values(verl_config):
    cfg = verl_config(
        "+recipe=critic_r1",
        "trainer.nnodes=3",
        "data.train_batch_size=250",
        "actor_rollout_ref.actor.ppo_mini_batch_size=4",
    )
    fixes = {c.detail: c.fix for c in check_divisibility(cfg) if c.status == "FAIL"}
    (batch_fix,) = [fix for detail, fix in fixes.items() if detail.startswith("train_batch_size*rollout.n")]
    assert batch_fix.endswith("data.train_batch_size=240 or 252.")  # the closest multiples of 4 with 8x over 24


def test_divisibility_on_a_zero_gpu_count_is_a_line_not_a_crash(verl_config):
    (check,) = check_divisibility(verl_config("+recipe=critic_r1", "trainer.n_gpus_per_node=0"))
    assert check.status == "FAIL" and "not checked" in check.detail
