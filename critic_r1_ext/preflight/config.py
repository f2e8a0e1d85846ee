"""Config checks for the preflight: recipe and reward keys, verl's own validation, GPU divisibility, the reward.

Each takes the composed verl config and returns ``Check`` records; none needs data or a GPU.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check

OUR_REWARD = "pkg://critic_r1_ext.reward"
LEGACY_SECTIONS = ("custom_reward_function", "reward_model")  # top-level; verl 0.9 reads them under reward.*


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
    for section in LEGACY_SECTIONS:
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


def nearest(value: int, ok) -> str:
    """The closest positive integers below and above ``value`` for which ``ok`` holds, as text."""
    below = next((v for v in range(value - 1, 0, -1) if ok(v)), None)
    above = next((v for v in range(value + 1, 64 * value + 2) if ok(v)), None)
    return " or ".join(str(v) for v in (below, above) if v is not None) or "none near"


def check_divisibility(cfg) -> list[Check]:
    """The batch shapes verl needs for the configured world size, each failure with the nearest valid values."""
    from critic_r1_ext.preflight.ranges import bad_counts

    if bad_counts(cfg):
        return [Check("divisibility", FAIL, "not checked: a count is not a positive integer", "see the values check.")]
    per_node = cfg.trainer.n_gpus_per_node
    world = cfg.trainer.nnodes * per_node
    n = cfg.actor_rollout_ref.rollout.n
    batch, mini = cfg.data.train_batch_size, cfg.actor_rollout_ref.actor.ppo_mini_batch_size
    tp = cfg.actor_rollout_ref.rollout.tensor_model_parallel_size
    rules = [
        (
            batch * n % world == 0,
            f"train_batch_size*rollout.n = {batch}*{n} over {world} GPUs",
            f"make data.train_batch_size*rollout.n divisible by nnodes*n_gpus_per_node = {world}: "
            f"data.train_batch_size={nearest(batch, lambda b: b * n % world == 0 and b % mini == 0)}.",
        ),
        (
            batch % mini == 0,
            f"ppo_mini_batch_size {mini} divides train_batch_size {batch}",
            "set actor_rollout_ref.actor.ppo_mini_batch_size to a divisor of data.train_batch_size: "
            f"{nearest(mini, lambda m: batch % m == 0 and m * n % world == 0)}.",
        ),
        (
            mini * n % world == 0,
            f"ppo_mini_batch_size*rollout.n = {mini}*{n} over {world} GPUs",
            f"make ppo_mini_batch_size*rollout.n divisible by {world} so every GPU gets a share of each update: "
            f"actor_rollout_ref.actor.ppo_mini_batch_size={nearest(mini, lambda m: m * n % world == 0)}.",
        ),
        (
            per_node % tp == 0,
            f"rollout TP {tp} divides n_gpus_per_node {per_node}",
            "set actor_rollout_ref.rollout.tensor_model_parallel_size to a divisor of trainer.n_gpus_per_node: "
            f"{nearest(tp, lambda t: per_node % t == 0)}.",
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
    # The paper mode grades the box with mathruler, as the authors did: a worded verdict is no match.
    worded_acc = acc_w if kwargs.get("mode", "paper") == "robust" else 0.0
    think = "<think>Answer 1 misreads the chart; Answer 2 matches it.</think> "
    canned = [
        ("correct", think + "\\boxed{2}", acc_w + fmt_w),
        ("correct, worded", think + "Answer 2 is better. \\boxed{\\text{Answer 2}}", worded_acc + fmt_w),
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


def looks_local(path: str) -> bool:
    """A path that cannot be a hub id: absolute, ``.``/``~``-relative, several ``/``, or under an existing folder."""
    if "://" in path:
        return False
    if path.startswith(("/", ".", "~")) or path.count("/") > 1:
        return True
    parent = Path(path).parent
    return parent != Path(".") and parent.is_dir()


def check_model_path(cfg) -> list[Check]:
    path = str(cfg.actor_rollout_ref.model.path)
    if not looks_local(path):
        return [Check("model path", PASS, f"{path}: a hub id (downloaded by the workers) or a remote path")]
    if Path(path).expanduser().is_dir():
        return [Check("model path", PASS, f"{path}: local folder")]
    return [
        Check(
            "model path",
            FAIL,
            f"actor_rollout_ref.model.path={path}: no such folder",
            "download the checkpoint there first (e.g. `hf download Qwen/Qwen2.5-VL-7B-Instruct --local-dir "
            f"{path}`), or pass the hub id (owner/name) instead.",
        )
    ]
