"""The ``hf`` rollout: a verl rollout server that generates with Hugging Face transformers on the CPU.

verl 0.9.1 ships vLLM, SGLang and TensorRT-LLM servers only. This is the same three-part shape,
registered under ``actor_rollout_ref.rollout.name=hf``:

* ``HFReplica`` (``RolloutReplica``): starts one ``HFRolloutServer`` actor per replica, beside the
  hybrid actor worker(s), as vLLM's replica does;
* ``HFRolloutServer``: token-in/token-out ``generate`` for verl's agent loop (images included),
  sampling as the vLLM server does (verl's sampling params, the vision placeholder ban, EOS stop);
* ``HFServerAdapter`` (``BaseRollout``): lives in the actor worker; verl's weight sync hands it the
  actor's full tensors after every update, and it loads them into the server.

Hybrid mode only (the sync trainer's ``hybrid_engine=true``), no LoRA adapters, one request at a
time: it is for dry runs of the real loop on a laptop, not for speed.
"""

from __future__ import annotations

import asyncio
import os

import ray
import torch
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
from verl.utils.config import omega_conf_to_dataclass
from verl.utils.model import convert_weight_keys
from verl.workers.config import HFModelConfig
from verl.workers.rollout.base import _ROLLOUT_REGISTRY, BaseRollout
from verl.workers.rollout.replica import RolloutMode, RolloutReplica, RolloutReplicaRegistry, TokenOutput
from verl.workers.rollout.utils import get_vision_placeholder_token_ids

ROLLOUT_NAME = "hf"


def server_name(replica_rank: int, suffix: str = "") -> str:
    return f"hf_rollout_server_{replica_rank}{suffix}"


class HFRolloutServer:
    """One HF model in one Ray actor; ``generate`` has the signature of verl's vLLM server."""

    def __init__(self, config, model_config, replica_rank: int):
        self.config = omega_conf_to_dataclass(config)
        self.model_config: HFModelConfig = omega_conf_to_dataclass(model_config, dataclass_type=HFModelConfig)
        self.replica_rank = replica_rank
        self.global_steps = None
        self.processor = self.model_config.processor
        self.model = _load_model(self.model_config, self.config.dtype)
        # verl's own names for the weights it sends (checkpoint keys) -> this model's parameter names.
        own = list(self.model.state_dict())
        self.key_map = dict(zip(convert_weight_keys(dict.fromkeys(own), self.model), own, strict=True))
        # As verl's vLLM server: never sample a vision placeholder (no image behind it) or an id
        # past the tokenizer (the embedding's padding rows).
        vocab = self.model.get_output_embeddings().weight.shape[0]
        tokenizer_size = len(self.model_config.tokenizer)
        self.banned = sorted(set(get_vision_placeholder_token_ids(self.processor)) | set(range(tokenizer_size, vocab)))
        self.lock = asyncio.Lock()

    async def generate(
        self,
        prompt_ids: list[int],
        sampling_params: dict,
        request_id: str,
        image_data: list | None = None,
        video_data: list | None = None,
        **kwargs,
    ) -> TokenOutput:
        if video_data:
            raise NotImplementedError("the hf rollout takes images only, not videos")
        async with self.lock:
            token_ids, log_probs = await asyncio.to_thread(
                self._generate, list(prompt_ids), dict(sampling_params), image_data
            )
        return TokenOutput(
            token_ids=token_ids,
            log_probs=log_probs,
            stop_reason="completed",
            extra_fields={"global_steps": self.global_steps},
        )

    @torch.no_grad()
    def _generate(self, prompt_ids: list[int], params: dict, images) -> tuple[list[int], list[float] | None]:
        from transformers import GenerationConfig

        budget = self.config.prompt_length + self.config.response_length - len(prompt_ids)
        max_tokens = params.pop("max_tokens", params.pop("max_new_tokens", min(self.config.response_length, budget)))
        temperature = float(params.get("temperature", 1.0))
        top_k = int(params.get("top_k", -1))
        want_logprobs = bool(params.get("logprobs"))
        generation_config = GenerationConfig(
            max_new_tokens=max(1, int(max_tokens)),
            do_sample=temperature > 0,
            temperature=temperature if temperature > 0 else None,
            top_p=float(params.get("top_p", 1.0)) if temperature > 0 else None,
            top_k=top_k if temperature > 0 and top_k > 0 else None,
            repetition_penalty=float(params.get("repetition_penalty", 1.0)),
            suppress_tokens=self.banned or None,
            eos_token_id=self.model.generation_config.eos_token_id,
            pad_token_id=self.model.generation_config.pad_token_id,
            return_dict_in_generate=True,
            output_scores=want_logprobs,
        )
        input_ids = torch.tensor([prompt_ids])
        inputs = {"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids)}
        if images:
            inputs.update(self.processor.image_processor(images=images, return_tensors="pt"))
        out = self.model.generate(**inputs, generation_config=generation_config)
        token_ids = out.sequences[0, len(prompt_ids) :].tolist()
        log_probs = None
        if want_logprobs:
            # vLLM's default logprobs_mode "processed_logprobs": after temperature/top-p/top-k.
            steps = torch.stack(out.scores, dim=0)[:, 0].float().log_softmax(-1)
            log_probs = steps.gather(-1, torch.tensor(token_ids)[:, None])[:, 0].tolist()
        return token_ids, log_probs

    async def update_weights(self, weights: dict[str, torch.Tensor], global_steps: int | None = None) -> None:
        """Copy the actor's full tensors (verl's checkpoint key names) into the model."""
        async with self.lock:
            params = self.model.state_dict()
            for name, tensor in weights.items():
                key = self.key_map.get(name, name)
                if key not in params:
                    raise KeyError(f"hf rollout: the actor sent weight {name!r}, which this model does not have")
                params[key].copy_(tensor)
            self.global_steps = global_steps

    async def wake_up(self):
        """Weights and cache stay in host memory: nothing to restore."""

    async def sleep(self):
        """Nothing to free: host memory is shared with training anyway."""

    async def abort_all_requests(self, reject_request: bool = False):
        """Requests run one at a time to completion; there is nothing in flight to abort."""

    async def resume_generation(self):
        """Nothing was paused."""

    clear_kv_cache = release_kv_cache = resume_kv_cache = stop_profile = wake_up

    async def start_profile(self, **kwargs):
        """No profiler."""


def _load_model(model_config: HFModelConfig, dtype: str):
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText

    has_vision = getattr(model_config.hf_config, "vision_config", None) is not None
    auto_cls = AutoModelForImageTextToText if has_vision else AutoModelForCausalLM
    model = auto_cls.from_pretrained(
        model_config.local_path,
        dtype=getattr(torch, dtype),
        attn_implementation="sdpa",
        trust_remote_code=model_config.trust_remote_code,
    )
    return model.eval()


class HFServerAdapter(BaseRollout):
    """The rollout inside verl's hybrid actor worker: forwards weight updates to its replica's server."""

    def __init__(self, config, model_config, device_mesh, replica_rank: int = -1, **kwargs):
        super().__init__(config, model_config, device_mesh)
        replica_world = self.config.tensor_model_parallel_size * self.config.data_parallel_size
        rank = int(os.environ.get("RANK", "0"))
        self.replica_rank = rank // replica_world if replica_rank == -1 else replica_rank
        self.is_leader_rank = rank % replica_world == 0
        self.sleep_level = 0

    async def resume(self, tags: list[str]):
        """Weights and cache stay in host memory: nothing to restore."""

    async def release(self):
        """Nothing to free."""

    async def update_weights(self, weights, wire_format: str = "named_tensors", **kwargs):
        if wire_format != "named_tensors" or kwargs.get("peft_config") is not None:
            raise NotImplementedError("the hf rollout takes full named tensors only (no delta sync, no LoRA adapters)")
        # Every rank walks the generator (gathering a sharded tensor is collective); the leader sends.
        state = {name: tensor.detach().to("cpu", copy=True) for name, tensor in weights}
        if self.is_leader_rank:
            server = ray.get_actor(server_name(self.replica_rank))
            await server.update_weights.remote(state, kwargs.get("global_steps"))


class HFReplica(RolloutReplica):
    """One ``HFRolloutServer`` on the node of its hybrid worker(s)."""

    async def launch_servers(self):
        if self.rollout_mode != RolloutMode.HYBRID:
            raise NotImplementedError(f"the hf rollout runs in hybrid mode only, not {self.rollout_mode.value}")
        node_id = await self.workers[0].__ray_call__.remote(lambda worker: ray.get_runtime_context().get_node_id())
        server = (
            ray.remote(HFRolloutServer)
            .options(
                name=server_name(self.replica_rank, self.name_suffix),
                scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=node_id, soft=False),
                max_concurrency=self.max_concurrency,
            )
            .remote(self.config, self.model_config, self.replica_rank)
        )
        await server.__ray_ready__.remote()
        self.servers = [server]
        self._server_handle = server
        self._server_address = server_name(self.replica_rank, self.name_suffix)


# verl 0.9.1 has a public registry for replicas but not for the in-worker rollout class:
# ``get_rollout_class`` (verl/workers/rollout/base.py:99) reads the module dict ``_ROLLOUT_REGISTRY``,
# so a new backend adds its entry there; this one only adds a new name, it never replaces one.
if (ROLLOUT_NAME, "async") in _ROLLOUT_REGISTRY:
    raise RuntimeError(f"verl already has a rollout named {ROLLOUT_NAME!r}")
_ROLLOUT_REGISTRY[(ROLLOUT_NAME, "async")] = f"{__name__}.HFServerAdapter"
RolloutReplicaRegistry.register(ROLLOUT_NAME, lambda: HFReplica)
