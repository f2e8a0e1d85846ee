"""``preflight --on-cluster`` against a local multi-node Ray cluster, and its network rules on their own.

The cluster (``fake_gpu_cluster``) has a node with another copy of critic_r1_ext on its PYTHONPATH, a
node whose working directory lacks the relative data path and a node whose NCCL interface does not
exist: each finding must name that node, and only that node.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from critic_r1_ext.preflight.checks import FAIL, PASS, WARN
from critic_r1_ext.preflight.on_cluster import check_network


def report(interfaces=("lo", "eth0"), ib_devices=(), **env) -> dict:
    return {"env": env, "interfaces": list(interfaces), "ib_devices": list(ib_devices)}


def statuses(checks) -> dict[str, str]:
    return {c.name: c.status for c in checks}


def test_network_interface_prefixes_follow_nccl_rules():
    ok = check_network({"a": report(NCCL_SOCKET_IFNAME="eth"), "b": report(NCCL_SOCKET_IFNAME="eth")}, 2)
    assert statuses(ok) == {"cluster NCCL_SOCKET_IFNAME": PASS}
    exact = check_network({"a": report(NCCL_SOCKET_IFNAME="=eth")}, 1)  # "=": exact names only
    assert statuses(exact) == {"cluster NCCL_SOCKET_IFNAME": FAIL}
    assert "a: NCCL_SOCKET_IFNAME==eth names none of its interfaces (eth0, lo)" in exact[0].detail.replace(
        "(lo, eth0)", "(eth0, lo)"
    )
    excluded = check_network({"a": report(NCCL_SOCKET_IFNAME="^docker,lo")}, 1)  # "^": exclusions, not checked
    assert statuses(excluded) == {"cluster NCCL_SOCKET_IFNAME": PASS}


def test_gloo_needs_exact_names_and_ib_hca_its_devices():
    checks = check_network(
        {
            "a": report(
                NCCL_SOCKET_IFNAME="eth0", GLOO_SOCKET_IFNAME="eth", NCCL_IB_HCA="mlx5_0:1", ib_devices=["mlx5_0"]
            )
        },
        1,
    )
    assert statuses(checks) == {
        "cluster NCCL_SOCKET_IFNAME": PASS,
        "cluster GLOO_SOCKET_IFNAME": FAIL,
        "cluster NCCL_IB_HCA": PASS,
    }
    no_ib = check_network({"a": report(NCCL_SOCKET_IFNAME="eth0", NCCL_IB_HCA="mlx5")}, 1)
    assert statuses(no_ib)["cluster NCCL_IB_HCA"] == FAIL
    assert "names none of its ib_devices (none)" in no_ib[-1].detail
    disabled = check_network({"a": report(NCCL_SOCKET_IFNAME="eth0", NCCL_IB_HCA="mlx5", NCCL_IB_DISABLE="1")}, 1)
    assert statuses(disabled)["cluster NCCL_IB_HCA"] == PASS


def test_network_warns_when_unset_on_several_nodes_or_set_differently():
    unset = check_network({"a": report(), "b": report()}, 2)
    assert statuses(unset) == {"cluster NCCL_SOCKET_IFNAME": WARN}
    assert "GLOO_SOCKET_IFNAME" in unset[0].fix
    assert check_network({"a": report()}, 1) == []  # one node: NCCL stays on the node
    differ = check_network({"a": report(NCCL_IB_GID_INDEX="3"), "b": report(NCCL_IB_GID_INDEX="0")}, 1)
    assert [(c.name, c.status) for c in differ] == [("cluster NCCL_IB_GID_INDEX", WARN)]
    assert differ[0].detail == "differs across nodes: a=3, b=0"


@pytest.fixture(scope="module")
def on_cluster_run(fake_gpu_cluster, tmp_path_factory):
    """``preflight --on-cluster`` for 2 x 2 GPUs, run from a directory of its own, as the CLI a user runs."""
    cluster, root = fake_gpu_cluster
    shared = root / "shared"
    shared.mkdir(exist_ok=True)
    (shared / "val.parquet").write_bytes(b"PAR1")
    overrides = [
        "data.train_files=data/train.parquet",
        f"data.val_files={shared}/val.parquet",
        f"trainer.default_local_dir={shared}/ckpt",
        "trainer.nnodes=2",
        "trainer.n_gpus_per_node=2",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "critic_r1_ext.preflight", "--on-cluster", *overrides],
        env={**os.environ, "RAY_ADDRESS": cluster.address},
        cwd=tmp_path_factory.mktemp("driver"),
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    lines = {line.split(":")[0]: line for line in run.stdout.splitlines() if line.startswith("[")}
    return run, lines, shared


@pytest.mark.ray
def test_on_cluster_passes_nodes_and_fails_with_exit_code(on_cluster_run):
    run, lines, _ = on_cluster_run
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    assert "Traceback" not in run.stdout + run.stderr
    assert lines["[PASS] cluster nodes"].startswith("[PASS] cluster nodes: needs 2 x 2 GPUs; joined: head (")


@pytest.mark.ray
def test_on_cluster_names_the_node_with_another_package_version(on_cluster_run):
    _, lines, _ = on_cluster_run
    line = lines["[FAIL] cluster critic_r1_ext"]
    assert re.fullmatch(
        r"\[FAIL\] cluster critic_r1_ext: differs across nodes: "
        r"0\.0\.9 \(source \w{12}\) on node2; 0\.1\.0 \(source \w{12}\) on head, node1",
        line,
    ), line
    assert lines["[PASS] cluster transformers"].endswith("on head, node1, node2")
    assert lines["[PASS] cluster torch"].endswith("on head, node1, node2")
    # GPU-only packages are compared over the GPU nodes; absent there, they are reported missing (FAIL: the
    # recipe's rollout and model loader need them), not a crash.
    for name in ("vllm", "flash_attn"):
        if importlib.util.find_spec(name) is None:
            assert lines[f"[FAIL] cluster {name}"].endswith(": missing on every GPU node (node1, node2)")


@pytest.mark.ray
def test_on_cluster_names_the_node_without_the_data_path(on_cluster_run):
    _, lines, shared = on_cluster_run
    line = lines["[FAIL] cluster data data/train.parquet"]
    assert "not readable on node2: No such file or directory: " in line and "/site_b/data/train.parquet" in line
    assert "head" not in line and "node1" not in line
    assert lines[f"[PASS] cluster data {shared}/val.parquet"].endswith("readable on all 3 nodes")
    assert lines[f"[PASS] cluster checkpoint {shared}/ckpt"].endswith("writable and shared by all 3 nodes")
    assert not [p for p in (shared / "ckpt").iterdir()]  # the marker files are gone


@pytest.mark.ray
def test_on_cluster_names_the_node_whose_nccl_interface_is_missing(on_cluster_run):
    run, lines, _ = on_cluster_run
    assert (
        "node2: NCCL_SOCKET_IFNAME=nosuch0 names none of its interfaces (" in lines["[FAIL] cluster NCCL_SOCKET_IFNAME"]
    )
    assert "[WARN] cluster NCCL_SOCKET_IFNAME: differs across nodes: head=lo, node1=lo, node2=nosuch0" in run.stdout
    assert lines["[PASS] cluster GLOO_SOCKET_IFNAME"]


@pytest.mark.ray
def test_on_cluster_checkpoint_dir_that_cannot_be_created_fails(fake_gpu_cluster, tmp_path, monkeypatch, capsys):
    from critic_r1_ext.preflight.__main__ import main

    cluster, _ = fake_gpu_cluster
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("RAY_ADDRESS", cluster.address)
    code = main(["--on-cluster", f"trainer.default_local_dir={blocker}/ckpt", "trainer.n_gpus_per_node=2"])
    out = capsys.readouterr().out
    assert code == 1
    assert "[PASS] cluster nodes: needs 1 x 2 GPUs;" in out
    assert (
        f"[FAIL] cluster checkpoint {blocker}/ckpt: not writable on head: Not a directory: {blocker}/ckpt; node1:"
        in out
    )
