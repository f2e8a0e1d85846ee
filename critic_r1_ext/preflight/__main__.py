"""Check a critic-r1 run on a laptop (CPU, under a minute) before it costs GPU hours.

    python -m critic_r1_ext.preflight +recipe=critic_r1 [hydra overrides...] [--processor DIR] [--sample N]
        [--on-node] [--json]
    python -m critic_r1_ext.preflight --on-cluster [--wait-for-cluster SECONDS] [hydra overrides...]

Takes the same overrides as ``python -m verl.trainer.main_ppo`` and composes the config the same
way, then reports PASS / WARN / FAIL for: the recipe and reward keys, every key against what verl
0.9.1 and critic_r1_ext read (a misspelt one with "did you mean"), counts, learning rates, lengths
against the model's context and GRPO's group size, a local model path that does not exist, verl's
own config validation, the data files (existence, row shape, image columns, labels, prompts over
``data.max_prompt_length``), the reward on canned outputs, GPU-count divisibility (with the nearest
valid values), a rough GPU-memory estimate and, on a GPU node (``--on-node``, or whenever CUDA is
visible), the GPU stack and GPU count. Every WARN and FAIL comes with its fix; the exit code is 1
when anything FAILs. A check that stops on an exception is a FAIL line naming it, never a traceback.

``--on-cluster`` (on the Ray head, or any machine that reaches ``RAY_ADDRESS``) checks the running Ray
cluster instead: nodes and GPUs, package versions, data and checkpoint paths and NCCL settings on every
node (``preflight.on_cluster``); ``--wait-for-cluster SECONDS`` first waits that long for the nodes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from dataclasses import asdict

from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check
from critic_r1_ext.preflight.config import (
    check_divisibility,
    check_model_path,
    check_recipe,
    check_reward,
    check_verl_validation,
)
from critic_r1_ext.preflight.data import check_data
from critic_r1_ext.preflight.genrm import check_genrm, is_genrm
from critic_r1_ext.preflight.memory import check_memory
from critic_r1_ext.preflight.node import check_node
from critic_r1_ext.preflight.on_cluster import check_running_cluster
from critic_r1_ext.preflight.ranges import check_values
from critic_r1_ext.preflight.schema import check_keys

DRY_RUN_POINTER = "Dry-run the real loop on your laptop: the README section of that name, docs/cpu_dry_run.md"


def compose(overrides: list[str]):
    """verl's ``ppo_trainer`` config with ``overrides``, composed as ``main_ppo`` does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=overrides)


def run_checks(
    overrides: list[str],
    processor: str | None,
    sample: int,
    gpu_memory_gib: float,
    on_node: bool = False,
    on_cluster: bool = False,
    wait_s: float | None = None,
) -> list[Check]:
    try:
        cfg = compose(overrides)
    except Exception as err:
        first = str(err).splitlines()[0] if str(err) else ""
        return [Check("compose", FAIL, f"{type(err).__name__}: {first}", "fix the override the message names.")]
    checks = [Check("compose", PASS, f"{len(overrides)} overrides")]
    if on_cluster:
        return checks + guarded("cluster", check_running_cluster, cfg, wait_s)
    steps = [
        ("recipe", check_recipe, (cfg,)),
        ("config keys", check_keys, (cfg,)),
        ("values", check_values, (cfg,)),
        ("model path", check_model_path, (cfg,)),
        ("verl validate_config", check_verl_validation, (cfg,)),
        ("divisibility", check_divisibility, (cfg,)),
        ("reward", check_genrm if is_genrm(cfg) else check_reward, (cfg,)),
        ("data", check_data, (cfg, processor, sample)),
        ("GPU memory", check_memory, (cfg, gpu_memory_gib)),
        ("node", check_node, (cfg, on_node)),
    ]
    for name, check, args in steps:
        checks += guarded(name, check, *args)
    return checks


def guarded(name: str, check, *args) -> list[Check]:
    """``check(*args)``; an exception in it becomes a FAIL line naming the check, never a traceback."""
    try:
        return check(*args)
    except Exception as err:
        detail = f"the check stopped on {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        return [Check(name, FAIL, detail, "fix the setting it names; the other checks still ran.")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for verl.trainer.main_ppo")
    parser.add_argument("--processor", help="local processor/checkpoint dir used when the model path is not local")
    parser.add_argument("--sample", type=int, default=200, help="rows per data file to tokenize (default 200)")
    parser.add_argument("--gpu-memory-gb", type=float, default=80.0, help="memory of one GPU (default 80)")
    parser.add_argument(
        "--on-node", action="store_true", help="this is the training node: check the GPU stack and GPU count"
    )
    parser.add_argument(
        "--on-cluster", action="store_true", help="check the running Ray cluster (RAY_ADDRESS) instead of this machine"
    )
    parser.add_argument(
        "--wait-for-cluster",
        type=float,
        metavar="SECONDS",
        help="with --on-cluster: first wait up to SECONDS for trainer.nnodes nodes with n_gpus_per_node GPUs",
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    args = parser.parse_args(argv)

    start = time.monotonic()
    with contextlib.redirect_stdout(sys.stderr):  # verl's own prints stay off the report
        checks = run_checks(
            args.overrides,
            args.processor,
            args.sample,
            args.gpu_memory_gb,
            args.on_node,
            args.on_cluster or args.wait_for_cluster is not None,
            args.wait_for_cluster,
        )
    failed = sum(c.status == FAIL for c in checks)
    if args.json:
        print(json.dumps([asdict(c) for c in checks], indent=1))
    else:
        for c in checks:
            print(f"[{c.status}] {c.name}: {c.detail}")
            if c.fix:
                print(f"       fix: {c.fix}")
        warned = sum(c.status == WARN for c in checks)
        print(
            f"preflight: {len(checks) - failed - warned} passed, {warned} warnings, {failed} failed "
            f"in {time.monotonic() - start:.0f} s"
        )
        print(DRY_RUN_POINTER)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
