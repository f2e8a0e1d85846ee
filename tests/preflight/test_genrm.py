"""Preflight of a critic-rewarded run: the verl 0.9.1 traps that are real (evidence pinned here), and judge lengths."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from critic_r1_ext.preflight.__main__ import compose, run_checks
from critic_r1_ext.preflight.checks import FAIL, PASS
from critic_r1_ext.preflight.genrm import check_genrm


def statuses(*overrides):
    return {c.name: c.status for c in check_genrm(compose(["+recipe=critic_genrm", *overrides]))}


def test_the_recipe_passes():
    assert set(statuses().values()) == {PASS}


def test_preflight_runs_the_genrm_checks_instead_of_the_critic_reward_check():
    names = [c.name for c in run_checks(["+recipe=critic_genrm"], None, 0, 80.0)]
    assert "genrm" in names and "reward" not in names


@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("reward.reward_model.enable_resource_pool=false", "genrm colocated judge"),
        ("reward.reward_model.rollout.free_cache_engine=true", "genrm judge asleep"),
        ("reward.custom_reward_function.path=null", "genrm /classify"),
        ("reward.reward_model.enable=false", "genrm judge"),
        ("reward.reward_model.enable=false", "genrm idle judge pool"),
        ("data.max_response_length=4096", "genrm judge length"),
        ("reward.custom_reward_function.reward_kwargs.max_tokens=4096", "genrm judge budget"),
        ("reward.reward_model.rollout.max_model_len=8192", "genrm judge context"),
        ("reward.custom_reward_function.reward_kwargs.mode=pairwise", "genrm mode"),
        ("ray_kwargs.ray_init.runtime_env.worker_process_setup_hook=null", "genrm metrics"),
    ],
)
def test_each_trap_fails_with_its_fix(override, check):
    assert statuses(override)[check] == FAIL


def test_group_mode_with_a_smaller_validation_n_warns():
    found = statuses("reward.custom_reward_function.reward_kwargs.mode=round_robin", "trainer.test_freq=5")
    assert found["genrm validation"] == "WARN"


def test_trap_colocated_reward_workers_get_only_raw_prompt():
    """verl's colocated path builds the reward input from three fields; a stock manager then fails on it."""
    from verl import DataProto
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    assert 'fields = ["prompts", "responses", "raw_prompt"]' in inspect.getsource(PPOTrainer._compute_reward_colocate)
    raw = np.empty(1, dtype=object)
    raw[0] = [{"role": "user", "content": "q"}]
    colocated = DataProto.from_dict(
        tensors={"prompts": torch.ones(1, 2).long(), "responses": torch.ones(1, 2).long(),
                 "attention_mask": torch.ones(1, 4).long()},
        non_tensors={"raw_prompt": raw},
    )  # fmt: skip

    class Tok:
        def decode(self, ids, skip_special_tokens=True):
            return "answer"

    naive = NaiveRewardManager(compose([]), Tok(), compute_score=lambda **kw: 1.0)
    with pytest.raises(KeyError, match="data_source"):
        naive.loop.run_until_complete(naive.run_single(colocated))


def test_trap_free_cache_engine_sleeps_the_judge_and_only_the_colocated_path_wakes_it():
    import verl.experimental.reward_loop.reward_loop as reward_loop
    from verl.experimental.reward_loop.reward_model import RewardModelManager
    from verl.trainer.ppo.v1 import trainer_base

    init = inspect.getsource(RewardModelManager.__init__)
    assert "if self.config.rollout.free_cache_engine:" in init and "self.sleep()" in init
    loop_source = inspect.getsource(reward_loop)
    assert loop_source.count("reward_model_manager.wake_up()") == 1
    assert "self.reward_model_manager.wake_up()" in inspect.getsource(reward_loop.RewardLoopManager.compute_rm_score)
    trainer = inspect.getsource(trainer_base)
    assert trainer.count(".compute_rm_score(") == 1
    assert ".compute_rm_score(" in inspect.getsource(trainer_base.PPOTrainer._compute_reward_colocate)


def test_trap_reward_model_without_custom_function_goes_to_classify():
    from verl.experimental.reward_loop.reward_loop import RewardLoopWorker

    source = inspect.getsource(RewardLoopWorker.compute_score)
    assert "custom_reward_function.path is not None" in source and "compute_score_disrm" in source
