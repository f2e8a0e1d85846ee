"""Preflight on a running Ray cluster (``--on-cluster``): what every node sees, compared against the config.

Runs :mod:`node_probe` as a task pinned to each alive node (``NodeAffinitySchedulingStrategy``) and
checks: nodes and GPUs against ``trainer.nnodes`` x ``trainer.n_gpus_per_node``; the same torch,
verl, vLLM, transformers, flash-attn and critic_r1_ext on every node; ``data.train_files`` /
``data.val_files`` readable and ``trainer.default_local_dir`` writable and shared from every node;
``NCCL_SOCKET_IFNAME`` / ``GLOO_SOCKET_IFNAME`` / ``NCCL_IB_*`` set alike and naming interfaces each
node has. :func:`check_running_cluster` connects (and waits); :func:`check_cluster` expects a connected driver.
"""

from __future__ import annotations

import os
import time
import uuid

from omegaconf import OmegaConf

from critic_r1_ext.preflight import node_probe
from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check
from critic_r1_ext.preflight.cluster import Node, alive_nodes, check_nodes, connect, wait_for_cluster

PROBE_TIMEOUT_S = 120
GPU_INSTALL = 'pip install -e ".[gpu]"'


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if OmegaConf.is_list(value) or isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def by_label(nodes: list[Node]) -> dict[str, Node]:
    """Nodes by name, with a short node id added where names repeat (several nodes on one IP)."""
    names = [n.name for n in nodes]
    return {n.name if names.count(n.name) == 1 else f"{n.name}/{n.node_id[:8]}": n for n in nodes}


def run_on_each(nodes: dict[str, Node], fn, *args) -> dict[str, object]:
    """``fn(*args)`` on every node, at most PROBE_TIMEOUT_S; a node whose task fails maps to its error."""
    import ray
    from ray import cloudpickle
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    cloudpickle.register_pickle_by_value(node_probe)  # nodes need not have (this version of) our package
    task = ray.remote(num_cpus=0, max_retries=0)(fn)
    refs = {
        label: task.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n.node_id, soft=False)).remote(*args)
        for label, n in nodes.items()
    }
    ready, _ = ray.wait(list(refs.values()), num_returns=len(refs), timeout=PROBE_TIMEOUT_S)
    results = {}
    for name, ref in refs.items():
        if ref not in ready:
            results[name] = RuntimeError(f"no answer within {PROBE_TIMEOUT_S} s")
            continue
        try:
            results[name] = ray.get(ref)
        except Exception as err:
            results[name] = RuntimeError(f"{type(err).__name__}: {str(err).splitlines()[0]}")
    return results


def check_versions(reports: dict[str, dict], cfg, gpu_nodes: list[str]) -> list[Check]:
    """One check per package: FAIL when nodes differ or a needed package is missing everywhere.

    vLLM and flash-attn are compared over ``gpu_nodes`` only (all nodes when there are none).
    """
    checks = []
    needed = {
        "vllm": OmegaConf.select(cfg, "actor_rollout_ref.rollout.name", default="vllm") == "vllm",
        "flash_attn": OmegaConf.select(
            cfg, "actor_rollout_ref.model.override_config.attn_implementation", default="flash_attention_2"
        )
        == "flash_attention_2",
    }
    for name in (*node_probe.PACKAGES, node_probe.OWN_PACKAGE):
        scope = [n for n in reports if n in gpu_nodes] if name in node_probe.GPU_PACKAGES and gpu_nodes else reports
        where = "GPU node" if scope is not reports else "node"
        by_version: dict[str, list[str]] = {}
        for node in scope:
            by_version.setdefault(reports[node]["versions"][name] or "missing", []).append(node)
        found = "; ".join(f"{version} on {', '.join(nodes)}" for version, nodes in sorted(by_version.items()))
        if len(by_version) > 1:
            fix = "install the same version on every node (one image or one lock file for all)"
            checks.append(Check(f"cluster {name}", FAIL, f"differs across {where}s: {found}", fix + "."))
        elif "missing" in by_version:
            detail = f"missing on every {where} ({', '.join(scope)})"
            if needed.get(name, True):
                checks.append(Check(f"cluster {name}", FAIL, detail, f"{GPU_INSTALL} on every node."))
            else:
                checks.append(Check(f"cluster {name}", WARN, detail + "; this config does not use it"))
        else:
            checks.append(Check(f"cluster {name}", PASS, found))
    return checks


def check_data_paths(reports: dict[str, dict], paths: list[str]) -> list[Check]:
    """Each data file readable on every node (verl's TaskRunner may land on any of them)."""
    checks = []
    for path in paths:
        if "://" in path:
            checks.append(Check(f"cluster data {path}", WARN, "remote URL, not checked from the nodes"))
            continue
        bad = {node: r["read"][path] for node, r in reports.items() if r["read"][path]}
        relative = not path.startswith("/")
        hint = " (relative: each node resolves it in its own working directory)" if relative else ""
        fix = "put the data on storage every node mounts, at the same absolute path (DATA_DIR)."
        if bad:
            found = "; ".join(f"{node}: {why}" for node, why in bad.items())
            checks.append(Check(f"cluster data {path}", FAIL, f"not readable on {found}{hint}", fix))
        elif relative:
            checks.append(Check(f"cluster data {path}", WARN, f"readable on all {len(reports)} nodes{hint}", fix))
        else:
            checks.append(Check(f"cluster data {path}", PASS, f"readable on all {len(reports)} nodes"))
    return checks


def check_checkpoint_dir(reports: dict[str, dict], seen: dict[str, object], ckpt_dir: str) -> Check:
    """``ckpt_dir`` writable on every node, and one directory for all: each node sees the others' markers."""
    name = f"cluster checkpoint {ckpt_dir}"
    fix = "set trainer.default_local_dir (CKPT_ROOT) to storage every node mounts, at the same absolute path."
    bad = {node: r["write"] for node, r in reports.items() if r["write"]}
    if bad:
        return Check(name, FAIL, "not writable on " + "; ".join(f"{n}: {why}" for n, why in bad.items()), fix)
    blind = {node: markers for node, markers in seen.items() if len(markers) < len(reports)}
    if blind:
        found = ", ".join(f"{node} sees {len(markers)}" for node, markers in blind.items())
        detail = f"not shared: of the {len(reports)} files the nodes wrote there, {found}"
        return Check(name, FAIL, detail + " (each rank writes its own checkpoint shard there)", fix)
    return Check(name, PASS, f"writable and shared by all {len(reports)} nodes")


def _matches(spec: str, names: list[str], prefixes: bool) -> bool:
    """Whether an NCCL-style interface/HCA list (``eth``, ``=eth0``, ``mlx5_0:1``) names any of ``names``."""
    exact = spec.startswith("=") or not prefixes
    wanted = [item.split(":")[0] for item in spec.lstrip("=").split(",") if item]
    return any(name == w or (not exact and name.startswith(w)) for w in wanted for name in names)


def check_network(reports: dict[str, dict], nnodes: int) -> list[Check]:
    """NCCL/Gloo network variables: the same on every node, naming interfaces (and IB devices) each node has."""
    checks = []
    keys = sorted({k for r in reports.values() for k in r["env"]})
    for key in keys:
        values = {node: r["env"].get(key) for node, r in reports.items()}
        if len(set(values.values())) > 1:
            found = ", ".join(f"{node}={value if value is not None else '(unset)'}" for node, value in values.items())
            fix = f"set {key} alike in the environment of `ray start` on every node (or in the job's runtime env)."
            checks.append(Check(f"cluster {key}", WARN, f"differs across nodes: {found}", fix))
    for key, devices, prefixes in (
        ("NCCL_SOCKET_IFNAME", "interfaces", True),
        ("GLOO_SOCKET_IFNAME", "interfaces", False),
        ("NCCL_IB_HCA", "ib_devices", True),
    ):
        bad = []
        for node, r in reports.items():
            spec = r["env"].get(key)
            if not spec or spec.startswith("^") or (key == "NCCL_IB_HCA" and r["env"].get("NCCL_IB_DISABLE") == "1"):
                continue
            if not _matches(spec, r[devices], prefixes):
                bad.append(f"{node}: {key}={spec} names none of its {devices} ({', '.join(r[devices]) or 'none'})")
        if bad:
            checks.append(
                Check(f"cluster {key}", FAIL, "; ".join(bad), f"set {key} to a name that exists on every node.")
            )
        elif key in keys:
            checks.append(Check(f"cluster {key}", PASS, f"names {devices} present on every node that sets it"))
    if nnodes > 1 and "NCCL_SOCKET_IFNAME" not in keys:
        checks.append(
            Check(
                "cluster NCCL_SOCKET_IFNAME",
                WARN,
                "unset on every node: NCCL and Gloo pick an interface themselves, which fails on nodes with several",
                "export NCCL_SOCKET_IFNAME and GLOO_SOCKET_IFNAME (the interface the nodes reach each other on) "
                "before `ray start` on every node.",
            )
        )
    return checks


def check_cluster(cfg) -> list[Check]:
    """All on-cluster checks for the composed config; the driver must already be connected to Ray."""
    nnodes, per_node = int(cfg.trainer.nnodes), int(cfg.trainer.n_gpus_per_node)
    nodes = alive_nodes()
    checks = [check_nodes(nodes, nnodes, per_node)]
    labelled = by_label(nodes)
    data = list(dict.fromkeys(_as_list(cfg.data.train_files) + _as_list(cfg.data.val_files)))
    ckpt_dir = str(cfg.trainer.default_local_dir)
    prefix = f".critic_r1_preflight_{uuid.uuid4().hex[:8]}_"
    answers = run_on_each(labelled, node_probe.describe, data, ckpt_dir, prefix)
    reports = {}
    for node, answer in answers.items():
        if isinstance(answer, Exception):
            checks.append(Check(f"cluster probe {node}", FAIL, f"the node check task failed: {answer}"))
        else:
            reports[node] = answer
    if not reports:
        return checks
    answering = {label: labelled[label] for label in reports}
    seen = run_on_each(answering, node_probe.visible_markers, ckpt_dir, prefix)
    run_on_each(answering, node_probe.remove_markers, ckpt_dir, prefix)
    seen = {node: markers if isinstance(markers, list) else [] for node, markers in seen.items()}
    checks += check_versions(reports, cfg, [label for label, n in labelled.items() if n.gpus > 0])
    checks += check_data_paths(reports, data)
    checks.append(check_checkpoint_dir(reports, seen, ckpt_dir))
    checks += check_network(reports, nnodes)
    return checks


def check_running_cluster(cfg, wait_s: float | None) -> list[Check]:
    """Join the Ray cluster (``RAY_ADDRESS``, else this machine's), wait up to ``wait_s`` for its nodes, check it."""
    import ray

    address = os.environ.get("RAY_ADDRESS") or "auto"
    start = time.monotonic()
    try:
        error = connect(address, wait_s or 0)
        if error:
            return [
                Check("cluster", FAIL, error, "start Ray first (ray start --head) or set RAY_ADDRESS=HEAD_IP:6379.")
            ]
        if wait_s:
            nnodes, per_node = int(cfg.trainer.nnodes), int(cfg.trainer.n_gpus_per_node)
            waited = wait_for_cluster(nnodes, per_node, wait_s, start=start)
            if waited.status == FAIL:
                return [waited]
        return check_cluster(cfg)
    except Exception as err:
        return [Check("cluster", FAIL, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")]
    finally:
        ray.shutdown()
