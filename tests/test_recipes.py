"""The Hydra recipes compose onto verl's own ppo_trainer config, apply, validate, and set only keys verl reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import compose_verl_config
from omegaconf import OmegaConf

from critic_r1_ext.dataset import DATA_KEYS

REPO = Path(__file__).resolve().parents[1]
RECIPE_DIR = REPO / "critic_r1_ext" / "hydra_configs" / "recipe"
RECIPES = ["critic_r1", "critic_r1_plus", "critic_r1_plus_mimo"]
# The CPU dry run (docs/cpu_dry_run.md): inherits critic_r1, changes only what a CPU smoke run needs.
ALL_RECIPES = [*RECIPES, "critic_r1_smoke"]
# Keys our own dataset adapter reads from ``data`` (checked in test_dataset.py), not verl.
OUR_DATA_KEYS = {f"data.{key}" for key in DATA_KEYS}
# Keys verl reads that its YAML does not declare (RewardConfig reads reward_kwargs in get_custom_reward_fn).
# verl passes ray_kwargs.ray_init to ray.init whole; HFModelConfig reads override_config.attn_implementation.
VERL_KEYS_NOT_IN_YAML_PREFIXES = (
    "reward.custom_reward_function.reward_kwargs.",
    "ray_kwargs.ray_init.",
    "actor_rollout_ref.model.override_config.",
)

PAPER = {
    "algorithm.adv_estimator": "grpo",
    "actor_rollout_ref.rollout.name": "vllm",
    "actor_rollout_ref.rollout.n": 8,
    "actor_rollout_ref.rollout.temperature": 1.0,
    "actor_rollout_ref.rollout.top_p": 0.99,
    "actor_rollout_ref.rollout.tensor_model_parallel_size": 2,
    "actor_rollout_ref.rollout.gpu_memory_utilization": 0.6,
    "actor_rollout_ref.actor.use_kl_loss": True,
    "actor_rollout_ref.actor.kl_loss_type": "low_var_kl",
    "actor_rollout_ref.actor.kl_loss_coef": 0.01,
    "actor_rollout_ref.actor.entropy_coeff": 0,
    "actor_rollout_ref.actor.clip_ratio_low": 0.2,
    "actor_rollout_ref.actor.clip_ratio_high": 0.3,
    "actor_rollout_ref.actor.clip_ratio_c": 3.0,
    "actor_rollout_ref.actor.optim.weight_decay": 0.01,
    "actor_rollout_ref.actor.optim.lr_scheduler_type": "constant",
    "actor_rollout_ref.actor.ppo_mini_batch_size": 128,
    "actor_rollout_ref.actor.freeze_vision_tower": False,
    "data.train_batch_size": 256,
    "data.max_response_length": 2048,
    "data.filter_overlong_prompts": True,
    "data.min_pixels": 262144,
    "data.max_pixels": 4194304,
    "trainer.n_gpus_per_node": 8,
    "trainer.nnodes": 1,
    "trainer.total_epochs": 15,
    "reward.custom_reward_function.path": "pkg://critic_r1_ext.reward",
    "reward.custom_reward_function.name": "compute_score",
    "reward.custom_reward_function.reward_kwargs.acc_weight": 0.9,
    "reward.custom_reward_function.reward_kwargs.format_weight": 0.1,
}
PER_VARIANT = {
    "critic_r1": {
        "actor_rollout_ref.model.path": "Qwen/Qwen2.5-VL-7B-Instruct",
        "actor_rollout_ref.actor.optim.lr": 1e-6,
    },
    "critic_r1_plus": {
        "actor_rollout_ref.model.path": "russwang/ThinkLite-VL-7B",
        "actor_rollout_ref.actor.optim.lr": 5e-7,
    },
    "critic_r1_plus_mimo": {
        "actor_rollout_ref.model.path": "XiaomiMiMo/MiMo-VL-7B-RL-2508",
        "actor_rollout_ref.actor.optim.lr": 1e-6,
    },
}


def _leaves(node, prefix=""):
    """Dotted paths of every leaf value in a plain nested dict."""
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _leaves(value, path + ".")
        else:
            yield path


def _recipe_leaves(name: str) -> set[str]:
    raw = OmegaConf.to_container(OmegaConf.load(RECIPE_DIR / f"{name}.yaml"))
    raw.pop("defaults", None)
    return set(_leaves(raw))


@pytest.mark.parametrize("recipe", ALL_RECIPES)
def test_recipe_applies(recipe):
    """Fails if Hydra silently added a ``recipe:`` key instead of applying the recipe (plugin not found)."""
    cfg = compose_verl_config(f"+recipe={recipe}")
    assert "recipe" not in cfg
    assert cfg.reward.custom_reward_function.path == "pkg://critic_r1_ext.reward"
    assert cfg.data.custom_cls.path == "pkg://critic_r1_ext.dataset"


@pytest.mark.parametrize("recipe", RECIPES)
def test_paper_settings(recipe):
    cfg = compose_verl_config(f"+recipe={recipe}")
    for key, expected in {**PAPER, **PER_VARIANT[recipe]}.items():
        assert OmegaConf.select(cfg, key) == expected, key
    # 256 prompts per step, 128-prompt mini-batches: two optimizer steps per rollout step, as in the paper.
    assert cfg.data.train_batch_size // cfg.actor_rollout_ref.actor.ppo_mini_batch_size == 2
    assert cfg.actor_rollout_ref.rollout.prompt_length == cfg.data.max_prompt_length


def test_plus_inherits_r1_and_changes_only_what_the_paper_changes():
    r1 = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1"))
    plus = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1_plus"))
    differing = {p for p in set(_leaves(r1)) | set(_leaves(plus)) if _get(r1, p) != _get(plus, p)}
    assert differing == {
        "actor_rollout_ref.model.path",
        "actor_rollout_ref.actor.optim.lr",
        "trainer.experiment_name",
    }


def test_mimo_inherits_r1_and_changes_only_the_base_model():
    r1 = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1"))
    mimo = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1_plus_mimo"))
    differing = {p for p in set(_leaves(r1)) | set(_leaves(mimo)) if _get(r1, p) != _get(mimo, p)}
    assert differing == {"actor_rollout_ref.model.path", "trainer.experiment_name"}


def test_verl_loads_a_model_of_mimo_vls_architecture_class(tiny_qwen_dir):
    """MiMo-VL-7B-RL-2508 ships as Qwen2_5_VLForConditionalGeneration: verl's own model config takes that class."""
    from transformers import AutoModelForImageTextToText
    from verl.utils.config import omega_conf_to_dataclass
    from verl.workers.config import HFModelConfig

    cfg = compose_verl_config("+recipe=critic_r1_plus_mimo", f"actor_rollout_ref.model.path={tiny_qwen_dir}")
    model = omega_conf_to_dataclass(cfg.actor_rollout_ref.model, HFModelConfig)
    assert model.hf_config.model_type == "qwen2_5_vl" and model.processor is not None
    assert AutoModelForImageTextToText._model_mapping[type(model.hf_config)].__name__ == (
        "Qwen2_5_VLForConditionalGeneration"
    )


# What critic_r1_smoke changes, and nothing else: tiny model, batches and lengths, a few steps, the CPU plug-ins.
# The reference model and the KL loss stay critic_r1's.
SMOKE_CHANGES = {
    "data.train_batch_size": 4,
    "data.max_prompt_length": 2048,
    "data.max_response_length": 32,
    "data.filter_overlong_prompts_workers": 1,
    "data.min_pixels": 3136,
    "data.max_pixels": 50176,
    "actor_rollout_ref.model.path": "data/tiny_qwen2_5_vl",
    "actor_rollout_ref.model.enable_gradient_checkpointing": False,
    "actor_rollout_ref.model.use_remove_padding": False,
    "actor_rollout_ref.model.override_config.attn_implementation": "sdpa",
    "actor_rollout_ref.actor.strategy": "fsdp2",
    "actor_rollout_ref.actor.ppo_mini_batch_size": 2,
    "actor_rollout_ref.actor.use_dynamic_bsz": False,
    "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu": 8,
    "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu": 8,
    "actor_rollout_ref.rollout.name": "hf",
    "actor_rollout_ref.rollout.n": 4,
    "actor_rollout_ref.rollout.tensor_model_parallel_size": 1,
    "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu": 8,
    "actor_rollout_ref.rollout.agent.num_workers": 1,
    "reward.num_workers": 1,
    "transfer_queue.backend.SimpleStorage.num_data_storage_units": 1,
    "trainer.experiment_name": "critic_r1_smoke_cpu",
    "trainer.logger": ["console"],
    "trainer.device": "cpu",
    "trainer.n_gpus_per_node": 1,
    "trainer.total_epochs": 1,
    "trainer.total_training_steps": 2,
    "trainer.save_freq": 2,
    "trainer.test_freq": 2,
    "trainer.val_before_train": False,
    "ray_kwargs.ray_init.num_cpus": 8,
    "ray_kwargs.ray_init.num_gpus": 1,
    "ray_kwargs.ray_init.runtime_env.worker_process_setup_hook": "critic_r1_ext.cpu.platform.init_process_group",
    "ray_kwargs.ray_init.runtime_env.env_vars.VERL_PLATFORM": "cpu",
}


def test_smoke_inherits_r1_and_changes_only_what_a_cpu_run_needs():
    """Every other key (reward, KL, clipping, sampling, lr, dataset adapter) is critic_r1's own."""
    r1 = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1"))
    smoke = OmegaConf.to_container(compose_verl_config("+recipe=critic_r1_smoke"))
    differing = {p for p in set(_leaves(r1)) | set(_leaves(smoke)) if _get(r1, p) != _get(smoke, p)}
    # critic_r1's empty override_config {} is a leaf there, a parent of attn_implementation here.
    differing -= {p for p in differing if any(k.startswith(p + ".") for k in SMOKE_CHANGES)}
    assert differing == set(SMOKE_CHANGES)
    assert {p: _get(smoke, p) for p in SMOKE_CHANGES} == SMOKE_CHANGES


def test_smoke_recipe_validates():
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    cfg = compose_verl_config("+recipe=critic_r1_smoke")
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    # 2 optimizer steps per rollout step, as in critic_r1.
    assert cfg.data.train_batch_size // cfg.actor_rollout_ref.actor.ppo_mini_batch_size == 2


def _get(tree, dotted):
    for part in dotted.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return "<absent>"
        tree = tree[part]
    return tree


@pytest.mark.parametrize("recipe", ALL_RECIPES)
def test_every_recipe_key_is_read_by_verl(recipe):
    """Each key the recipe sets exists in verl's own config, or is one we read, or one verl reads undeclared."""
    plain = compose_verl_config()
    for key in _recipe_leaves(recipe):
        if key in OUR_DATA_KEYS or key.startswith(VERL_KEYS_NOT_IN_YAML_PREFIXES):
            continue
        parent, _, leaf = key.rpartition(".")
        node = OmegaConf.select(plain, parent) if parent else plain
        assert node is not None and leaf in node.keys(), f"{recipe}.yaml sets a key verl does not have: {key}"


@pytest.mark.parametrize("recipe", ALL_RECIPES)
def test_recipe_never_sets_legacy_reward_keys(recipe):
    keys = _recipe_leaves(recipe)
    assert not any(k.startswith(("custom_reward_function.", "reward_model.")) for k in keys)


@pytest.mark.parametrize("recipe", RECIPES)
def test_verl_validates_and_builds_dataclasses(recipe):
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import omega_conf_to_dataclass, validate_config

    cfg = compose_verl_config(f"+recipe={recipe}")
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    assert need_reference_policy(cfg) and not need_critic(cfg)
    actor = omega_conf_to_dataclass(cfg.actor_rollout_ref.actor)
    rollout = omega_conf_to_dataclass(cfg.actor_rollout_ref.rollout)
    algo = omega_conf_to_dataclass(cfg.algorithm)
    assert (actor.kl_loss_coef, actor.clip_ratio_high, actor.optim.lr) == (
        0.01,
        0.3,
        PER_VARIANT[recipe]["actor_rollout_ref.actor.optim.lr"],
    )
    assert (rollout.n, rollout.top_p, rollout.prompt_length) == (8, 0.99, 8192)
    assert algo.adv_estimator == "grpo"


def test_custom_reward_fn_is_found_and_legacy_keys_are_not():
    from verl.trainer.ppo.reward import get_custom_reward_fn

    fn = get_custom_reward_fn(compose_verl_config("+recipe=critic_r1"))
    assert fn(data_source="x", solution_str="<think>a</think> \\boxed{2}", ground_truth="2")["score"] == 1.0
    legacy = compose_verl_config("custom_reward_function.path=pkg://critic_r1_ext.reward")
    assert get_custom_reward_fn(legacy) is None


def test_command_line_overrides_win():
    cfg = compose_verl_config(
        "+recipe=critic_r1_plus",
        "actor_rollout_ref.rollout.n=4",
        "reward.custom_reward_function.reward_kwargs.format_weight=0.2",
        "data.swap_prob=0",
        "trainer.experiment_name=cli",
    )
    assert cfg.actor_rollout_ref.rollout.n == 4
    assert cfg.reward.custom_reward_function.reward_kwargs.format_weight == 0.2
    assert cfg.data.swap_prob == 0
    assert cfg.trainer.experiment_name == "cli"
    assert cfg.actor_rollout_ref.actor.optim.lr == 5e-7


def _run_main_ppo_cfg_job(python_args, env, cwd):
    cmd = [sys.executable, *python_args, "-m", "verl.trainer.main_ppo", "+recipe=critic_r1_plus", "--cfg", "job"]
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_main_ppo_entry_point_resolves_recipe(tmp_path):
    """The real ``python -m verl.trainer.main_ppo +recipe=...`` (installed package), run from an unrelated dir."""
    job = _run_main_ppo_cfg_job([], dict(os.environ), tmp_path)
    assert "pkg://critic_r1_ext.reward" in job and "russwang/ThinkLite-VL-7B" in job
    assert "\nrecipe:" not in job


# verl's site-packages, put on PYTHONPATH for ``python -S``: no .pth files run, so our editable install is invisible.
SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def test_wheel_install_resolves_recipe(tmp_path):
    """A regular wheel carries the YAMLs and the plugin: recipe resolves from the wheel alone."""
    source, wheel_dir, target = tmp_path / "source", tmp_path / "wheel", tmp_path / "target"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for name in ("critic_r1_ext", "hydra_plugins"):  # a copy, so setuptools' build/ stays out of the repo
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheel_dir.glob("critic_r1_ext-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (target / "critic_r1_ext" / "hydra_configs" / "recipe" / "critic_r1_plus.yaml").is_file()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), SITE_PACKAGES])}
    job = _run_main_ppo_cfg_job(["-S"], env, tmp_path)
    assert "pkg://critic_r1_ext.reward" in job and "\nrecipe:" not in job


def test_uninstalled_repo_as_working_dir_resolves_recipe(tmp_path):
    """What a ``ray job submit`` with working_dir=repo does: cwd is the repo, nothing installed."""
    env = {**os.environ, "PYTHONPATH": SITE_PACKAGES}
    job = _run_main_ppo_cfg_job(["-S"], env, REPO)
    assert "pkg://critic_r1_ext.reward" in job and "\nrecipe:" not in job


def test_without_our_package_the_recipe_is_a_silent_noop(tmp_path):
    """The trap the checks above guard against: Hydra then only adds a ``recipe:`` key and changes nothing."""
    job = _run_main_ppo_cfg_job(["-S"], {**os.environ, "PYTHONPATH": SITE_PACKAGES}, tmp_path)
    assert "\nrecipe: critic_r1_plus" in job and "critic_r1_ext" not in job
