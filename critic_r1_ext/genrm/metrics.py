"""Per-step judge metrics from the samples' ``reward_extra_info`` (the ``genrm_*`` keys of ``manager``).

Counts are summed over the batch and rates are ratios of sums, so a group's calls count once whichever
member carries them. ``genrm/reward/<mode>`` averages only the rollouts that mode scored.
"""

from __future__ import annotations

import math

SUMS = ("judge_calls", "judge_failures", "parse_failures", "fallback", "neutral", "rule_failures")


def step_metrics(infos: list[dict]) -> dict[str, float]:
    """``genrm/*`` metrics of one training step's rollouts; empty when no sample carries genrm keys."""
    infos = [info for info in infos if "genrm_critic" in info]
    if not infos:
        return {}

    def total(key: str) -> float:
        return float(sum(float(info.get(f"genrm_{key}", 0.0)) for info in infos))

    metrics = {f"genrm/{key}": total(key) for key in SUMS if f"genrm_{key}" in infos[0]}
    metrics["genrm/judge_calls_per_rollout"] = total("judge_calls") / len(infos)
    metrics["genrm/critic_reward"] = total("critic") / len(infos)
    decisive, pairs = total("decisive_votes"), total("swap_pairs")
    metrics["genrm/position1_rate"] = total("position1_votes") / decisive if decisive else math.nan
    metrics["genrm/swap_consistency"] = total("swap_consistent") / pairs if pairs else math.nan
    if "genrm_rule" in infos[0]:
        metrics["genrm/rule_reward"] = total("rule") / len(infos)
    for key in sorted(k for k in infos[0] if k.startswith("genrm_reward_")):
        values = [float(info[key]) for info in infos if not math.isnan(float(info[key]))]
        metrics[f"genrm/reward/{key.removeprefix('genrm_reward_')}"] = sum(values) / len(values) if values else math.nan
    return metrics
