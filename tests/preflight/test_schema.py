"""Every key against verl's own schema: derived from its composed YAML, _generated_ files and config dataclasses."""

from __future__ import annotations

import pytest

from critic_r1_ext.preflight.schema import check_keys, unknown_keys, verl_tree


@pytest.mark.parametrize("recipe", ["critic_r1", "critic_r1_plus", "critic_r1_plus_mimo", "critic_r1_smoke"])
def test_every_recipe_key_is_one_verl_or_we_read(verl_config, recipe):
    assert unknown_keys(verl_config(f"+recipe={recipe}")) == []


@pytest.mark.parametrize(
    ("override", "meant"),
    [
        ("+trainer.totl_epochs=3", "did you mean trainer.total_epochs (read by verl)"),
        ("+algorithm.kl_ctrl.kl_coeff=0.01", "did you mean algorithm.kl_ctrl.kl_coef"),
        ("+actor_rollout_ref.actor.optim.learning_rate=1e-6", "did you mean actor_rollout_ref.actor.optim.lr"),
        ("+actor_rollout_ref.rollout.temprature=0.7", "did you mean actor_rollout_ref.rollout.temperature"),
        ("+trainer.ppo_mini_batch_size=4", "did you mean actor_rollout_ref.actor.ppo_mini_batch_size or"),
        ("+data.swap_probb=0.5", "did you mean data.swap_prob (read by critic_r1_ext)"),
        ("+ray_kwargs.ray_init.num_gpu=8", "did you mean ray_kwargs.ray_init.num_gpus"),
        ("+reward.custom_reward_function.reward_kwargs.acc_weigth=1", "did you mean acc_weight"),
    ],
)
def test_a_misspelt_key_anywhere_fails_with_did_you_mean(verl_config, override, meant):
    (check,) = check_keys(verl_config("+recipe=critic_r1", override))
    assert check.status == "FAIL" and meant in check.detail


def test_a_key_no_one_reads_fails_outside_data_and_warns_inside(verl_config):
    checks = check_keys(verl_config("+recipe=critic_r1", "+trainer.my_flag=1", "+data.my_flag=1"))
    by_key = {c.detail.split()[0]: c.status for c in checks}
    assert by_key == {"trainer.my_flag": "FAIL", "data.my_flag": "WARN"}


def test_free_form_sections_verl_hands_on_are_not_checked(verl_config):
    cfg = verl_config(
        "+recipe=critic_r1",
        "+actor_rollout_ref.rollout.engine_kwargs.vllm.swap_space=4",
        "+actor_rollout_ref.model.override_config.attention_dropout=0.0",
        "+data.mm_processor_kwargs.max_pixels=1000",
    )
    assert unknown_keys(cfg) == []


def test_known_keys_come_from_verls_yaml_and_dataclasses(verl_config):
    """A dataclass field absent from the YAML is known; the YAML's keys are all there, with their _target_."""
    import dataclasses

    from verl.workers.config import HFModelConfig

    tree = verl_tree()
    model = tree["actor_rollout_ref"]["model"]
    assert model["_target_"] == "verl.workers.config.HFModelConfig"
    yaml_keys = set(verl_config().actor_rollout_ref.model.keys())
    assert yaml_keys <= set(model)
    absent = {f.name for f in dataclasses.fields(HFModelConfig)} - yaml_keys - {"_target_"}
    assert absent, "every HFModelConfig field is in the YAML: pick another dataclass for this test"
    field = sorted(absent)[0]
    value = "null" if field != "lora" else "{}"
    assert unknown_keys(verl_config(f"+actor_rollout_ref.model.{field}={value}")) == []
