"""A rough per-GPU memory estimate for one critic-r1 run (FSDP full shard + colocated vLLM).

Rough on purpose: a sanity check that a setting fits one GPU of --gpu-memory-gb (80 by default), not a prediction.
With ``P`` parameters, ``W = nnodes * n_gpus_per_node`` GPUs, and ``T`` tokens per micro-batch
(``ppo_max_token_len_per_gpu`` with dynamic batch size), in bytes per GPU:

* actor (FSDP shards everything over ``W``): ``P * (p + g + 8) / W`` where ``p = g`` is the bytes
  of ``fsdp_config.model_dtype`` (verl trains fp32 master weights: 4) and 8 is AdamW's two fp32
  moments; the params and grads term drops with ``param_offload``, the 8 with ``optimizer_offload``;
* reference policy (when KL is used): ``P * p_ref / W``, 0 with its ``param_offload``;
* rollout phase: vLLM takes ``gpu_memory_utilization`` of the GPU (weights + KV cache);
* training phase: activations with gradient checkpointing, ``T * H * 2 * L`` (one bf16 hidden
  state kept per layer) ``+ T * H * 34`` (one layer recomputed) ``+ T * V * 6`` (bf16 logits and
  their fp32 log-softmax); without checkpointing ``T * H * 34 * L + T * V * 6``.

vLLM sleeps during training (``free_cache_engine``), so the peak is the larger of the two phases.
:func:`check_memory` turns the estimate into the preflight's PASS / WARN record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from critic_r1_ext.preflight.checks import PASS, WARN, Check

GIB = 1024**3
DTYPE_BYTES = {"fp32": 4, "float32": 4, "bf16": 2, "bfloat16": 2, "fp16": 2, "float16": 2}

# Qwen2.5-VL sizes (params incl. the vision tower, hidden size, layers, vocab), used when the
# model is not on local disk; other families with the same size tag are approximated by these.
KNOWN_SIZES = {
    "3B": (3.75e9, 2048, 36, 151936),
    "7B": (8.29e9, 3584, 28, 152064),
    "32B": (33.5e9, 5120, 64, 152064),
    "72B": (73.4e9, 8192, 80, 152064),
}


@dataclass
class ModelShape:
    params: float
    hidden: int
    layers: int
    vocab: int
    source: str


@dataclass
class MemoryEstimate:
    actor_gib: float
    ref_gib: float
    rollout_gib: float
    activations_gib: float

    @property
    def rollout_phase_gib(self) -> float:
        return self.actor_gib + self.ref_gib + self.rollout_gib

    @property
    def training_phase_gib(self) -> float:
        return self.actor_gib + self.ref_gib + self.activations_gib

    @property
    def peak_gib(self) -> float:
        return max(self.rollout_phase_gib, self.training_phase_gib)


def model_shape(model_path: str) -> ModelShape | None:
    """Exact shape from a local checkpoint's config (params counted on the meta device), else by size tag."""
    if (Path(model_path) / "config.json").is_file():
        return _shape_from_config(model_path)
    match = re.search(r"(?<![\d.])(\d+)B\b", model_path, flags=re.IGNORECASE)
    if match and match.group(1).upper() + "B" in KNOWN_SIZES:
        tag = match.group(1).upper() + "B"
        params, hidden, layers, vocab = KNOWN_SIZES[tag]
        return ModelShape(params, hidden, layers, vocab, f"size tag {tag} (Qwen2.5-VL-{tag} shape)")
    return None


def _shape_from_config(model_path: str) -> ModelShape:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM
    from verl.utils.transformers_compat import get_auto_model_for_vision2seq

    config = AutoConfig.from_pretrained(model_path)
    is_vlm = any("ForConditionalGeneration" in arch for arch in config.architectures or [])
    auto_cls = get_auto_model_for_vision2seq() if is_vlm else AutoModelForCausalLM
    with torch.device("meta"):
        model = auto_cls.from_config(config)
    text = config.get_text_config()
    params = sum(p.numel() for p in model.parameters())
    return ModelShape(params, text.hidden_size, text.num_hidden_layers, text.vocab_size, f"{model_path}/config.json")


def estimate(cfg, shape: ModelShape, gpu_memory_gib: float) -> MemoryEstimate:
    """Per-GPU memory for the composed verl config ``cfg`` (see the module docstring for the formula)."""
    world = cfg.trainer.nnodes * cfg.trainer.n_gpus_per_node
    actor = cfg.actor_rollout_ref.actor
    fsdp = actor.fsdp_config
    p_bytes = DTYPE_BYTES.get(str(fsdp.get("model_dtype") or "fp32"), 4)
    actor_bytes = shape.params * ((0 if fsdp.param_offload else 2 * p_bytes) + (0 if fsdp.optimizer_offload else 8))

    ref_bytes = 0.0
    if actor.use_kl_loss or cfg.algorithm.use_kl_in_reward:
        ref_fsdp = cfg.actor_rollout_ref.ref.fsdp_config
        ref_bytes = 0 if ref_fsdp.param_offload else shape.params * DTYPE_BYTES.get(str(ref_fsdp.model_dtype), 4)

    if actor.use_dynamic_bsz:
        tokens = actor.ppo_max_token_len_per_gpu
    else:
        tokens = (actor.ppo_micro_batch_size_per_gpu or 1) * (cfg.data.max_prompt_length + cfg.data.max_response_length)
    if cfg.actor_rollout_ref.model.enable_gradient_checkpointing:
        layer_acts = tokens * shape.hidden * (2 * shape.layers + 34)
    else:
        layer_acts = tokens * shape.hidden * 34 * shape.layers
    activations = layer_acts + tokens * shape.vocab * 6

    return MemoryEstimate(
        actor_gib=actor_bytes / world / GIB,
        ref_gib=ref_bytes / world / GIB,
        rollout_gib=cfg.actor_rollout_ref.rollout.gpu_memory_utilization * gpu_memory_gib,
        activations_gib=activations / GIB,
    )


def check_memory(cfg, gpu_memory_gib: float) -> list[Check]:
    shape = model_shape(str(cfg.actor_rollout_ref.model.path))
    if shape is None:
        return [
            Check(
                "GPU memory",
                WARN,
                f"model size unknown for {cfg.actor_rollout_ref.model.path}",
                "point actor_rollout_ref.model.path at a local checkpoint to get an estimate.",
            )
        ]
    est = estimate(cfg, shape, gpu_memory_gib)
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
