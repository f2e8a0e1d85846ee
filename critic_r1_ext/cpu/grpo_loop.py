"""GRPO steps on a CPU through verl's own engine workers, with our recipe, dataset and reward.

verl 0.9.1 cannot run ``main_ppo`` on a CPU (NCCL, CUDA-only vLLM/SGLang rollout servers), but its
training engine can. This module drives one training step the way verl's trainer does, with verl's
own pieces wherever one exists:

* config: verl's ``ppo_trainer`` composed with ``+recipe=critic_r1`` (:func:`compose`);
* data: ``create_rl_dataset`` -> ``CriticPairDataset``; images resolved by its ``process_multi_modal_info``;
* rollout: HF ``generate`` (the one non-verl piece: verl 0.9.1 has no CPU rollout server), then the
  agent loop's own ``_compute_multi_modal_inputs`` / ``_compute_position_ids`` (mrope over prompt
  and response, as in a real run);
* reward: ``load_reward_manager`` (``NaiveRewardManager`` calling ``critic_r1_ext.reward.compute_score``);
* advantage: ``compute_advantage`` (GRPO, ``core_algos``);
* old/ref log-probs and the actor update: two ``ActorRolloutRefWorker`` instances, roles ``actor`` and
  ``ref`` (as verl builds them when the reference is not fused into the actor), each holding a
  ``TrainingWorker`` FSDP2 engine, world size 1; the actor trains with verl's ``ppo_loss`` (clip,
  dual clip, low-var KL to the reference), fed as ``RayPPOTrainer`` feeds them
  (``left_right_2_no_padding``).

CPU adaptations, all here (the product's code path is not patched; :mod:`critic_r1_ext.cpu.platform`
holds the platform itself):

1. ``use_cpu_platform()``: a "cpu" platform (gloo, ``torch.cpu``) via verl's ``set_platform``; stands
   in for the CUDA platform ``verl/plugin/platform/platform_manager.py`` falls back to.
2. ``VERL_ENGINE_DEVICE=cuda``: the FSDP engine registers for devices cuda/npu only
   (``workers/engine/fsdp/transformer_impl.py:1143``); verl's own env override selects it.
3. ``_init_process_group()``: a one-rank gloo group before the engine; stands in for
   ``initialize_global_process_group_ray`` (``utils/distributed.py:89``), whose backend string
   ``cpu:gloo,<device>:<backend>`` would name "cpu" twice.
4. ``platform.unpinned_offload_policy``: the forward-only reference engine offloads with
   ``CPUOffloadPolicy(pin_memory=True)`` (``transformer_impl.py:462``); pinning needs an
   accelerator, so ``use_cpu_platform()`` has verl build that policy with ``pin_memory=False`` (as in the dry run).
5. ``_stock_hf_forward()``: verl's ``apply_monkey_patch`` swaps Qwen2.5-VL's forward process-wide
   (``models/transformers/monkey_patch.py:389-391, 410``) for its packed-sequence path; HF ``generate``
   and the plain-HF comparison run with HF's stock forward, restored only around those calls.
6. Config overrides in :func:`cpu_overrides`: ``use_remove_padding=false`` (verl's remove-padding
   attention is flash-attn varlen, ``models/transformers/qwen2_vl.py:322``), ``sdpa`` attention,
   fp32 mixed precision, no ``torch.compile``, no gradient checkpointing; sizes for a tiny model.
7. Rollouts never sample vision placeholders: ``bad_words_ids`` from verl's own
   ``get_vision_placeholder_token_ids``, the ids verl's vLLM server bans
   (``workers/rollout/vllm_rollout/vllm_async_server.py:498-506``). A sampled ``<|image_pad|>``
   makes ``get_rope_index`` run out of image grids.
8. ``_ragged_mrope_positions()``: mrope position ids of a batch whose sequences all have one length
   are rebuilt ragged along the sequence (``workers/utils/padding.py:67`` makes the 4 mrope rows
   ragged then, and the engine's micro-batch split fails).
9. ``torch.set_num_threads(1)``: the tiny model's ops are too small for threads; on a shared 2-core
   machine two OpenMP threads made each op about 20x slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

RECIPE = "critic_r1"


def cpu_overrides(
    model_dir: str | Path, train_file: str | Path, prompts: int, n: int, response_length: int, lr: float
) -> list[str]:
    """Overrides on top of the recipe: paths and tiny sizes, plus the CPU engine settings (adaptation 6)."""
    actor, ref = "actor_rollout_ref.actor", "actor_rollout_ref.ref"
    return [
        f"actor_rollout_ref.model.path={model_dir}",
        f"data.train_files={train_file}",
        f"data.val_files={train_file}",
        f"data.train_batch_size={prompts}",
        f"{actor}.ppo_mini_batch_size={prompts}",
        f"actor_rollout_ref.rollout.n={n}",
        "data.max_prompt_length=1024",
        f"data.max_response_length={response_length}",
        "data.filter_overlong_prompts_workers=0",
        "data.min_pixels=3136",
        "data.max_pixels=12544",
        f"{actor}.optim.lr={lr}",
        f"{actor}.strategy=fsdp2",
        f"{actor}.ppo_max_token_len_per_gpu=8192",
        "actor_rollout_ref.model.use_remove_padding=false",
        "actor_rollout_ref.model.enable_gradient_checkpointing=false",
        "+actor_rollout_ref.model.override_config.attn_implementation=sdpa",
        f"{actor}.fsdp_config.use_torch_compile=false",
        f"{ref}.fsdp_config.use_torch_compile=false",
        f"+{actor}.fsdp_config.mixed_precision={{param_dtype:fp32,reduce_dtype:fp32,buffer_dtype:fp32}}",
        f"+{ref}.fsdp_config.mixed_precision={{param_dtype:fp32,reduce_dtype:fp32,buffer_dtype:fp32}}",
        "trainer.n_gpus_per_node=1",
        "trainer.device=cpu",
    ]


def compose(overrides: list[str]):
    """verl's ``ppo_trainer`` config with ``+recipe=critic_r1``, composed as ``main_ppo`` composes it."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        return hydra_compose(config_name="ppo_trainer", overrides=[f"+recipe={RECIPE}", *overrides])


def prompt_inputs(dataset, processor, item: dict):
    """Images (resolved by the dataset class, as verl's agent loop does), chat text and processor tensors."""
    images, _, _ = asyncio.run(
        type(dataset).process_multi_modal_info(item["raw_prompt"], image_patch_size=14, config=dataset.config)
    )
    text = processor.apply_chat_template(item["raw_prompt"], add_generation_prompt=True, tokenize=False)
    return images, text, processor(text=[text], images=images, return_tensors="pt")


def _init_process_group() -> None:
    """Adaptation 3: a one-rank gloo group, and the env verl's ``Worker`` reads."""
    if torch.distributed.is_initialized():
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ.update(
        WORLD_SIZE="1", RANK="0", LOCAL_RANK="0", LOCAL_WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port)
    )
    torch.distributed.init_process_group("gloo", rank=0, world_size=1)


def _qwen2_5_vl_forwards() -> dict:
    from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl as m

    classes = (m.Qwen2_5_VLModel, m.Qwen2_5_VLForConditionalGeneration, m.Qwen2_5_VLAttention)
    return {cls: cls.forward for cls in classes}


_STOCK_FORWARDS = _qwen2_5_vl_forwards()


@contextlib.contextmanager
def _stock_hf_forward():
    """Adaptation 5: HF's own Qwen2.5-VL forwards for the duration of the block, verl's afterwards."""
    patched = _qwen2_5_vl_forwards()
    for cls, forward in _STOCK_FORWARDS.items():
        cls.forward = forward
    try:
        yield
    finally:
        for cls, forward in patched.items():
            cls.forward = forward


@dataclass
class Rollout:
    """One sampled response with what verl's trainer keeps of it."""

    uid: str
    prompt_ids: list[int]
    response_ids: list[int]
    images: list
    data_source: str
    ground_truth: str
    extra_info: dict
    prompt_text: str
    pixel_values: torch.Tensor
    image_grid_thw: torch.Tensor


class CpuGrpoLoop:
    """verl's actor + reference engines, HF rollouts, our reward and verl's GRPO advantage, one step at a time."""

    def __init__(self, config, seed: int = 0, threads: int = 1):
        """``threads``: torch intra-op threads; one is fastest for the tiny model on a shared 2-core box."""
        from verl.trainer.ppo.reward import load_reward_manager
        from verl.trainer.ppo.utils import create_rl_dataset
        from verl.utils import hf_processor, hf_tokenizer
        from verl.workers.engine_workers import ActorRolloutRefWorker
        from verl.workers.rollout.utils import get_vision_placeholder_token_ids

        from critic_r1_ext.cpu.platform import use_cpu_platform

        torch.set_num_threads(threads)
        use_cpu_platform()  # adaptations 1 and 4
        os.environ.setdefault("VERL_ENGINE_DEVICE", "cuda")  # adaptation 2
        _init_process_group()  # adaptation 3
        torch.manual_seed(seed)
        self.config = config
        self.model_path = config.actor_rollout_ref.model.path
        self.tokenizer = hf_tokenizer(self.model_path)
        self.processor = hf_processor(self.model_path)  # binds the model's get_rope_index, as in training
        self.dataset = create_rl_dataset(
            config.data.train_files, config.data, self.tokenizer, self.processor, is_train=True
        )
        self.reward_manager = load_reward_manager(config, self.tokenizer)
        self.banned_ids = get_vision_placeholder_token_ids(self.processor)  # adaptation 7
        # Two workers, as verl's trainer builds them when the reference is not fused into the actor;
        # no "rollout" role: its vLLM server needs a GPU, HF generate stands in for it.
        self.worker = ActorRolloutRefWorker(config=config.actor_rollout_ref, role="actor")
        self.ref_worker = ActorRolloutRefWorker(config=config.actor_rollout_ref, role="ref")
        self.worker.init_model()
        self.ref_worker.init_model()  # unpinned offload: adaptation 4, installed by use_cpu_platform()
        self._hf_model = None
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(len(self.dataset), generator=self.generator).tolist()
        self.cursor = 0

    # -- rollout -------------------------------------------------------------------------------
    def next_items(self, count: int) -> list[dict]:
        items = []
        for _ in range(count):
            if self.cursor == len(self.order):
                self.order, self.cursor = torch.randperm(len(self.dataset), generator=self.generator).tolist(), 0
            items.append(self.dataset[self.order[self.cursor]])
            self.cursor += 1
        return items

    def rollout(self, items: list[dict]) -> list[Rollout]:
        """``n`` sampled responses per prompt from the current actor weights (HF ``generate``)."""
        rollout_cfg = self.config.actor_rollout_ref.rollout
        n, max_new = rollout_cfg.n, self.config.data.max_response_length
        model = self.hf_model()
        out = []
        for item in items:
            images, text, inputs = prompt_inputs(self.dataset, self.processor, item)
            batch = {
                "input_ids": inputs["input_ids"].repeat(n, 1),
                "attention_mask": inputs["attention_mask"].repeat(n, 1),
                "pixel_values": inputs["pixel_values"].repeat(n, 1),
                "image_grid_thw": inputs["image_grid_thw"].repeat(n, 1),
            }
            with torch.no_grad(), _stock_hf_forward():
                generated = model.generate(
                    **batch,
                    do_sample=True,
                    temperature=rollout_cfg.temperature,
                    top_p=rollout_cfg.top_p,
                    max_new_tokens=max_new,
                    bad_words_ids=[[i] for i in self.banned_ids],
                    eos_token_id=self.tokenizer.eos_token_id,
                    pad_token_id=self.tokenizer.pad_token_id,
                )
            uid = str(uuid.uuid4())
            prompt_ids = inputs["input_ids"][0].tolist()
            for row in generated[:, len(prompt_ids) :].tolist():
                response = (
                    row[: row.index(self.tokenizer.eos_token_id) + 1] if self.tokenizer.eos_token_id in row else row
                )
                out.append(
                    Rollout(
                        uid,
                        prompt_ids,
                        response,
                        images,
                        item["data_source"],
                        item["reward_model"]["ground_truth"],
                        dict(item["extra_info"]),
                        text,
                        inputs["pixel_values"],
                        inputs["image_grid_thw"],
                    )
                )
        return out

    def hf_model(self):
        """A plain HF model holding the actor's current weights (the rollout "server")."""
        from transformers import AutoModelForImageTextToText

        if self._hf_model is None:
            with _stock_hf_forward():
                self._hf_model = AutoModelForImageTextToText.from_pretrained(self.model_path).eval()
        params, _ = self.worker.actor.engine.get_per_tensor_param()
        state = {name: tensor.detach().to("cpu") for name, tensor in params}
        self._hf_model.load_state_dict(state)  # strict: every HF weight comes from the actor, under the same name
        return self._hf_model

    # -- batch in the agent loop's layout --------------------------------------------------------
    def to_batch(self, rollouts: list[Rollout]):
        """Pad like ``AgentLoopWorker._agent_loop_postprocess``; mrope position ids by verl's own code."""
        from verl import DataProto
        from verl.experimental.agent_loop.agent_loop import AgentLoopWorker

        pad = self.tokenizer.pad_token_id
        p_len = max(len(r.prompt_ids) for r in rollouts)
        r_len = self.config.data.max_response_length
        fields = {
            k: [] for k in ("prompts", "responses", "response_mask", "input_ids", "attention_mask", "position_ids")
        }
        mm_inputs = []
        agent = _AgentLoopView(self.processor, self.tokenizer)
        for r in rollouts:
            prompt = torch.tensor([pad] * (p_len - len(r.prompt_ids)) + r.prompt_ids)
            response = torch.tensor(r.response_ids + [pad] * (r_len - len(r.response_ids)))
            p_mask = torch.tensor([0] * (p_len - len(r.prompt_ids)) + [1] * len(r.prompt_ids))
            r_mask = torch.tensor([1] * len(r.response_ids) + [0] * (r_len - len(r.response_ids)))
            input_ids = torch.cat([prompt, response]).unsqueeze(0)
            attention_mask = torch.cat([p_mask, r_mask]).unsqueeze(0)
            output = _Output(multi_modal_data={"images": r.images})
            mm = AgentLoopWorker._compute_multi_modal_inputs(agent, output, input_ids)
            position_ids = AgentLoopWorker._compute_position_ids(agent, input_ids, attention_mask, mm)
            for key, value in (
                ("prompts", prompt),
                ("responses", response),
                ("response_mask", r_mask),
                ("input_ids", input_ids[0]),
                ("attention_mask", attention_mask[0]),
                ("position_ids", position_ids[0]),
            ):
                fields[key].append(value)
            mm_inputs.append(mm)
        tensors = {k: torch.stack(v) for k, v in fields.items()}
        non_tensors = {
            "uid": np.array([r.uid for r in rollouts], dtype=object),
            "data_source": np.array([r.data_source for r in rollouts], dtype=object),
            "reward_model": np.array([{"ground_truth": r.ground_truth} for r in rollouts], dtype=object),
            "extra_info": np.array([r.extra_info for r in rollouts], dtype=object),
            "multi_modal_inputs": np.array(mm_inputs, dtype=object),
        }
        return DataProto.from_dict(tensors=tensors, non_tensors=non_tensors)

    # -- verl pieces -------------------------------------------------------------------------------
    def score(self, batch) -> dict:
        """Our reward through verl's reward manager; the score sits on the last response token."""
        scores = torch.zeros(batch.batch["responses"].shape, dtype=torch.float32)
        extras: dict[str, list] = {}
        for i in range(len(batch)):
            result = self.reward_manager.loop.run_until_complete(self.reward_manager.run_single(batch[i : i + 1]))
            scores[i, int(batch.batch["response_mask"][i].sum()) - 1] = result["reward_score"]
            for key, value in result["reward_extra_info"].items():
                extras.setdefault(key, []).append(value)
        batch.batch["token_level_scores"] = scores
        batch.batch["token_level_rewards"] = scores
        return extras

    def _engine_input(self, batch, **meta):
        from verl.utils import tensordict_utils as tu
        from verl.workers.utils.padding import left_right_2_no_padding

        td = _ragged_mrope_positions(left_right_2_no_padding(batch.to_tensordict()))
        tu.assign_non_tensor(td, temperature=self.config.actor_rollout_ref.rollout.temperature, **meta)
        return td

    def log_probs(self, batch, reference: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Per-token log-probs of the responses from the actor (with entropy) or the reference engine."""
        from verl.utils import tensordict_utils as tu
        from verl.workers.utils.padding import no_padding_2_padding

        td = self._engine_input(batch, calculate_entropy=not reference, compute_loss=False)
        output = self.ref_worker.compute_ref_log_prob(td) if reference else self.worker.compute_log_prob(td)
        log_probs = no_padding_2_padding(tu.get(output, "log_probs"), td).float()
        entropy = None if reference else no_padding_2_padding(tu.get(output, "entropy"), td).float()
        return log_probs, entropy

    def update_actor(self, batch, one_mini_batch: bool = False) -> dict:
        """verl's actor update (``ppo_loss``), fed as ``RayPPOTrainer._update_actor`` feeds it.

        ``one_mini_batch``: the whole batch in one optimizer step instead of the recipe's mini-batches.
        """
        from verl.utils import tensordict_utils as tu

        actor = self.config.actor_rollout_ref.actor
        mini = len(batch) if one_mini_batch else actor.ppo_mini_batch_size * self.config.actor_rollout_ref.rollout.n
        td = self._engine_input(
            batch,
            calculate_entropy=False,
            distillation_use_topk=False,
            distillation_only=False,
            global_batch_size=mini,
            mini_batch_size=mini,
            epochs=actor.ppo_epochs,
            seed=actor.data_loader_seed,
            dataloader_kwargs={"shuffle": actor.shuffle},
            compute_loss=True,
        )
        return tu.get(self.worker.update_actor(td), "metrics")

    def step(self, one_mini_batch: bool = False) -> tuple[dict, object]:
        """One GRPO step: rollout, reward, old/ref log-probs, advantage, actor update. Returns metrics and batch."""
        from verl.trainer.ppo.ray_trainer import compute_advantage

        cfg = self.config
        timing: dict[str, float] = {}
        with _timed(timing, "gen"):
            rollouts = self.rollout(self.next_items(cfg.data.train_batch_size))
            batch = self.to_batch(rollouts)
            self.last_rollouts = rollouts
        with _timed(timing, "reward"):
            extras = self.score(batch)
        with _timed(timing, "old_log_prob"):
            batch.batch["old_log_probs"], entropy = self.log_probs(batch)
        with _timed(timing, "ref"):
            batch.batch["ref_log_prob"], _ = self.log_probs(batch, reference=True)
        with _timed(timing, "adv"):
            batch = compute_advantage(
                batch,
                adv_estimator=cfg.algorithm.adv_estimator,
                num_repeat=cfg.actor_rollout_ref.rollout.n,
                norm_adv_by_std_in_grpo=cfg.algorithm.norm_adv_by_std_in_grpo,
                config=cfg.algorithm,
            )
        with _timed(timing, "update_actor"):
            actor_metrics = self.update_actor(batch, one_mini_batch)
        mask = batch.batch["response_mask"].bool()
        metrics = {
            "reward": float(np.mean(extras["score"])),
            "acc": float(np.mean(extras["acc"])),
            "format": float(np.mean(extras["format"])),
            "verdict_1": float(np.mean([p == "1" for p in extras["pred"]])),
            "response_length": float(mask.sum(-1).float().mean()),
            "entropy": float(entropy[mask].mean()),
            "advantage_abs": float(batch.batch["advantages"][mask].abs().mean()),
        }
        for key, value in actor_metrics.items():
            name = key if key.startswith("actor/") else f"actor/{key}"
            if isinstance(value, list) and value and isinstance(value[0], (int, float)):
                metrics[name] = float(np.mean(value))
            elif isinstance(value, (int, float)):
                metrics[name] = float(value)
        metrics.update({f"timing/{key}": value for key, value in timing.items()})
        metrics["seconds"] = sum(timing.values())
        batch.non_tensor_batch["pred"] = np.array(extras["pred"], dtype=object)
        return metrics, batch

    # -- evidence ----------------------------------------------------------------------------------
    def actor_params(self) -> dict[str, torch.Tensor]:
        params, _ = self.worker.actor.engine.get_per_tensor_param()
        return {name: tensor.detach().to("cpu").clone() for name, tensor in params}

    def loss_config(self) -> dict:
        """The KL and clip settings inside the loss function the actor engine calls (``ppo_loss``'s config)."""
        config = self.worker.loss_fn.keywords["config"]
        keys = (
            "use_kl_loss",
            "kl_loss_type",
            "kl_loss_coef",
            "clip_ratio_low",
            "clip_ratio_high",
            "clip_ratio_c",
            "loss_agg_mode",
            "entropy_coeff",
        )
        return {key: getattr(config, key) for key in keys}

    def hf_log_probs(self, batch, rollouts: list[Rollout]) -> torch.Tensor:
        """Response log-probs from a plain HF forward (HF computes its own mrope ids), padded like the engine's."""
        model = self.hf_model()
        image_token = self.processor.image_token_id
        out = torch.zeros(batch.batch["responses"].shape)
        for i, r in enumerate(rollouts):
            ids = torch.tensor([r.prompt_ids + r.response_ids])
            with torch.no_grad(), _stock_hf_forward():
                logits = (
                    model(
                        input_ids=ids,
                        attention_mask=torch.ones_like(ids),
                        mm_token_type_ids=(ids == image_token).int(),
                        pixel_values=r.pixel_values,
                        image_grid_thw=r.image_grid_thw,
                    )
                    .logits[0]
                    .float()
                )
            logits = logits / self.config.actor_rollout_ref.rollout.temperature
            steps = torch.log_softmax(logits[len(r.prompt_ids) - 1 : -1], dim=-1)
            out[i, : len(r.response_ids)] = steps.gather(-1, torch.tensor(r.response_ids)[:, None])[:, 0]
        return out

    def dump(self, batch, step: int, dump_dir: str | Path) -> None:
        """This step's generations in verl's own ``trainer.rollout_data_dir`` format (V1 trainer's writer)."""
        from verl.trainer.ppo.v1.trainer_base import PPOTrainer

        decode = lambda rows: [self.tokenizer.decode(row, skip_special_tokens=True) for row in rows]  # noqa: E731
        PPOTrainer._write_generations(
            inputs=decode(batch.batch["prompts"]),
            outputs=decode(batch.batch["responses"]),
            gts=[rm["ground_truth"] for rm in batch.non_tensor_batch["reward_model"]],
            scores=batch.batch["token_level_scores"].sum(-1).tolist(),
            reward_extra_infos_dict={"uid": [f"{uid}_{i}" for i, uid in enumerate(batch.non_tensor_batch["uid"])]},
            dump_path=str(dump_dir),
            global_steps=step,
        )


def _ragged_mrope_positions(td):
    """Adaptation 8: (bs, 4, L) position ids ragged along L even when every sequence has the same length.

    ``left_right_2_no_padding`` (``workers/utils/padding.py:67``) builds them with ``as_nested_tensor``,
    which makes the 4 mrope rows the ragged dim when all lengths are equal; the engine's micro-batch
    split then fails (``split_with_sizes ... got split_sizes=[4, 4, ...]``). Tiny CPU batches of
    collapsed, equal-length responses hit this; the result is what verl builds for unequal lengths.
    """
    positions = td["position_ids"]
    if positions.is_nested and positions.dim() == 3 and positions._ragged_idx == 1:
        values = torch.cat(positions.unbind(), dim=1)
        td["position_ids"] = torch.nested.nested_tensor_from_jagged(values, td["input_ids"].offsets(), jagged_dim=2)
    return td


@contextlib.contextmanager
def _timed(timing: dict, name: str):
    start = time.perf_counter()
    yield
    timing[name] = time.perf_counter() - start


@dataclass
class _Output:
    """The fields of an agent-loop output that ``_compute_multi_modal_inputs`` reads."""

    multi_modal_data: dict
    mm_processor_kwargs: dict | None = None


class _AgentLoopView:
    """The attributes ``AgentLoopWorker._compute_multi_modal_inputs``/``_compute_position_ids`` read."""

    def __init__(self, processor, tokenizer):
        self.processor, self.tokenizer, self.mm_processor_kwargs = processor, tokenizer, None

    def _get_mm_processor_kwargs(self, audio_data=None):
        from verl.experimental.agent_loop.agent_loop import AgentLoopWorker

        return AgentLoopWorker._get_mm_processor_kwargs(self, audio_data)


def prepare(
    workdir: str | Path, warm_steps: int, seed: int = 0, train_file: str | Path | None = None
) -> tuple[Path, Path, dict]:
    """Tiny model, training data and the warm start.

    ``train_file``: a training parquet; by default the bundled sample through ``data_prep.pairwise``.
    Returns the warm-started model folder, the training parquet and the warm start's losses.
    """
    from verl.trainer.ppo.utils import create_rl_dataset
    from verl.utils import hf_processor, hf_tokenizer

    from critic_r1_ext.cpu.warm_start import warm_start
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl
    from data_prep.pairwise import main as pairwise

    workdir = Path(workdir)
    train = Path(train_file) if train_file else workdir / "data" / "train.parquet"
    if train_file is None:
        sample = Path(__file__).resolve().parents[2] / "data_prep" / "sample" / "critic_sample.jsonl"
        if pairwise(["--input", str(sample), "--out", str(workdir / "data"), "--val-frac", "0.2"]) != 0:
            raise RuntimeError(f"data_prep.pairwise failed on {sample}")
    base = build_tiny_qwen2_5_vl(workdir / "tiny_random", seed=seed)
    config = compose(
        [*cpu_overrides(base, train, prompts=1, n=1, response_length=1, lr=0.0), "data.filter_overlong_prompts=false"]
    )  # the loop's own dataset filters them
    tokenizer, processor = hf_tokenizer(str(base)), hf_processor(str(base))
    dataset = create_rl_dataset(str(train), config.data, tokenizer, processor, is_train=False)
    items = [dataset[i] for i in range(len(dataset))]
    info = warm_start(
        base,
        workdir / "warm_started",
        items,
        lambda item: prompt_inputs(dataset, processor, item)[2],
        steps=warm_steps,
        seed=seed,
    )
    return workdir / "warm_started", train, info


def run(
    workdir: str | Path,
    steps: int,
    prompts: int = 2,
    n: int = 4,
    response_length: int = 32,
    lr: float = 1e-3,
    warm_steps: int = 60,
    seed: int = 0,
    dump_dir: str | Path | None = None,
    on_step=None,
    train_file: str | Path | None = None,
) -> dict:
    """Warm start, then ``steps`` GRPO steps; returns per-step metrics and the evidence the tests check.

    Two mini-batches per step (``ppo_mini_batch_size = prompts // 2``), as the recipe's 256/128, except
    step 1: its whole batch is one optimizer update, the first of a fresh optimizer, and
    ``update_effect`` holds, per sequence of that batch, the advantage and the response log-probability
    before and after it. ``on_step(step, metrics)`` is called after each step (the benchmark prints
    there); ``train_file``: the training parquet (the bundled sample by default).
    """
    model_dir, train, warm = prepare(workdir, warm_steps, seed, train_file)
    overrides = cpu_overrides(model_dir, train, prompts, n, response_length, lr)
    overrides.append(f"actor_rollout_ref.actor.ppo_mini_batch_size={max(1, prompts // 2)}")
    loop = CpuGrpoLoop(compose(overrides), seed=seed)
    before = loop.actor_params()
    history, effect = [], None
    for step in range(1, steps + 1):
        metrics, batch = loop.step(one_mini_batch=step == 1)
        if step == 1:  # one optimizer update from a fresh optimizer: its effect on the batch it came from
            effect = update_effect(batch, loop.log_probs(batch)[0])
        history.append(metrics)
        if dump_dir is not None:
            loop.dump(batch, step, dump_dir)
        if on_step is not None:
            on_step(step, metrics)
    after = loop.actor_params()
    engine, _ = loop.log_probs(batch)
    hf = loop.hf_log_probs(batch, loop.last_rollouts)
    mask = batch.batch["response_mask"].bool()
    sampled = {t for r in loop.last_rollouts for t in r.response_ids}
    return {
        "warm_start": warm,
        "steps": history,
        "update_effect": effect,
        "param_max_abs_change": max(float((after[k] - before[k]).abs().max()) for k in before),
        "log_prob_mean_abs_diff": float((engine - hf)[mask].abs().mean()),
        "log_prob_batch_images": int(batch.non_tensor_batch["multi_modal_inputs"][0]["image_grid_thw"].shape[0]),
        "position_ids_shape": list(batch.batch["position_ids"].shape),
        "loss_config": loss_config_jsonable(loop.loss_config()),
        "banned_token_ids": loop.banned_ids,
        "banned_tokens_sampled": sorted(sampled & set(loop.banned_ids)),
        "engine_strategy": loop.worker.actor.engine_config.strategy,
        "ref_param_offload": bool(getattr(loop.ref_worker.ref.engine, "_uses_fsdp2_cpu_offload_policy", False)),
    }


def update_effect(batch, new_log_probs: torch.Tensor) -> dict:
    """Per sequence of an updated batch: its GRPO advantage and its response log-probability before and after.

    ``batch`` holds the ``old_log_probs`` and ``advantages`` the update used; ``new_log_probs`` are the
    actor's on the same batch after the update. Log-probabilities are summed over the response tokens.
    """
    mask = batch.batch["response_mask"].float()
    return {
        "advantage": batch.batch["advantages"][:, 0].tolist(),
        "old_log_prob": (batch.batch["old_log_probs"] * mask).sum(-1).tolist(),
        "new_log_prob": (new_log_probs * mask).sum(-1).tolist(),
        "response_length": mask.sum(-1).tolist(),
    }


def loss_config_jsonable(config: dict) -> dict:
    return {key: (value if isinstance(value, (bool, int, float, str)) else str(value)) for key, value in config.items()}


def main(argv: list[str] | None = None) -> int:
    """``python -m critic_r1_ext.cpu.grpo_loop --workdir DIR --steps N --json OUT``: run and write the results."""
    import argparse
    import json

    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--json", required=True, help="where to write the results")
    parser.add_argument("--dump-dir", help="write verl rollout dumps (trainer.rollout_data_dir format) here")
    parser.add_argument("--lr", type=float, default=1e-3, help="actor learning rate")
    args = parser.parse_args(argv)
    results = run(args.workdir, args.steps, lr=args.lr, dump_dir=args.dump_dir)
    Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
