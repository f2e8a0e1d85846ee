"""The main job on a CPU, as a newcomer runs it: ``bash recipes/run_laptop.sh`` (the one code path).

The script builds the tiny model, prepares the bundled sample, runs verl's own ``main_ppo`` with
``+recipe=critic_r1_smoke`` (Ray workers, TransferQueue, the agent loop with our dataset, the reward
loop workers loading our reward by ``pkg://``, the FSDP2 actor and reference with the KL loss):
2 GRPO steps, validation, a checkpoint; then a second run resumes to step 3, and our export turns the
checkpoint into an HF folder and loads it back. ``critic_r1_ext.cpu.dry_run`` reads what verl printed;
the tests below check its reading against the logs and the files verl wrote. Takes minutes.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from pathlib import Path

import pytest

from critic_r1_ext.cpu.dry_run import console_lines, problems, step_metrics, summarize, validation

REPO = Path(__file__).resolve().parents[2]
VAL = "critic_sample/count_shapes"  # the data_source data_prep gives the bundled sample

# A step line in the form verl's console logger prints it from the TaskRunner actor, through Ray (as in a run's log).
RAY_LINE = (
    "\x1b[36m(TaskRunnerV1 pid=4242)\x1b[0m step:2 - actor/pg_loss:np.float64(-0.0123) - actor/kl_loss:1.5e-05 - "
    f"critic/score/mean:np.float32(0.25) - val-core/{VAL}/acc/mean@1:np.float64(0.5) - "
    f"val-aux/{VAL}/format/mean@1:0.75 - val-aux/num_turns/min:np.int64(2) - training/epoch:0"
)


def test_step_metrics_read_verls_lines_behind_rays_prefix_with_numpy_values():
    metrics = step_metrics(f"unrelated line\n{RAY_LINE}\n(TaskRunnerV1 pid=4242) step:3 - actor/pg_loss:nan\n")
    assert metrics[2] == {
        "actor/pg_loss": -0.0123,
        "actor/kl_loss": 1.5e-05,
        "critic/score/mean": 0.25,
        f"val-core/{VAL}/acc/mean@1": 0.5,
        f"val-aux/{VAL}/format/mean@1": 0.75,
        "val-aux/num_turns/min": 2.0,
        "training/epoch": 0.0,
    }
    assert math.isnan(metrics[3]["actor/pg_loss"])
    assert (validation(metrics[2], "acc"), validation(metrics[2], "format")) == (0.5, 0.75)
    assert console_lines(RAY_LINE)[0].startswith("step:2 - ")


def test_summary_names_each_missing_part_of_the_run(tmp_path):
    (tmp_path / "train.log").write_text("(TaskRunnerV1 pid=1) step:1 - critic/score/mean:0.1\n")
    (tmp_path / "resume.log").write_text("ray crashed\n")
    found = "\n".join(summarize(tmp_path)["problems"])
    for part in ("logged steps [1]", "resumed from step None", "step 1: no finite", "no validation", "checkpoints []",
                 "no exported"):  # fmt: skip
        assert part in found


def test_script_never_clears_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = subprocess.run(
        ["bash", str(REPO / "recipes" / "run_laptop.sh"), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "was not made by this script" in proc.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture(scope="module")
def laptop_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("laptop") / "run"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        ["bash", str(REPO / "recipes" / "run_laptop.sh"), str(out)],
        env=env, capture_output=True, text=True, timeout=2400, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        pytest.fail(f"run_laptop.sh exited with {proc.returncode}:\n{(proc.stdout + proc.stderr)[-6000:]}")
    return out, proc.stdout, json.loads((out / "summary.json").read_text())


@pytest.mark.ray
def test_two_grpo_steps_with_the_reference_kl_loss_and_validation(laptop_run):
    out, _, summary = laptop_run
    assert summary["steps"] == [1, 2]
    step2 = step_metrics((out / "train.log").read_text())[2]
    for metric in ("actor/pg_loss", "actor/kl_loss", "critic/score/mean", "critic/advantages/mean", "timing_s/ref"):
        assert math.isfinite(step2[metric]), metric
    assert 0 <= step2[f"val-core/{VAL}/acc/mean@1"] <= 1
    assert 0 <= step2[f"val-aux/{VAL}/format/mean@1"] <= 1
    assert 0 <= summary["val_acc"] <= 1 and 0 <= summary["val_format"] <= 1


@pytest.mark.ray
def test_checkpoint_carries_the_swap_state(laptop_run):
    import torch

    out, _, _ = laptop_run
    step2 = out / "checkpoints" / "global_step_2"
    assert (step2 / "actor" / "fsdp_config.json").is_file()
    visits = torch.load(step2 / "data.pt", weights_only=False)["dataset_state"]["visits"]
    assert sum(visits.values()) == 8  # 2 steps x 4 prompts, each visit counted once (its 4 rollouts share it)


@pytest.mark.ray
def test_resumed_run_continues_from_the_checkpoint(laptop_run):
    out, _, summary = laptop_run
    assert (summary["resumed_from_step"], summary["resumed_steps"]) == (2, [3])
    # verl's V1 trainer logs it (trainer/ppo/v1/trainer_base.py:877), behind the logging prefix.
    resumed = [line for line in console_lines((out / "resume.log").read_text()) if "Resuming from " in line]
    assert resumed and resumed[0].endswith("global_step_2, setting global step to 2"), resumed
    assert (out / "checkpoints" / "latest_checkpointed_iteration.txt").read_text().strip() == "3"
    assert (out / "checkpoints" / "global_step_3" / "data.pt").is_file()


@pytest.mark.ray
def test_export_of_the_checkpoint_loads(laptop_run):
    out, _, summary = laptop_run
    assert summary["export"] == str(out / "hf")
    assert (out / "hf" / "config.json").is_file() and list((out / "hf").glob("*.safetensors"))


@pytest.mark.ray
def test_script_ends_with_a_summary_that_found_every_part(laptop_run):
    _, stdout, summary = laptop_run
    assert summary["problems"] == [] == problems(summary)
    assert "summary of the laptop run" in stdout and "MISSING" not in stdout
