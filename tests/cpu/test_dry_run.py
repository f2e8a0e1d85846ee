"""The real loop on a CPU: ``python -m verl.trainer.main_ppo +recipe=critic_r1_smoke`` trains 2 GRPO steps,
validates, checkpoints, resumes for a third step, and our export turns the checkpoint into an HF folder.

Everything is verl's own: Ray workers, TransferQueue, the agent loop with our dataset, the reward loop
workers loading our reward by ``pkg://``, the FSDP2 actor, checkpoint save and resume (no reference
model: verl 0.9.1 pins host memory for it, see the smoke recipe).
Only the platform and the rollout server are ours (critic_r1_ext.cpu). Takes minutes: deselect it
with ``-m 'not cpu_dry_run'``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VAL = "critic_sample/count_shapes"  # the data_source data_prep gives the bundled sample

pytestmark = [pytest.mark.ray, pytest.mark.cpu_dry_run]


def _main_ppo(tmp: Path, model: Path, data: Path, *overrides: str) -> str:
    cmd = [
        sys.executable, "-m", "verl.trainer.main_ppo", "+recipe=critic_r1_smoke",
        f"actor_rollout_ref.model.path={model}",
        f"data.train_files={data / 'train.parquet'}",
        f"data.val_files={data / 'val.parquet'}",
        f"trainer.default_local_dir={tmp / 'checkpoints'}",
        *overrides,
    ]  # fmt: skip
    env = {**os.environ, "VERL_PLATFORM": "cpu", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    out = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=900)
    log = out.stdout + out.stderr
    if out.returncode != 0:
        pytest.fail(f"main_ppo exited with {out.returncode}:\n{log[-6000:]}")
    return log


def _steps(log: str) -> list[int]:
    return [int(s) for s in re.findall(r"^step:(\d+) - ", log, flags=re.M)]


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

    tmp = tmp_path_factory.mktemp("dry_run")
    model = build_tiny_qwen2_5_vl(tmp / "tiny_qwen2_5_vl")
    data = tmp / "data"
    subprocess.run(
        [sys.executable, "-m", "data_prep.pairwise", "--input", str(REPO / "data_prep/sample/critic_sample.jsonl"),
         "--out", str(data), "--val-frac", "0.2"],
        cwd=REPO, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    first = _main_ppo(tmp, model, data)
    resumed = _main_ppo(tmp, model, data, "trainer.total_training_steps=3")
    return tmp, first, resumed


def test_two_grpo_steps_with_verls_metrics_and_validation(dry_run):
    _, first, _ = dry_run
    assert _steps(first) == [1, 2]
    step2 = next(line for line in first.splitlines() if line.startswith("step:2 - "))
    for metric in ("actor/pg_loss", "critic/score/mean", "critic/advantages/mean", "timing_s/gen"):
        assert f"{metric}:" in step2, metric
    assert re.search(rf"val-core/{VAL}/acc/mean@1:\s*[0-9.]+", first)
    assert re.search(rf"val-aux/{VAL}/format/mean@1:\s*[0-9.]+", first)


def test_checkpoint_carries_the_swap_state(dry_run):
    import torch

    tmp, _, _ = dry_run
    step2 = tmp / "checkpoints" / "global_step_2"
    assert (step2 / "actor" / "fsdp_config.json").is_file()
    state = torch.load(step2 / "data.pt", weights_only=False)
    visits = state["dataset_state"]["visits"]
    # 2 steps x 4 prompts drawn, each visit counted once (the n=4 rollouts share the prompt).
    assert sum(visits.values()) == 8


def test_resumed_run_continues_from_the_checkpoint(dry_run):
    tmp, _, resumed = dry_run
    assert _steps(resumed) == [3]
    assert (tmp / "checkpoints" / "global_step_3" / "data.pt").is_file()
    assert (tmp / "checkpoints" / "latest_checkpointed_iteration.txt").read_text().strip() == "3"


def test_export_of_the_checkpoint_main_ppo_wrote(dry_run):
    tmp, _, _ = dry_run
    out = tmp / "hf_export"
    subprocess.run(
        [sys.executable, "-m", "critic_r1_ext.export", "--checkpoint", str(tmp / "checkpoints"), "--out", str(out),
         "--check-load"],
        cwd=REPO, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    assert (out / "config.json").is_file() and list(out.glob("*.safetensors"))
