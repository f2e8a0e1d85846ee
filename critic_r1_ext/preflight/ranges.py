"""Values verl accepts and then misuses: types and ranges of rates, counts and lengths, and GRPO's group.

verl's config dataclasses check little of this: ``optim.lr=1e-6x`` composes as a string and fails
deep in a worker, ``trainer.nnodes=0`` reaches Ray, a prompt plus response longer than the model's
context is truncated by the rollout, and GRPO with ``rollout.n=1`` has a group with
nothing to compare (no baseline). Each rule names the key, what is wrong and the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from omegaconf import OmegaConf

from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check

# Paper: lr 1e-6 (R1) and 5e-7 (R1+, Llama); see shared/spec/paper.md, "Variants".
PAPER_LR = 1e-6
POSITIVE_INTS = (
    "trainer.nnodes",
    "trainer.n_gpus_per_node",
    "trainer.total_epochs",
    "data.train_batch_size",
    "data.max_prompt_length",
    "data.max_response_length",
    "actor_rollout_ref.actor.ppo_mini_batch_size",
    "actor_rollout_ref.actor.ppo_epochs",
    "actor_rollout_ref.rollout.n",
    "actor_rollout_ref.rollout.tensor_model_parallel_size",
)
OPTIONAL_POSITIVE_INTS = ("trainer.total_training_steps", "data.val_batch_size")
# verl's advantage estimators whose baseline is the other rollouts of the same prompt (core_algos.py).
GROUP_ESTIMATORS = ("grpo", "grpo_vectorized", "grpo_passk", "gdpo", "rloo", "rloo_vectorized", "opo", "gpg")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bad_counts(cfg) -> list[Check]:
    """FAIL for every count that is not a positive integer (zero or negative nodes, GPUs, steps, sizes)."""
    checks = []
    for key in POSITIVE_INTS + OPTIONAL_POSITIVE_INTS:
        value = OmegaConf.select(cfg, key, default=None)
        if value is None and key in OPTIONAL_POSITIVE_INTS:
            continue
        if not _is_int(value) or value < 1:
            what = "not an integer" if not _is_int(value) else "zero or negative"
            checks.append(Check("values", FAIL, f"{key}={value!r} is {what}", f"set {key} to a positive integer."))
    return checks


def check_values(cfg) -> list[Check]:
    """Counts, learning rates, lengths against the model's context, and GRPO's group size."""
    checks = bad_counts(cfg)
    checks += _learning_rates(cfg)
    if not checks:
        checks += _lengths(cfg)
        checks += _group(cfg)
    return checks or [Check("values", PASS, "counts, learning rates, lengths and the GRPO group are in range")]


def _learning_rates(cfg) -> list[Check]:
    keys = ["actor_rollout_ref.actor.optim.lr"]
    if OmegaConf.select(cfg, "critic.enable", default=False):
        keys.append("critic.optim.lr")
    checks = []
    for key in keys:
        lr = OmegaConf.select(cfg, key, default=None)
        if not _is_number(lr):
            checks.append(
                Check("values", FAIL, f"{key}={lr!r} is not a number", f"set {key} to a number, e.g. {PAPER_LR:g}.")
            )
        elif not 0 < lr < 1:
            checks.append(
                Check("values", FAIL, f"{key}={lr:g} is out of range (0, 1)", f"the paper uses {PAPER_LR:g}.")
            )
        elif lr > 1e-4 or lr < 1e-9:
            checks.append(
                Check(
                    "values",
                    WARN,
                    f"{key}={lr:g} is {'large' if lr > 1e-4 else 'tiny'} for RL fine-tuning of a 7B VLM",
                    f"the paper uses {PAPER_LR:g} (5e-7 for R1+); change it only on purpose.",
                )
            )
    return checks


def model_context(model_path: str) -> int | None:
    """``max_position_embeddings`` of a local checkpoint's config.json (top level or its text_config)."""
    config = Path(model_path).expanduser() / "config.json"
    if not config.is_file():
        return None
    data = json.loads(config.read_text())
    value = data.get("max_position_embeddings") or (data.get("text_config") or {}).get("max_position_embeddings")
    return value if _is_int(value) else None


def _lengths(cfg) -> list[Check]:
    prompt, response = cfg.data.max_prompt_length, cfg.data.max_response_length
    model = str(cfg.actor_rollout_ref.model.path)
    context = model_context(model)
    if context is None:
        return []
    if prompt + response > context:
        return [
            Check(
                "values",
                FAIL,
                f"data.max_prompt_length + max_response_length = {prompt} + {response} = {prompt + response} "
                f"is over the model's context of {context} tokens (max_position_embeddings in {model}/config.json)",
                f"lower data.max_response_length to {max(context - prompt, 1)} or data.max_prompt_length to "
                f"{max(context - response, 1)}.",
            )
        ]
    return [Check("values", PASS, f"prompt + response = {prompt + response} tokens fit the model's {context}")]


def _group(cfg) -> list[Check]:
    estimator = str(cfg.algorithm.adv_estimator)
    n = cfg.actor_rollout_ref.rollout.n
    if estimator in GROUP_ESTIMATORS and n < 2:
        return [
            Check(
                "values",
                FAIL,
                f"algorithm.adv_estimator={estimator} with actor_rollout_ref.rollout.n={n}: a group of one has "
                "no baseline (verl's GRPO then takes the raw reward as the advantage, so every rollout with a "
                "positive reward is reinforced, right or wrong)",
                "set actor_rollout_ref.rollout.n to 2 or more (the paper: 8).",
            )
        ]
    return []
