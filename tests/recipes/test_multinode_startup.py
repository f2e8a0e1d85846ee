"""Multi-node start-up: the Slurm script under simulated Slurm, and the multi-node recipe against a Ray cluster.

``scontrol`` and ``srun`` are stand-ins on PATH that log every call; ``srun`` runs the command it is
given, except ``ray start`` (the test's local Ray cluster, nodes ``node1`` and ``node2`` with 2 fake
GPUs each, plays the cluster those calls would start) and ``hostname --ip-address`` (answers the
cluster's IP). The wait itself is the real ``python -m critic_r1_ext.preflight.cluster``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCONTROL = """\
import re, sys
# scontrol show hostnames NODELIST, for lists like "node[1-3]" and "a,b".
for part in re.findall(r"[^,\\[]+(?:\\[[^\\]]*\\])?", sys.argv[3]):
    m = re.fullmatch(r"(.*)\\[(\\d+)-(\\d+)\\]", part)
    print("\\n".join(f"{m[1]}{i}" for i in range(int(m[2]), int(m[3]) + 1)) if m else part)
"""

SRUN = """\
import json, os, subprocess, sys
args, host = sys.argv[1:], None
while args and args[0].startswith("-"):
    flag = args.pop(0)
    if flag == "-w":
        host = args.pop(0)
with open(os.environ["FAKE_SLURM_LOG"], "a") as log:
    log.write(json.dumps({"host": host, "cmd": args}) + "\\n")
if args[:1] == ["hostname"]:
    print(os.environ["FAKE_HEAD_IP"])
elif args[:2] != ["ray", "start"]:
    sys.exit(subprocess.call(args))
"""

RECIPE = """\
#!/usr/bin/env bash
echo "RECIPE RAY_ADDRESS=$RAY_ADDRESS NNODES=$NNODES GPUS_PER_NODE=$GPUS_PER_NODE CLUSTER_WAIT_S=$CLUSTER_WAIT_S"
"""


def slurm_job(tmp_path: Path, address: str, nodelist: str, nnodes: int) -> tuple[subprocess.CompletedProcess, list]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, source in (("scontrol", SCONTROL), ("srun", SRUN)):
        (bin_dir / name).write_text(f"#!{sys.executable}\n{source}")
        (bin_dir / name).chmod(0o755)
    recipe = tmp_path / "recipe.sh"
    recipe.write_text(RECIPE)
    ip, port = address.rsplit(":", 1)
    log = tmp_path / "slurm.log"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "SLURM_JOB_NODELIST": nodelist,
        "SLURM_NNODES": str(nnodes),
        "SLURM_GPUS_PER_NODE": "h100:2",
        "SLURM_CPUS_PER_TASK": "1",
        "RAY_PORT": port,
        "CLUSTER_WAIT_S": "5",
        "RECIPE_SCRIPT": str(recipe),
        "FAKE_SLURM_LOG": str(log),
        "FAKE_HEAD_IP": ip,
    }
    env.pop("RAY_ADDRESS", None)
    run = subprocess.run(
        ["bash", "examples/slurm_critic_r1.sbatch"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return run, calls


@pytest.mark.ray
def test_slurm_script_starts_head_then_workers_waiting_for_each(fake_gpu_cluster, tmp_path):
    cluster, _ = fake_gpu_cluster
    run, calls = slurm_job(tmp_path, cluster.address, "node[1-2]", 2)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    ip, port = cluster.address.rsplit(":", 1)
    head_start = ["ray", "start", "--head", f"--node-ip-address={ip}", f"--port={port}", "--node-name=node1"]
    worker_start = ["ray", "start", f"--address={ip}:{port}", "--node-name=node2", "--num-cpus=1", "--num-gpus=2"]
    wait = ["python", "-m", "critic_r1_ext.preflight.cluster", "--nnodes"]
    steps = []
    for call in calls:
        cmd = (
            [c for c in call["cmd"] if not c.startswith("RAY_ADDRESS=")][1:] if call["cmd"][0] == "env" else call["cmd"]
        )
        if cmd[:1] == ["hostname"]:
            steps.append(("ip", call["host"]))
        elif cmd[:6] == head_start:
            steps.append(("head", call["host"]))
        elif cmd[:6] == worker_start:
            steps.append(("worker", call["host"]))
        elif cmd[:4] == wait:
            steps.append((f"wait {cmd[4]} {cmd[-1]}", call["host"]))
            assert call["cmd"][1] == f"RAY_ADDRESS={ip}:{port}"
        elif cmd[:1] == ["NNODES=2"] or "bash" in cmd:
            steps.append(("recipe", call["host"]))
    # In script order: the head's address, a wait for the head, a wait for all nodes by name, the recipe.
    foreground = [step for step in steps if step[0] not in ("head", "worker")]
    assert foreground == [
        ("ip", "node1"),
        ("wait 1 node1", "node1"),
        ("wait 2 node1,node2", "node1"),
        ("recipe", "node1"),
    ]
    # `ray start` runs in the background (--block): the head once its address is known, the workers only
    # after the wait for the head returned.
    assert sorted(step for step in steps if step not in foreground) == [("head", "node1"), ("worker", "node2")]
    assert steps.index(("head", "node1")) > steps.index(("ip", "node1"))
    assert steps.index(("worker", "node2")) > steps.index(("wait 1 node1", "node1"))
    assert run.stdout.count("[PASS] cluster nodes: needs") == 2
    assert f"RECIPE RAY_ADDRESS={ip}:{port} NNODES=2 GPUS_PER_NODE=2 CLUSTER_WAIT_S=5" in run.stdout


@pytest.mark.ray
def test_slurm_script_stops_naming_the_node_that_never_joined(fake_gpu_cluster, tmp_path):
    cluster, _ = fake_gpu_cluster
    run, calls = slurm_job(tmp_path, cluster.address, "node[1-3]", 3)
    assert run.returncode == 1
    assert "[FAIL] cluster nodes: still missing after 5 s: 2 of 3 nodes with 2 GPUs have joined; not joined: node3" in (
        run.stdout
    )
    assert "RECIPE" not in run.stdout  # the run never started
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.ray
def test_multinode_recipe_waits_then_checks_every_node_before_training(fake_gpu_cluster, tmp_path):
    """With every node joined the recipe runs the on-cluster checks, and a FAIL stops it before main_ppo."""
    cluster, _ = fake_gpu_cluster
    data = tmp_path / "data"
    data.mkdir()
    for name in ("train.parquet", "val.parquet"):
        (data / name).write_bytes(b"PAR1")  # present, so the script does not prepare data
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("WANDB_API_KEY", "DRY_RUN")}
    env.update(
        RAY_ADDRESS=cluster.address,
        NNODES="2",
        GPUS_PER_NODE="2",
        DATA_DIR=str(data),
        CKPT_ROOT=f"{blocker}/ckpt",
        CLUSTER_WAIT_S="30",
    )
    run = subprocess.run(
        ["bash", str(REPO / "recipes/run_critic_r1_multinode.sh")],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    assert "[PASS] cluster nodes: needs 2 x 2 GPUs; joined:" in run.stdout
    assert f"[PASS] cluster data {data}/train.parquet: readable on all 3 nodes" in run.stdout
    assert (
        f"[FAIL] cluster checkpoint {blocker}/ckpt/critic_r1/critic_r1_qwen2_5_vl_7b_2nodes: not writable" in run.stdout
    )
    assert "Traceback" not in run.stdout + run.stderr  # main_ppo never started
