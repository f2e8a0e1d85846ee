"""Every key of the composed config against what verl 0.9.1 reads, and the keys our dataset and reward read.

verl silently ignores a key it does not read: ``+trainer.totl_epochs=3`` or
``+actor_rollout_ref.actor.optim.learning_rate=1e-6`` compose fine and change nothing. The known keys
are derived, never listed by hand: verl's default config as ``main_ppo`` composes it, the
``_generated_*`` files verl ships (the fully expanded configs of each training backend), and the
fields of the dataclass every ``_target_`` node is built into. A subtree that verl passes on
unread (a ``dict`` or ``Any`` field, or an empty ``{}`` in the YAML, such as ``engine_kwargs``) is
not descended into. On top: ``DATA_KEYS`` (read by ``critic_r1_ext.dataset``), ``reward_kwargs``
(read by verl's ``get_custom_reward_fn`` and passed to the reward function as keyword arguments,
so checked against that function's parameters when it is ours) and ``ray_kwargs.ray_init``
(``main_ppo`` passes it to ``ray.init``: checked against ``ray.init``'s parameters).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import typing
from functools import lru_cache
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from critic_r1_ext.dataset import DATA_KEYS
from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check

FREE = "free"  # a subtree verl hands on without reading its keys
RAY_INIT = "ray.init"  # a subtree verl passes to ray.init as keyword arguments
OUR_REWARD = "pkg://critic_r1_ext.reward"


@lru_cache(maxsize=1)
def verl_tree() -> dict:
    """The known-key tree: verl's composed default plus its ``_generated_*`` configs, keys only."""
    import verl.trainer.config as verl_config

    from critic_r1_ext.preflight.__main__ import compose

    tree = _tree(compose([]))
    for path in sorted(Path(verl_config.__file__).parent.glob("_generated_*.yaml")):
        _merge(tree, _tree(OmegaConf.load(path)))
    tree["data"].update({key: None for key in DATA_KEYS})
    tree["reward"]["custom_reward_function"]["reward_kwargs"] = FREE  # verl/trainer/ppo/reward.py reads it
    tree["ray_kwargs"]["ray_init"] = RAY_INIT  # verl/trainer/main_ppo.py: ray.init(**ray_kwargs.ray_init)
    return tree


def _tree(node: DictConfig) -> dict:
    """``{key: subtree}``; a leaf is ``None``, an empty mapping ``FREE``, and the ``_target_`` class is kept."""
    out: dict = {}
    for key in node.keys():
        child = node._get_node(key)
        if isinstance(child, DictConfig) and not child._is_none():
            out[key] = _tree(child) if len(child) else FREE
        else:
            out[key] = child._value() if key == "_target_" else None
    return out


def _merge(into: dict, other: dict) -> None:
    for key, value in other.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        elif key not in into or into[key] is None:
            into[key] = value


def _dataclass_fields(target) -> dict:
    """``{field: FREE | dataclass | None}`` of the class a ``_target_`` names; ``{}`` when it is not one."""
    if not isinstance(target, str) or "." not in target:
        return {}
    module, _, name = target.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module), name)
        hints = typing.get_type_hints(cls)
    except Exception:
        return {}
    if not dataclasses.is_dataclass(cls):
        return {}
    return {f.name: _field_kind(hints.get(f.name)) for f in dataclasses.fields(cls)}


def _field_kind(hint):
    """FREE for ``dict``/``Any`` fields (verl reads them as a whole), the dataclass of a nested one, else None."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) is typing.Union and len(args) == 1:
        hint = args[0]
    if hint is typing.Any or hint is dict or typing.get_origin(hint) is dict:
        return FREE
    if dataclasses.is_dataclass(hint):
        return f"{hint.__module__}.{hint.__qualname__}"
    return None


def unknown_keys(cfg: DictConfig) -> list[tuple[str, list[str]]]:
    """``(dotted key, the known keys beside it)`` for every key of ``cfg`` that nothing reads."""
    out: list = []
    _walk(cfg, verl_tree(), "", out)
    return out


def _walk(node: DictConfig, known, path: str, out: list) -> None:
    known = known if isinstance(known, dict) else {}
    target = known.get("_target_") or (node.get("_target_") if "_target_" in node else None)
    fields = _dataclass_fields(target)
    for key in node.keys():
        here = f"{path}{key}"
        if key not in known and key not in fields:
            out.append((here, sorted(set(known) | set(fields))))
            continue
        kind = known.get(key) if known.get(key) is not None else fields.get(key)
        child = node._get_node(key)
        if kind == RAY_INIT and isinstance(child, DictConfig):
            accepted = _ray_init_parameters()
            out += [(f"{here}.{k}", accepted) for k in child.keys() if k not in accepted]
            continue
        if kind in (FREE, None) or fields.get(key) == FREE or not isinstance(child, DictConfig) or child._is_none():
            continue  # a leaf, a subtree verl reads whole, or a default of None whose structure nobody states
        if isinstance(kind, str):  # a nested dataclass absent from the YAML
            kind = {"_target_": kind}
        _walk(child, kind, f"{here}.", out)


def _ray_init_parameters() -> list[str]:
    import ray

    return [p for p, v in inspect.signature(ray.init).parameters.items() if v.kind != v.VAR_KEYWORD]


def _all_paths(tree: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in tree.items():
        paths.append(f"{prefix}{key}")
        if isinstance(value, dict):
            paths += _all_paths(value, f"{prefix}{key}.")
    return paths


def did_you_mean(key: str, siblings: list[str]) -> str | None:
    """Known keys ``key`` may mean: a close one beside it (or its initials: ``learning_rate`` -> ``lr``),
    else every known key elsewhere with the same name, else one with a close name."""
    parent, _, name = key.rpartition(".")
    prefix = f"{parent}." if parent else ""
    siblings = [s for s in siblings if s != "_target_"]
    match = difflib.get_close_matches(name, siblings, n=1, cutoff=0.75)
    initials = "".join(word[:1] for word in name.split("_"))
    if not match and "_" in name and initials in siblings:
        match = [initials]
    if match:
        return prefix + match[0]
    paths = _all_paths(verl_tree())
    same_name = [p for p in paths if p.rpartition(".")[2] == name]
    if same_name:
        return " or ".join(same_name[:3])
    names = sorted({p.rpartition(".")[2] for p in paths})
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.85)
    return " or ".join([p for p in paths if close and p.rpartition(".")[2] == close[0]][:3]) or None


def check_keys(cfg: DictConfig) -> list[Check]:
    """FAIL for every key no one reads, with the nearest known key; ``data.*`` ones only WARN with no match
    (a dataset class of the user's own may read them)."""
    checks = []
    for key, siblings in unknown_keys(cfg):
        match = did_you_mean(key, siblings)
        if match:
            owner = "critic_r1_ext" if match.startswith("data.") and match[5:] in DATA_KEYS else "verl"
            checks.append(
                Check(
                    "config keys",
                    FAIL,
                    f"{key} is read by nobody; did you mean {match} (read by {owner})?",
                    f"rename {key}=... to {match}=... (drop the + when the key exists).",
                )
            )
        elif key.startswith("data."):
            checks.append(
                Check(
                    "config keys",
                    WARN,
                    f"{key} is read by neither verl 0.9.1 nor critic_r1_ext",
                    "drop it, unless a dataset class of your own reads it.",
                )
            )
        else:
            checks.append(
                Check(
                    "config keys",
                    FAIL,
                    f"{key} is read by neither verl 0.9.1 nor critic_r1_ext: it would be silently ignored",
                    "drop it, or find the key you meant in verl's ppo_trainer.yaml.",
                )
            )
    checks += _check_reward_kwargs(cfg)
    if not checks:
        checks.append(Check("config keys", PASS, "every key is one verl 0.9.1 or critic_r1_ext reads"))
    return checks


def _check_reward_kwargs(cfg: DictConfig) -> list[Check]:
    """``reward_kwargs`` become keyword arguments of our ``compute_score``, whose ``**kwargs`` would swallow a typo."""
    reward = OmegaConf.select(cfg, "reward.custom_reward_function") or {}
    if reward.get("path") != OUR_REWARD or not reward.get("reward_kwargs"):
        return []
    from critic_r1_ext.reward import compute_score

    per_call = ("data_source", "solution_str", "ground_truth", "extra_info")  # verl passes these per rollout
    signature = inspect.signature(compute_score).parameters.items()
    params = [p for p, v in signature if v.kind != v.VAR_KEYWORD and p not in per_call]
    checks = []
    for key in reward.reward_kwargs:
        if key not in params:
            match = difflib.get_close_matches(key, params, n=1, cutoff=0.6)
            hint = f"; did you mean {match[0]}?" if match else f" (it takes {', '.join(params)})"
            checks.append(
                Check(
                    "config keys",
                    FAIL,
                    f"reward.custom_reward_function.reward_kwargs.{key} is not a parameter of our reward{hint}",
                    f"use one of {', '.join(params)}.",
                )
            )
    return checks
