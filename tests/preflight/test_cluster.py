"""Waiting for a Ray cluster: what is missing is named, the wait is bounded, a late node is waited for."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from critic_r1_ext.preflight.checks import FAIL, PASS
from critic_r1_ext.preflight.cluster import Node, check_nodes, missing


def wait_cli(*args: str, address: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "critic_r1_ext.preflight.cluster", *args],
        env={**os.environ, "RAY_ADDRESS": address},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def nodes(*gpus: float) -> list[Node]:
    return [Node(f"node{i}", f"10.0.0.{i}", f"id{i}", g) for i, g in enumerate(gpus, 1)]


def test_missing_counts_nodes_with_enough_gpus_and_names_short_ones():
    assert missing(nodes(8, 8), 2, 8, []) == ""
    gap = missing(nodes(8, 4, 0), 2, 8, [])
    assert gap == "1 of 2 nodes with 8 GPUs have joined; too few GPUs: node2 (10.0.0.2): 4 GPUs of 8"
    assert "node3" not in gap  # a CPU-only node (a head without GPUs) is not a short GPU node


def test_missing_names_expected_nodes_not_joined_or_short():
    assert missing(nodes(8, 8), 2, 8, ["node1", "10.0.0.2"]) == ""
    assert "not joined: node3" in missing(nodes(8, 8), 2, 8, ["node1", "node2", "node3"])
    # Enough GPU nodes in all, but an expected one came up with too few GPUs.
    gap = missing(nodes(8, 8, 4), 2, 8, ["node3"])
    assert "too few GPUs: node3 (10.0.0.3): 4 GPUs of 8" in gap


def test_check_nodes_lists_what_joined():
    check = check_nodes(nodes(8), 2, 8)
    assert check.status == FAIL
    assert check.detail == "1 of 2 nodes with 8 GPUs have joined (joined: node1 (10.0.0.1): 8 GPUs)"
    assert "ray start --address" in check.fix
    assert check_nodes(nodes(8, 8), 2, 8).status == PASS


def test_wait_gives_up_on_an_address_where_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        start = time.monotonic()
        proc = wait_cli("--nnodes", "1", "--gpus-per-node", "1", "--timeout", "2", address=f"127.0.0.1:{port}")
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert out.splitlines()[0] == f"[FAIL] cluster wait: no Ray head answered at 127.0.0.1:{port} within 2 s"
    assert "Traceback" not in out + err
    assert time.monotonic() - start < 60


def test_wait_refuses_the_dashboard_address_with_one_line():
    proc = wait_cli("--nnodes", "1", "--gpus-per-node", "1", "--timeout", "2", address="http://127.0.0.1:8265")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "is the dashboard (job submission) address" in out.splitlines()[0]
    assert "Traceback" not in out + err


@pytest.mark.ray
def test_wait_times_out_naming_the_node_that_did_not_join(fake_gpu_cluster):
    cluster, _ = fake_gpu_cluster
    args = ("--nnodes", "3", "--gpus-per-node", "2", "--timeout", "3", "--expect-nodes", "node1,node2,node3")
    out, err = wait_cli(*args, address=cluster.address).communicate(timeout=180)
    first = out.splitlines()[0]
    assert first.startswith("[FAIL] cluster nodes: still missing after 3 s: 2 of 3 nodes with 2 GPUs have joined;")
    assert "not joined: node3" in first
    assert "joined: head" in first and "node1" in first and "node2" in first
    assert "waiting for the Ray cluster" in err


@pytest.mark.ray
def test_wait_returns_once_a_late_node_joins(fake_gpu_cluster):
    cluster, _ = fake_gpu_cluster
    args = ("--nnodes", "3", "--gpus-per-node", "2", "--timeout", "300", "--expect-nodes", "node3")
    proc = wait_cli(*args, address=cluster.address)
    late = None
    try:
        first_progress = proc.stderr.readline()
        while first_progress and "waiting for the Ray cluster" not in first_progress:
            first_progress = proc.stderr.readline()
        assert "not joined: node3" in first_progress  # it was waiting for node3 before node3 started
        late = cluster.add_node(num_cpus=1, num_gpus=2, node_name="node3")
        out, _ = proc.communicate(timeout=240)
    finally:
        proc.kill()
        if late is not None:
            cluster.remove_node(late)
    assert proc.returncode == 0, out
    assert out.startswith("[PASS] cluster nodes: needs 3 x 2 GPUs; joined:")
    assert "node3 (" in out
