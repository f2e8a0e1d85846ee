"""Launch scripts: each runs ``main_ppo --cfg job`` (DRY_RUN=1), and the config verl prints validates."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from omegaconf import OmegaConf

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {
    "run_critic_r1_1node.sh": ("Qwen/Qwen2.5-VL-7B-Instruct", 1.0e-6, 1),
    "run_critic_r1_plus_1node.sh": ("russwang/ThinkLite-VL-7B", 5.0e-7, 1),
    "run_critic_r1_multinode.sh": ("Qwen/Qwen2.5-VL-7B-Instruct", 1.0e-6, 3),
    "run_critic_r1_plus_multinode.sh": ("russwang/ThinkLite-VL-7B", 5.0e-7, 3),
}


def dry_run(script: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("WANDB_API_KEY", "NNODES", "DATA_DIR", "LOGGER")}
    return subprocess.run(
        ["bash", str(REPO / "recipes" / script), "trainer.total_epochs=2"],
        env={**clean, "DRY_RUN": "1", "DATA_DIR": "/shared/critic", "CKPT_ROOT": "/ckpt", "NNODES": "3", **env},
        cwd="/",
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def printed_configs():
    with ThreadPoolExecutor(max_workers=len(SCRIPTS)) as pool:
        runs = dict(zip(SCRIPTS, pool.map(dry_run, SCRIPTS)))
    for script, run in runs.items():
        assert run.returncode == 0, f"{script}: {run.stderr[-3000:]}"
    return {script: OmegaConf.create(run.stdout) for script, run in runs.items()}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_script_composes_recipe_with_its_overrides(printed_configs, script):
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config

    cfg = printed_configs[script]
    model, lr, nnodes = SCRIPTS[script]
    assert cfg.data.train_files == "/shared/critic/train.parquet"
    assert cfg.data.val_files == "/shared/critic/val.parquet"
    assert cfg.actor_rollout_ref.model.path == model
    assert cfg.actor_rollout_ref.actor.optim.lr == lr
    assert (cfg.trainer.nnodes, cfg.trainer.n_gpus_per_node) == (nnodes, 8)
    assert cfg.reward.custom_reward_function.path == "pkg://critic_r1_ext.reward"
    assert list(cfg.trainer.logger) == ["console", "tensorboard"]
    assert cfg.trainer.total_epochs == 2  # "$@" reaches main_ppo
    assert cfg.trainer.default_local_dir == f"/ckpt/critic_r1/{cfg.trainer.experiment_name}"
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))


def test_wandb_joins_the_loggers_when_its_key_is_set():
    run = dry_run("run_critic_r1_1node.sh", WANDB_API_KEY="dummy")
    assert run.returncode == 0, run.stderr[-3000:]
    assert list(OmegaConf.create(run.stdout).trainer.logger) == ["console", "tensorboard", "wandb"]


SHELL_FILES = [
    *sorted((REPO / "recipes").glob("*.sh")),
    REPO / "examples/ray_submit.sh",
    REPO / "examples/slurm_critic_r1.sbatch",
]


@pytest.mark.parametrize("script", SHELL_FILES, ids=lambda p: p.name)
def test_shell_syntax(script):
    assert subprocess.run(["bash", "-n", str(script)], check=False, capture_output=True).returncode == 0
