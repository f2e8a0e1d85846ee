"""Wait until a Ray cluster has every node and GPU a run needs, instead of sleeping a fixed time.

    python -m critic_r1_ext.preflight.cluster --nnodes 2 --gpus-per-node 8 --timeout 600 [--expect-nodes a,b]

Connects to ``RAY_ADDRESS`` (``host:port`` of the head's GCS; unset: the Ray cluster on this machine),
polls ``ray.nodes()`` and exits 0 once ``nnodes`` nodes with ``gpus-per-node`` GPUs each (and every
node named in ``--expect-nodes``, matched to Ray's node name or IP) have joined, or 1 after the timeout
with one line naming what is missing. Imports only Ray, so the Slurm script can call it before verl
is even importable; the multi-node recipes reach it through ``python -m critic_r1_ext.preflight
--on-cluster --wait-for-cluster SECONDS``.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from dataclasses import dataclass

from critic_r1_ext.preflight.checks import FAIL, PASS, Check

START_NODE = "ray start --address=HEAD_IP:6379 --num-gpus=N --node-name=NAME"


@dataclass
class Node:
    """An alive Ray node: its name (``ray start --node-name``, default its IP), IP, id and GPU count."""

    name: str
    ip: str
    node_id: str
    gpus: float

    def __str__(self) -> str:
        where = self.name if self.name == self.ip else f"{self.name} ({self.ip})"
        return f"{where}: {self.gpus:g} GPUs"


def alive_nodes() -> list[Node]:
    """The alive nodes, by name (Ray lists them in no fixed order)."""
    import ray

    nodes = [
        Node(
            n.get("NodeName") or n["NodeManagerAddress"],
            n["NodeManagerAddress"],
            n["NodeID"],
            n["Resources"].get("GPU", 0),
        )
        for n in ray.nodes()
        if n["Alive"]
    ]
    return sorted(nodes, key=lambda n: (n.name, n.ip, n.node_id))


def _port_open(address: str) -> bool:
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except (OSError, ValueError):
        return False


def connect(address: str, timeout_s: float) -> str:
    """Join the cluster at ``address`` (``auto``: this machine's) within ``timeout_s``; "" or why not.

    ``ray.init`` on an address where nothing listens blocks for minutes, so a ``host:port`` address is
    first polled with plain TCP until the head answers or the time is up.
    """
    import ray

    if address.startswith(("http://", "https://")):
        return (
            f"RAY_ADDRESS={address} is the dashboard (job submission) address; "
            "set RAY_ADDRESS=HEAD_IP:6379 (the GCS port), or unset it on the head node"
        )
    if address != "auto":
        deadline = time.monotonic() + timeout_s
        while not _port_open(address.split("://")[-1]):
            if time.monotonic() > deadline:
                return f"no Ray head answered at {address} within {timeout_s:.0f} s"
            time.sleep(1)
    try:
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    except Exception as err:
        return f"cannot join the Ray cluster at {address}: {type(err).__name__}: {str(err).splitlines()[0]}"
    return ""


def missing(nodes: list[Node], nnodes: int, gpus_per_node: int, expect: list[str]) -> str:
    """What the cluster lacks for ``nnodes`` x ``gpus_per_node`` GPUs (and the ``expect`` nodes); "" if nothing."""
    full = [n for n in nodes if n.gpus >= gpus_per_node]
    named = {key for n in nodes for key in (n.name, n.ip)}
    absent = [name for name in expect if name not in named]
    short = [n for n in nodes if n.gpus < gpus_per_node and (n.gpus > 0 or {n.name, n.ip} & set(expect))]
    expected_short = [n for n in short if {n.name, n.ip} & set(expect)]
    if len(full) >= nnodes and not absent and not expected_short:
        return ""
    gaps = [f"{len(full)} of {nnodes} nodes with {gpus_per_node} GPUs have joined"]
    if absent:
        gaps.append(f"not joined: {', '.join(absent)}")
    if short:
        gaps.append("too few GPUs: " + ", ".join(f"{n} of {gpus_per_node}" for n in short))
    return "; ".join(gaps)


def check_nodes(nodes: list[Node], nnodes: int, gpus_per_node: int, expect: list[str] = ()) -> Check:
    """PASS when the cluster has what ``trainer.nnodes`` x ``trainer.n_gpus_per_node`` asks for."""
    joined = ", ".join(map(str, nodes)) or "none"
    gap = missing(nodes, nnodes, gpus_per_node, list(expect))
    if gap:
        return Check(
            "cluster nodes",
            FAIL,
            f"{gap} (joined: {joined})",
            f"start Ray on the missing nodes ({START_NODE}), or lower trainer.nnodes / trainer.n_gpus_per_node.",
        )
    return Check("cluster nodes", PASS, f"needs {nnodes} x {gpus_per_node} GPUs; joined: {joined}")


def wait_for_cluster(
    nnodes: int,
    gpus_per_node: int,
    timeout_s: float,
    expect: list[str] = (),
    poll_s: float = 2.0,
    start: float | None = None,
) -> Check:
    """Poll the connected cluster until :func:`check_nodes` passes or ``timeout_s`` after ``start`` (monotonic
    clock, default now) is up; progress on stderr."""
    start = time.monotonic() if start is None else start
    last_gap = None
    while True:
        nodes = alive_nodes()
        check = check_nodes(nodes, nnodes, gpus_per_node, expect)
        waited = time.monotonic() - start
        if check.status == PASS:
            check.detail += f" (after {waited:.0f} s)"
            return check
        if waited >= timeout_s:
            check.detail = f"still missing after {timeout_s:.0f} s: {check.detail}"
            return check
        gap = missing(nodes, nnodes, gpus_per_node, list(expect))
        if gap != last_gap:
            print(f"waiting for the Ray cluster (up to {timeout_s - waited:.0f} s more): {gap}", file=sys.stderr)
            last_gap = gap
        time.sleep(poll_s)


def print_checks(checks: list[Check]) -> None:
    """The preflight's report format: one ``[STATUS] name: detail`` line per check, then its fix."""
    for c in checks:
        print(f"[{c.status}] {c.name}: {c.detail}")
        if c.fix:
            print(f"       fix: {c.fix}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nnodes", type=int, required=True, help="nodes with GPUs the run needs (trainer.nnodes)")
    parser.add_argument("--gpus-per-node", type=int, required=True, help="GPUs on each (trainer.n_gpus_per_node)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait at most (default 600)")
    parser.add_argument("--expect-nodes", default="", help="comma-separated node names (or IPs) that must join")
    args = parser.parse_args(argv)
    expect = [name for name in args.expect_nodes.split(",") if name]
    address = os.environ.get("RAY_ADDRESS") or "auto"
    start = time.monotonic()
    try:
        error = connect(address, args.timeout)
        if error:
            check = Check("cluster wait", FAIL, error, "start the head first: ray start --head --port=6379")
        else:
            check = wait_for_cluster(args.nnodes, args.gpus_per_node, args.timeout, expect, start=start)
    except Exception as err:
        check = Check("cluster wait", FAIL, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    finally:
        import ray

        ray.shutdown()
    print_checks([check])
    return 0 if check.status == PASS else 1


if __name__ == "__main__":
    sys.exit(main())
