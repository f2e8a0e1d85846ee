"""The CPU plug-ins: loaded by verl's own entry point only with VERL_PLATFORM=cpu, found by verl's registries,
and an HF rollout server that generates with images and takes the actor's weights under verl's names."""

from __future__ import annotations

import ast
import asyncio
import hashlib
import io
import json
import os
import subprocess
import sys
import tokenize
from importlib.util import find_spec
from pathlib import Path

import pytest
import torch
from conftest import compose_verl_config

PROBE = """
import json, sys
import verl
from verl.utils.device import get_device_name, get_nccl_backend
from verl.workers.engine.fsdp import transformer_impl
report = {
    "cpu_modules": sorted(m for m in sys.modules if m.startswith("critic_r1_ext.cpu.")),
    "reference_offload_pins_memory": transformer_impl.CPUOffloadPolicy(pin_memory=True).pin_memory,
}
if report["cpu_modules"]:
    from verl.workers.engine.base import EngineRegistry
    from verl.workers.rollout.base import get_rollout_class
    from verl.workers.rollout.replica import get_rollout_replica_class
    report.update(
        device=get_device_name(),
        backend=get_nccl_backend(),
        engine=EngineRegistry.get_engine_cls("language_model", "fsdp2").__name__,
        rollout=get_rollout_class("hf").__name__,
        replica=get_rollout_replica_class("hf").__name__,
    )
print("PROBE " + json.dumps(report))
"""


def _probe(**env) -> dict:
    full_env = {k: v for k, v in os.environ.items() if k != "VERL_PLATFORM"} | env
    out = subprocess.run([sys.executable, "-c", PROBE], env=full_env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.split("PROBE ", 1)[1])


def test_gpu_runs_never_load_the_cpu_pieces():
    assert _probe() == {"cpu_modules": [], "reference_offload_pins_memory": True}


def test_verl_plugin_entry_point_registers_platform_engine_and_rollout():
    """Through ``import verl`` alone: the ``verl.plugins`` entry point of the installed package."""
    report = _probe(VERL_PLATFORM="cpu")
    assert report == {
        "cpu_modules": ["critic_r1_ext.cpu.platform", "critic_r1_ext.cpu.rollout"],
        "reference_offload_pins_memory": False,
        "device": "cpu",
        "backend": "gloo",
        "engine": "FSDPEngineWithLMHead",
        "rollout": "HFServerAdapter",
        "replica": "HFReplica",
    }


# What critic_r1_ext.cpu.platform.unpinned_offload_policy was written for: verl 0.9.1's
# FSDPEngine._build_fsdp_module, whose line 462 is the module's only call of CPUOffloadPolicy.
BUILD_FSDP_MODULE_SHA256 = "6855699967a0ec5e9996f42f240405f7fa19ac04ee3d15b9af5367d21f0994f1"
OFFLOAD_POLICY_USES = {
    43: "CPUOffloadPolicy,",
    454: 'assert CPUOffloadPolicy is not None, "PyTorch version >= 2.4 is required for using fully_shard API (FSDP2)"',
    462: "offload_policy = CPUOffloadPolicy(pin_memory=True)",
}


def test_unpinned_offload_stand_in_matches_verls_line():
    """Fails as soon as verl changes the function the stand-in replaces one choice of, or uses the name elsewhere."""
    source = Path(find_spec("verl.workers.engine.fsdp.transformer_impl").origin).read_text()
    lines = source.splitlines()
    uses = {
        token.start[0]: lines[token.start[0] - 1].strip()
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.NAME and token.string == "CPUOffloadPolicy"
    }
    assert uses == OFFLOAD_POLICY_USES
    (engine,) = (n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "FSDPEngine")
    (build,) = (n for n in engine.body if isinstance(n, ast.FunctionDef) and n.name == "_build_fsdp_module")
    assert hashlib.sha256(ast.get_source_segment(source, build).encode()).hexdigest() == BUILD_FSDP_MODULE_SHA256


@pytest.fixture(scope="module")
def other_tiny_qwen_dir(tmp_path_factory):
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

    return build_tiny_qwen2_5_vl(tmp_path_factory.mktemp("tiny_qwen2_5_vl_seed1"), seed=1)


def _server(model_dir):
    from verl.utils.config import omega_conf_to_dataclass

    from critic_r1_ext.cpu.rollout import HFRolloutServer

    cfg = compose_verl_config("+recipe=critic_r1_smoke", f"actor_rollout_ref.model.path={model_dir}")
    return HFRolloutServer(omega_conf_to_dataclass(cfg.actor_rollout_ref.rollout), cfg.actor_rollout_ref.model, 0)


def _image_prompt(processor):
    """Prompt ids with the image placeholders expanded, as verl's agent loop builds them."""
    from PIL import Image

    image = Image.new("RGB", (112, 84), (200, 30, 30))
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Which answer is better?"}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return processor(text=[text], images=[image], return_tensors="pt")["input_ids"][0].tolist(), [image]


GREEDY = {"temperature": 0, "top_p": 1.0, "top_k": -1, "repetition_penalty": 1.0, "logprobs": True}


def _generate(server, prompt_ids, images, params):
    request = server.generate(prompt_ids=prompt_ids, sampling_params=dict(params), request_id="t", image_data=images)
    return asyncio.run(request)


def test_server_generates_with_images_and_takes_the_actors_weights(tiny_qwen_dir, other_tiny_qwen_dir):
    """Weights sent under verl's names (as the actor's engine exports them) make it generate as that model does."""
    from verl.utils.model import convert_weight_keys

    server, other = _server(tiny_qwen_dir), _server(other_tiny_qwen_dir)
    prompt_ids, images = _image_prompt(server.processor)
    first = _generate(server, prompt_ids, images, GREEDY)
    assert 1 <= len(first.token_ids) <= 32 and len(first.log_probs) == len(first.token_ids)
    assert first.stop_reason == "completed" and first.extra_fields["global_steps"] is None
    assert _generate(server, prompt_ids, images, GREEDY).token_ids == first.token_ids
    target = _generate(other, prompt_ids, images, GREEDY)
    assert target.token_ids != first.token_ids

    weights = convert_weight_keys(dict(other.model.state_dict()), other.model)
    asyncio.run(server.update_weights(weights, global_steps=3))
    synced = _generate(server, prompt_ids, images, GREEDY)
    assert synced.token_ids == target.token_ids
    assert synced.extra_fields["global_steps"] == 3
    assert torch.allclose(torch.tensor(synced.log_probs), torch.tensor(target.log_probs), atol=1e-4)


def test_server_never_samples_vision_placeholders(tiny_qwen_dir):
    """As verl's vLLM server: <|image_pad|>/<|video_pad|> are banned, even where the model prefers them."""
    server = _server(tiny_qwen_dir)
    prompt_ids, images = _image_prompt(server.processor)
    image_id = server.processor.image_token_id
    assert {image_id, server.processor.video_token_id} <= set(server.banned)
    top = _generate(server, prompt_ids, images, GREEDY).token_ids[0]
    with torch.no_grad():  # bait: the image placeholder's output row becomes 10x the favourite's
        head = server.model.get_output_embeddings().weight
        head[image_id] = 10 * head[top]
    banned, server.banned = server.banned, []
    assert _generate(server, prompt_ids, images, {**GREEDY, "max_tokens": 1}).token_ids == [image_id]  # bait works
    server.banned = banned
    assert not set(_generate(server, prompt_ids, images, GREEDY).token_ids) & set(banned)


def test_server_rejects_unknown_weight_names(tiny_qwen_dir):
    server = _server(tiny_qwen_dir)
    with pytest.raises(KeyError, match="not_a_weight"):
        asyncio.run(server.update_weights({"not_a_weight": torch.zeros(1)}))
