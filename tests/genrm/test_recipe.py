"""The critic_genrm recipes compose onto verl's config, validate, and set only keys verl (or our manager) reads."""

from __future__ import annotations

import pytest
from conftest import compose_verl_config
from omegaconf import OmegaConf
from test_recipes import VERL_KEYS_NOT_IN_YAML_PREFIXES, _recipe_leaves

GENRM_RECIPES = ["critic_genrm", "critic_genrm_reward", "critic_genrm_smoke"]


@pytest.mark.parametrize("recipe", GENRM_RECIPES)
def test_every_key_is_read_by_verl(recipe):
    plain = compose_verl_config()
    for key in _recipe_leaves(recipe):
        if key.startswith(VERL_KEYS_NOT_IN_YAML_PREFIXES):
            continue
        parent, _, leaf = key.rpartition(".")
        node = OmegaConf.select(plain, parent) if parent else plain
        assert node is not None and leaf in node.keys(), f"{recipe}.yaml sets a key verl does not have: {key}"


@pytest.mark.parametrize("recipe", ["critic_genrm", "critic_genrm_smoke"])
def test_verl_validates_the_recipe(recipe):
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    cfg = compose_verl_config(f"+recipe={recipe}")
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))


def test_the_recipe_selects_our_manager_with_stock_keys():
    from verl.trainer.ppo.reward import get_custom_reward_fn, resolve_reward_manager_cls

    from critic_r1_ext.genrm.manager import CriticGenRM

    cfg = compose_verl_config("+recipe=critic_genrm")
    assert resolve_reward_manager_cls(cfg) is CriticGenRM
    assert get_custom_reward_fn(cfg) is not None  # else verl would post to /classify
    assert cfg.reward.reward_model.enable_resource_pool and not cfg.reward.reward_model.rollout.free_cache_engine


def test_the_smoke_recipe_keeps_the_cpu_setup_of_critic_r1_smoke():
    smoke, genrm = compose_verl_config("+recipe=critic_r1_smoke"), compose_verl_config("+recipe=critic_genrm_smoke")
    for key in (
        "actor_rollout_ref.rollout.name",
        "trainer.device",
        "actor_rollout_ref.actor.strategy",
        "transfer_queue.backend.SimpleStorage.num_data_storage_units",
        "ray_kwargs.ray_init.num_gpus",
    ):
        assert OmegaConf.select(genrm, key) == OmegaConf.select(smoke, key), key
    assert genrm.data.custom_cls.path is None  # verl's RLHFDataset reads the policy parquet


def test_the_registration_hook_registers_the_trainer():
    from verl.trainer.ppo.v1 import get_trainer_cls

    from critic_r1_ext.genrm import trainer

    trainer.setup()
    assert get_trainer_cls("genrm_sync") is trainer.GenRMSyncTrainer
