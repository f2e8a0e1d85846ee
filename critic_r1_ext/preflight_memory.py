"""Memory check for the preflight: the rough per-GPU estimate of ``memory_estimate`` against one GPU's memory."""

from __future__ import annotations

from critic_r1_ext import memory_estimate
from critic_r1_ext.preflight_check import PASS, WARN, Check


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
