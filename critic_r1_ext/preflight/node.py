"""Node check for the preflight: can this machine run the job (GPU stack importable, enough GPUs)?

Runs with ``--on-node``, or by itself when CUDA is visible. On a laptop it only says what training
needs, since the GPU stack (``pip install -e ".[gpu]"``) is not expected there.
"""

from __future__ import annotations

import importlib.util

from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check

GPU_INSTALL = 'pip install -e ".[gpu]"'
# (module, what needs it): verl's rollout, verl's default trainer (trainer.use_v1), verl's HF model loader.
GPU_STACK = (
    ("vllm", "the rollout (actor_rollout_ref.rollout.name=vllm)"),
    ("transfer_queue", "verl's default trainer (trainer.use_v1=true)"),
    ("flash_attn", "verl's model loader (attn_implementation=flash_attention_2)"),
)


def visible_gpus() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def check_node(cfg, on_node: bool, gpus: int | None = None) -> list[Check]:
    """FAIL on a missing GPU package or too few GPUs when this is (or is said to be) the training node."""
    gpus = visible_gpus() if gpus is None else gpus
    if not (on_node or gpus):
        return [
            Check(
                "node",
                WARN,
                "no CUDA GPU visible: the GPU stack and GPU count are not checked on this machine",
                f"training needs `{GPU_INSTALL}` on a GPU node; rerun the preflight there (or pass --on-node).",
            )
        ]
    checks = []
    for module, needed_by in GPU_STACK:
        if importlib.util.find_spec(module) is None:
            checks.append(
                Check(f"node {module}", FAIL, f"{module} is not importable; {needed_by} needs it", f"{GPU_INSTALL}")
            )
        else:
            checks.append(Check(f"node {module}", PASS, "importable"))
    per_node, nnodes = cfg.trainer.n_gpus_per_node, cfg.trainer.nnodes
    what = f"the job needs nnodes x n_gpus_per_node = {nnodes} x {per_node} = {nnodes * per_node} GPUs"
    if gpus < per_node:
        checks.append(
            Check(
                "node GPUs",
                FAIL,
                f"{what}, {per_node} on each node; this node sees {gpus}",
                "run on a node with enough GPUs, or lower trainer.n_gpus_per_node (and keep the batch divisible).",
            )
        )
    else:
        others = f"; the other {nnodes - 1} node(s) are not visible from here" if nnodes > 1 else ""
        checks.append(Check("node GPUs", PASS, f"{what}; this node sees {gpus}{others}"))
    return checks
