"""Ray job submission: the shipped runtime env and submit script, against a real local Ray cluster.

The job runs in a copy of the repo that Ray ships as ``working_dir``. Its driver resolves
``+recipe=critic_r1`` with ``main_ppo --cfg job``, then goes through verl's own ``run_ppo`` (the
runtime-env merge that fails on clashing env vars) with a probe TaskRunner that loads our reward
and dataset class inside a Ray worker, as verl's TaskRunner and RewardLoop workers do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RUNTIME_ENV = REPO / "examples" / "runtime_env.yaml"

PROBE_SCRIPT = """\
set -euo pipefail
python -m verl.trainer.main_ppo +recipe=critic_r1 --cfg job
python probe_job.py
"""

PROBE_DRIVER = '''\
"""Compose the recipe like main_ppo, then run verl's run_ppo with a TaskRunner that only probes imports."""
import json
import os

import ray
from hydra import compose, initialize_config_module
from verl.trainer.main_ppo import run_ppo


@ray.remote(num_cpus=1)
class ProbeRunner:
    def run(self, config):
        import critic_r1_ext
        from verl.trainer.ppo.reward import get_custom_reward_fn
        from verl.utils.dataset.rl_dataset import get_dataset_class

        reward_fn = get_custom_reward_fn(config)
        right = reward_fn(data_source="probe", solution_str="<think>a</think> \\\\boxed{2}", ground_truth="2")
        wrong = reward_fn(data_source="probe", solution_str="<think>a</think> \\\\boxed{1}", ground_truth="2")
        report = {
            "package": critic_r1_ext.__file__,
            "dataset_cls": get_dataset_class(config.data).__name__,
            "right": right["score"],
            "wrong": wrong["score"],
            "avoid_record_streams": os.environ.get("TORCH_NCCL_AVOID_RECORD_STREAMS"),
            "verl_env": os.environ.get("VLLM_LOGGING_LEVEL"),
        }
        print("PROBE " + json.dumps(report), flush=True)


with initialize_config_module(config_module="verl.trainer.config", version_base=None):
    cfg = compose(config_name="ppo_trainer", overrides=["+recipe=critic_r1"])
import critic_r1_ext

print("DRIVER " + json.dumps({"package": critic_r1_ext.__file__, "cwd": os.getcwd()}), flush=True)
run_ppo(cfg, task_runner_class=ProbeRunner)
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runtime_env_keeps_clear_of_verl_env_vars(monkeypatch):
    """No job env var may overlap the env verl's run_ppo adds, even with every optional one set."""
    from verl.trainer.constants_ppo import get_ppo_ray_runtime_env

    env = yaml.safe_load(RUNTIME_ENV.read_text())
    job_vars = env["env_vars"]
    for key, value in job_vars.items():
        monkeypatch.setenv(key, value)  # a job's env_vars are in the driver's environment
    for key in ("PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG", "FLASH_ATTENTION_DETERMINISTIC", "NCCL_DETERMINISTIC"):
        monkeypatch.setenv(key, "0")
    monkeypatch.setenv("NCCL_ALGO", "Ring")
    verl_vars = get_ppo_ray_runtime_env()["env_vars"]
    assert {"VERL_FULL_DETERMINISM", "PYTHONHASHSEED", "NCCL_ALGO"} <= set(verl_vars)
    assert not set(job_vars) & set(verl_vars)
    assert "CUDA_DEVICE_MAX_CONNECTIONS" not in job_vars
    assert env["working_dir"] == "./"
    assert {"/.git/", "/data/", "/checkpoints/"} <= set(env["excludes"])


@pytest.mark.ray
@pytest.mark.timeout(420)
def test_ray_job_resolves_recipe_and_reward_in_workers(tmp_path):
    import ray
    from ray.job_submission import JobStatus, JobSubmissionClient

    work = tmp_path / "repo"
    shutil.copytree(
        REPO,
        work,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "data", "checkpoints", "outputs", "build", "*.egg-info", "__pycache__"
        ),
    )
    (work / "probe_job.sh").write_text(PROBE_SCRIPT)
    (work / "probe_job.py").write_text(PROBE_DRIVER)

    context = ray.init(
        num_cpus=2,
        include_dashboard=True,
        dashboard_port=_free_port(),
    )
    try:
        address = f"http://{context.dashboard_url}"
        env = {**os.environ, "RAY_ADDRESS": address}
        # On a loaded machine Ray's job agent can come up after the dashboard ("No available agent to
        # submit job, please try again later"): retry only that answer, a few times.
        for _ in range(6):
            submitted = subprocess.run(
                ["bash", "examples/ray_submit.sh", "probe_job.sh"],
                cwd=work,
                env=env,
                check=False,
                capture_output=True,
                text=True,
                timeout=60,
            )
            if "No available agent" not in submitted.stdout + submitted.stderr:
                break
            time.sleep(10)
        assert submitted.returncode == 0, submitted.stderr + submitted.stdout
        job_id = re.search(r"raysubmit_\w+", submitted.stdout + submitted.stderr).group(0)

        client = JobSubmissionClient(address)
        deadline = time.monotonic() + 150
        while (status := client.get_job_status(job_id)) not in {
            JobStatus.SUCCEEDED,
            JobStatus.FAILED,
            JobStatus.STOPPED,
        }:
            assert time.monotonic() < deadline, f"job {job_id} still {status}"
            time.sleep(1)
        logs = client.get_job_logs(job_id)
        assert status == JobStatus.SUCCEEDED, logs[-4000:]
    finally:
        ray.shutdown()

    # main_ppo --cfg job in the driver printed the recipe's values.
    assert "experiment_name: critic_r1_qwen2_5_vl_7b" in logs
    assert "path: pkg://critic_r1_ext.reward" in logs
    driver = json.loads(re.search(r"DRIVER (\{.*\})", logs).group(1))
    probe = json.loads(re.search(r"PROBE (\{.*\})", logs).group(1))
    # Both import the shipped copy (Ray's unpacked working_dir), not the repo this test runs from.
    unpacked = Path(driver["cwd"])
    assert unpacked != work and "working_dir_files" in str(unpacked)
    for report in (driver, probe):
        assert Path(report["package"]).is_relative_to(unpacked), report
    assert probe["dataset_cls"] == "CriticPairDataset"
    assert (probe["right"], probe["wrong"]) == (pytest.approx(1.0), pytest.approx(0.1))
    # The job's env var and verl's own runtime env both reached the worker (the merge succeeded).
    assert probe["avoid_record_streams"] == "1"
    assert probe["verl_env"] == "WARN"
