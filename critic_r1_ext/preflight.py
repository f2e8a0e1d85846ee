"""Check a critic-r1 run on a laptop (CPU, under a minute) before it costs GPU hours.

    python -m critic_r1_ext.preflight +recipe=critic_r1 [hydra overrides...] [--processor DIR] [--sample N] [--json]

Takes the same overrides as ``python -m verl.trainer.main_ppo`` and composes the config the same
way, then reports PASS / WARN / FAIL for: the recipe and reward keys, verl's own config validation,
the data files (existence, row shape, labels, prompts over ``data.max_prompt_length``), the reward
on canned outputs, GPU-count divisibility, and a rough GPU-memory estimate. Every WARN and FAIL
comes with its fix; the exit code is 1 when anything FAILs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from omegaconf import OmegaConf

from critic_r1_ext import memory_estimate, preflight_data

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
OUR_REWARD = "pkg://critic_r1_ext.reward"
LEGACY_SECTIONS = {"custom_reward_function": "reward.custom_reward_function", "reward_model": "reward.reward_model"}


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


def compose(overrides: list[str]):
    """verl's ``ppo_trainer`` config with ``overrides``, composed as ``main_ppo`` does."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=overrides)


def check_recipe(cfg) -> list[Check]:
    checks = []
    path = OmegaConf.select(cfg, "reward.custom_reward_function.path")
    if "recipe" in cfg:
        checks.append(
            Check(
                "recipe",
                FAIL,
                "a top-level 'recipe' key: the recipe was not found as a config group",
                "reinstall critic-r1-ext (pip install -e .) so its Hydra search-path plugin is found.",
            )
        )
    elif not path:
        checks.append(
            Check(
                "recipe",
                FAIL,
                "reward.custom_reward_function.path is not set",
                "add +recipe=critic_r1 (or +recipe=critic_r1_plus) to the command.",
            )
        )
    else:
        checks.append(Check("recipe", PASS, f"reward.custom_reward_function.path={path}"))

    legacy = []
    for section, new in LEGACY_SECTIONS.items():
        values = OmegaConf.to_container(cfg.get(section) or {}, resolve=False)
        legacy += [f"{section}.{key}" for key, value in _leaves(values) if value is not None]
    if legacy:
        checks.append(
            Check(
                "legacy reward keys",
                FAIL,
                f"set but ignored by verl 0.9: {', '.join(legacy)}",
                "move them under reward.* (custom_reward_function.X -> reward.custom_reward_function.X, "
                "reward_model.reward_manager -> reward.reward_manager.name).",
            )
        )
    else:
        checks.append(Check("legacy reward keys", PASS, "none set"))
    return checks


def _leaves(tree, prefix=""):
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip("."), tree


def check_verl_validation(cfg) -> list[Check]:
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import omega_conf_to_dataclass, validate_config

    checks = []
    try:
        validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
        checks.append(Check("verl validate_config", PASS, "passed"))
    except Exception as err:
        checks.append(
            Check(
                "verl validate_config",
                FAIL,
                f"{type(err).__name__}: {err}",
                "change the setting the message names; main_ppo would stop with the same error.",
            )
        )
    for key in ("actor_rollout_ref.actor", "actor_rollout_ref.rollout", "algorithm"):
        try:
            built = omega_conf_to_dataclass(OmegaConf.select(cfg, key))
            checks.append(Check(f"dataclass {key}", PASS, type(built).__name__))
        except Exception as err:
            checks.append(
                Check(
                    f"dataclass {key}",
                    FAIL,
                    f"{type(err).__name__}: {err}",
                    f"fix the {key}.* setting the message names; verl's workers build the same dataclass.",
                )
            )
    return checks


def check_divisibility(cfg) -> list[Check]:
    world = cfg.trainer.nnodes * cfg.trainer.n_gpus_per_node
    n = cfg.actor_rollout_ref.rollout.n
    batch, mini = cfg.data.train_batch_size, cfg.actor_rollout_ref.actor.ppo_mini_batch_size
    tp = cfg.actor_rollout_ref.rollout.tensor_model_parallel_size
    rules = [
        (
            batch * n % world == 0,
            f"train_batch_size*rollout.n = {batch}*{n} over {world} GPUs",
            f"make data.train_batch_size*rollout.n divisible by nnodes*n_gpus_per_node = {world}.",
        ),
        (
            batch % mini == 0,
            f"ppo_mini_batch_size {mini} divides train_batch_size {batch}",
            "set actor_rollout_ref.actor.ppo_mini_batch_size to a divisor of data.train_batch_size.",
        ),
        (
            mini * n % world == 0,
            f"ppo_mini_batch_size*rollout.n = {mini}*{n} over {world} GPUs",
            f"make ppo_mini_batch_size*rollout.n divisible by {world} so every GPU gets a share of each update.",
        ),
        (
            cfg.trainer.n_gpus_per_node % tp == 0,
            f"rollout TP {tp} divides n_gpus_per_node {cfg.trainer.n_gpus_per_node}",
            "set actor_rollout_ref.rollout.tensor_model_parallel_size to a divisor of trainer.n_gpus_per_node.",
        ),
    ]
    return [
        Check("divisibility", PASS if ok else FAIL, what + ("" if ok else ": not divisible"), "" if ok else fix)
        for ok, what, fix in rules
    ]


def check_reward(cfg) -> list[Check]:
    """Score canned critic outputs through verl's loader (reward_kwargs bound) and compare with the weights."""
    from verl.trainer.ppo.reward import get_custom_reward_fn

    try:
        reward_fn = get_custom_reward_fn(cfg)
    except Exception as err:
        return [
            Check(
                "reward",
                FAIL,
                f"cannot load the reward function: {type(err).__name__}: {err}",
                "point reward.custom_reward_function.path/name at an importable function.",
            )
        ]
    if reward_fn is None:
        return [Check("reward", FAIL, "no custom reward function", "add +recipe=critic_r1.")]
    kwargs = cfg.reward.custom_reward_function.get("reward_kwargs") or {}
    acc_w, fmt_w = float(kwargs.get("acc_weight", 0.9)), float(kwargs.get("format_weight", 0.1))
    think = "<think>Answer 1 misreads the chart; Answer 2 matches it.</think> "
    canned = [
        ("correct", think + "\\boxed{2}", acc_w + fmt_w),
        ("correct, worded", think + "Answer 2 is better. \\boxed{\\text{Answer 2}}", acc_w + fmt_w),
        ("wrong", think + "\\boxed{1}", fmt_w),
        ("hedge", think + "\\boxed{1 or 2}", fmt_w),
        ("no think", "\\boxed{2}", acc_w),
        ("no format", "Answer 2 is better.", 0.0),
    ]
    scores = {
        name: _score(reward_fn(data_source="preflight", solution_str=text, ground_truth="2", extra_info={}))
        for name, text, _ in canned
    }
    shown = ", ".join(f"{name} {score:.2f}" for name, score in scores.items())
    if cfg.reward.custom_reward_function.path != OUR_REWARD:
        return [
            Check(
                "reward",
                WARN,
                f"not critic_r1_ext's reward; scores: {shown}",
                f"use reward.custom_reward_function.path={OUR_REWARD} unless the change is intended.",
            )
        ]
    wrong = [f"{name} {scores[name]:.2f}!={want:.2f}" for name, _, want in canned if abs(scores[name] - want) > 1e-6]
    if wrong:
        return [
            Check(
                "reward",
                FAIL,
                "unexpected scores: " + ", ".join(wrong),
                "check reward.custom_reward_function.reward_kwargs (acc_weight, format_weight).",
            )
        ]
    return [Check("reward", PASS, shown)]


def _score(result) -> float:
    return float(result["score"] if isinstance(result, dict) else result)


def load_processor(cfg, processor_path: str | None):
    """(tokenizer, processor, note, exact): the model's own when on disk, else ``--processor``, else the tiny one."""
    from verl.utils import hf_processor, hf_tokenizer

    model_path = cfg.actor_rollout_ref.model.path
    for path, note in ((model_path, "the model's processor"), (processor_path, "--processor")):
        if path and Path(path).is_dir():
            return hf_tokenizer(path), hf_processor(path), f"{note} at {path}", True
    from critic_r1_ext.tiny_qwen import build_processor

    # Qwen2.5-VL's own image-processor bounds, so image token counts come out exactly as Qwen's.
    processor = build_processor(min_pixels=56 * 56, max_pixels=28 * 28 * 16384)
    note = (
        "the tiny offline processor: text token counts are approximate (its tokenizer is not Qwen's), "
        "image token counts are exact"
    )
    return processor.tokenizer, processor, note, False


def check_data(cfg, processor_path: str | None, sample: int) -> list[Check]:
    checks = []
    files = [("train", f) for f in preflight_data.as_list(cfg.data.train_files)]
    files += [("val", f) for f in preflight_data.as_list(cfg.data.val_files)]
    tokenizer = processor = None
    limit = cfg.data.max_prompt_length
    for split, path in files:
        if "://" in path:
            checks.append(
                Check(f"{split} data", WARN, f"{path}: remote, not checked", "copy a local sample to check it.")
            )
            continue
        if not Path(path).is_file():
            checks.append(
                Check(
                    f"{split} data",
                    FAIL,
                    f"{path}: no such file",
                    f"run the data-prep step (python -m data_prep.released ... --out DIR) or fix data.{split}_files.",
                )
            )
            continue
        columns = preflight_data.read_columns(path)
        shape = preflight_data.row_shape(columns)
        if shape is None:
            checks.append(
                Check(
                    f"{split} data",
                    FAIL,
                    f"{path}: unknown row shape, columns {columns}",
                    "write rows with question/response_1/response_2/label/images (data_prep does).",
                )
            )
            continue
        checks.append(_label_check(split, path, shape, cfg))
        if tokenizer is None:
            tokenizer, processor, note, exact = load_processor(cfg, processor_path)
            checks.append(
                Check(
                    "processor",
                    PASS if exact else WARN,
                    note,
                    "" if exact else "pass --processor DIR (a local Qwen2.5-VL checkpoint) for exact counts.",
                )
            )
        report = preflight_data.measure_sample(path, cfg, tokenizer, processor, sample)
        checks += _sample_checks(split, path, shape, report, limit, cfg)
    return checks


def _label_check(split: str, path: str, shape: str, cfg) -> Check:
    counts = preflight_data.label_counts(path, shape)
    total = sum(counts.values())
    shown = ", ".join(f"{k}: {v} ({v / total:.0%})" for k, v in counts.most_common(6))
    invalid = sum(v for k, v in counts.items() if k.startswith("invalid:"))
    ties = counts.get("tie", 0)
    if invalid:
        return Check(
            f"{split} labels",
            FAIL,
            f"{path}: {invalid} rows with an unusable label; {shown}",
            "drop or fix those rows in data prep: a critic label must be 1 or 2 (or tie).",
        )
    if ties and shape == "pairwise" and not cfg.data.get("allow_tie", False):
        return Check(
            f"{split} labels",
            FAIL,
            f"{path}: {ties} tie rows but data.allow_tie=false; {shown}",
            "set data.allow_tie=true or drop the tie rows in data prep.",
        )
    majority = max(counts.values()) / total
    swapped = shape == "pairwise" and cfg.data.get("swap_prob", 0) > 0
    if majority > 0.6 and not swapped:
        return Check(
            f"{split} labels",
            WARN,
            f"{path}: unbalanced positions; {shown}",
            "balance the labels in data prep (swap the responses of some rows) or the critic learns a position bias.",
        )
    note = " (positions re-drawn each epoch by data.swap_prob)" if swapped else ""
    return Check(f"{split} labels", PASS, f"{path}: {total} rows; {shown}{note}")


def _sample_checks(split, path, shape, report, limit, cfg) -> list[Check]:
    checks = []
    measured = len(report.lengths) + len(report.errors)
    if report.errors:
        first = "; ".join(f"row {i}: {msg}" for i, msg in list(report.errors.items())[:3])
        checks.append(
            Check(
                f"{split} rows",
                FAIL,
                f"{len(report.errors)}/{measured} sampled rows fail to render: {first}",
                "fix those rows in data prep (each <image> marker needs one image, labels 1/2).",
            )
        )
    else:
        checks.append(Check(f"{split} rows", PASS, f"{shape} rows; {measured} sampled of {report.rows} render"))
    if not report.lengths:
        return checks
    over = report.overlong(limit)
    longest = max(report.lengths, key=report.lengths.get)
    detail = (
        f"{len(over)}/{len(report.lengths)} sampled rows over max_prompt_length={limit} "
        f"(~{len(over) / len(report.lengths) * report.rows:.0f} of {report.rows}); "
        f"longest row {longest}: {report.lengths[longest]} tokens"
    )
    if over and not cfg.data.filter_overlong_prompts:
        checks.append(
            Check(
                f"{split} prompt length",
                FAIL,
                detail,
                "set data.filter_overlong_prompts=true or raise data.max_prompt_length: an overlong "
                "multimodal prompt stops the run mid-way.",
            )
        )
    elif len(over) > 0.05 * len(report.lengths):
        checks.append(
            Check(
                f"{split} prompt length",
                WARN,
                detail + "; they will be filtered out",
                "raise data.max_prompt_length or lower data.max_pixels to keep them.",
            )
        )
    else:
        checks.append(Check(f"{split} prompt length", PASS, detail))
    if split == "train":
        kept = report.rows * (1 - len(over) / len(report.lengths))
        steps = int(kept // cfg.data.train_batch_size)
        status = PASS if steps > 0 else FAIL
        checks.append(
            Check(
                "steps",
                status,
                f"~{steps} steps/epoch x {cfg.trainer.total_epochs} epochs = ~{steps * cfg.trainer.total_epochs} steps",
                "" if steps else "use more data or a smaller data.train_batch_size.",
            )
        )
    return checks


def check_memory(cfg, gpu_memory_gib: float) -> list[Check]:
    shape = memory_estimate.model_shape(str(cfg.actor_rollout_ref.model.path))
    if shape is None:
        return [
            Check(
                "GPU memory",
                WARN,
                f"model size unknown for {cfg.actor_rollout_ref.model.path}",
                "point actor_rollout_ref.model.path at a local checkpoint to get an estimate.",
            )
        ]
    est = memory_estimate.estimate(cfg, shape, gpu_memory_gib)
    detail = (
        f"~{est.peak_gib:.0f} GiB/GPU of {gpu_memory_gib:.0f} ({shape.params / 1e9:.2f}B params from "
        f"{shape.source}; actor {est.actor_gib:.1f} + ref {est.ref_gib:.1f} + rollout {est.rollout_gib:.1f} "
        f"or activations {est.activations_gib:.1f}; rough)"
    )
    if est.peak_gib > 0.95 * gpu_memory_gib:
        return [
            Check(
                "GPU memory",
                WARN,
                detail,
                "lower rollout.gpu_memory_utilization or actor.ppo_max_token_len_per_gpu, or enable "
                "actor.fsdp_config.param_offload/optimizer_offload.",
            )
        ]
    return [Check("GPU memory", PASS, detail)]


def run_checks(overrides: list[str], processor: str | None, sample: int, gpu_memory_gib: float) -> list[Check]:
    try:
        cfg = compose(overrides)
    except Exception as err:
        return [Check("compose", FAIL, f"{type(err).__name__}: {err}", "fix the override the message names.")]
    checks = [Check("compose", PASS, f"{len(overrides)} overrides")]
    checks += check_recipe(cfg)
    checks += check_verl_validation(cfg)
    checks += check_divisibility(cfg)
    checks += check_reward(cfg)
    checks += check_data(cfg, processor, sample)
    checks += check_memory(cfg, gpu_memory_gib)
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, as for verl.trainer.main_ppo")
    parser.add_argument("--processor", help="local processor/checkpoint dir used when the model path is not local")
    parser.add_argument("--sample", type=int, default=200, help="rows per data file to tokenize (default 200)")
    parser.add_argument("--gpu-memory-gb", type=float, default=80.0, help="memory of one GPU (default 80)")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    args = parser.parse_args(argv)

    start = time.monotonic()
    with contextlib.redirect_stdout(sys.stderr):  # verl's own prints stay off the report
        checks = run_checks(args.overrides, args.processor, args.sample, args.gpu_memory_gb)
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
