"""Check a critic-r1 run on a laptop (CPU, under a minute) before it costs GPU hours.

    python -m critic_r1_ext.preflight +recipe=critic_r1 [hydra overrides...] [--processor DIR] [--sample N]
        [--on-node] [--json]

Takes the same overrides as ``python -m verl.trainer.main_ppo`` and composes the config the same
way, then reports PASS / WARN / FAIL for: the recipe and reward keys, misspelt ``data.*`` keys, a
local model path that does not exist, verl's own config validation, the data files (existence, row
shape, image columns, labels, prompts over ``data.max_prompt_length``), the reward on canned
outputs, GPU-count divisibility, a rough GPU-memory estimate and, on a GPU node (``--on-node``, or
whenever CUDA is visible), the GPU stack and GPU count. Every WARN and FAIL comes with its fix; the
exit code is 1 when anything FAILs.
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
    check_data_keys,
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

DRY_RUN_POINTER = "Dry-run the real loop on your laptop: the README section of that name, docs/cpu_dry_run.md"


def compose(overrides: list[str]):
    """verl's ``ppo_trainer`` config with ``overrides``, composed as ``main_ppo`` does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=overrides)


def run_checks(
    overrides: list[str], processor: str | None, sample: int, gpu_memory_gib: float, on_node: bool = False
) -> list[Check]:
    try:
        cfg = compose(overrides)
    except Exception as err:
        return [Check("compose", FAIL, f"{type(err).__name__}: {err}", "fix the override the message names.")]
    checks = [Check("compose", PASS, f"{len(overrides)} overrides")]
    checks += check_recipe(cfg)
    checks += check_data_keys(cfg, compose([]))
    checks += check_model_path(cfg)
    checks += check_verl_validation(cfg)
    checks += check_divisibility(cfg)
    checks += check_genrm(cfg) if is_genrm(cfg) else check_reward(cfg)
    checks += check_data(cfg, processor, sample)
    checks += check_memory(cfg, gpu_memory_gib)
    checks += check_node(cfg, on_node)
    return checks


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
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    args = parser.parse_args(argv)

    start = time.monotonic()
    with contextlib.redirect_stdout(sys.stderr):  # verl's own prints stay off the report
        checks = run_checks(args.overrides, args.processor, args.sample, args.gpu_memory_gb, args.on_node)
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
