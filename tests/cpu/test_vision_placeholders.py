"""A sampled <|image_pad|> breaks a multimodal rollout; verl's vLLM server (the recipe's backend) bans it."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import compose_verl_config


def _view(tiny_qwen_dir):
    from verl.utils import hf_processor, hf_tokenizer

    from critic_r1_ext.cpu.grpo_loop import _AgentLoopView

    return _AgentLoopView(hf_processor(str(tiny_qwen_dir)), hf_tokenizer(str(tiny_qwen_dir)))


def _position_ids(view, response_ids):
    """verl's agent-loop position ids for a one-image prompt followed by ``response_ids``."""
    from PIL import Image
    from verl.experimental.agent_loop.agent_loop import AgentLoopWorker

    from critic_r1_ext.cpu.grpo_loop import _Output

    image = Image.new("RGB", (56, 56), "red")
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Which answer?"}]}]
    text = view.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    prompt = view.processor(text=[text], images=[image], return_tensors="pt")["input_ids"]
    input_ids = torch.cat([prompt, torch.tensor([response_ids])], dim=1)
    mm = AgentLoopWorker._compute_multi_modal_inputs(view, _Output({"images": [image]}), input_ids)
    return AgentLoopWorker._compute_position_ids(view, input_ids, torch.ones_like(input_ids), mm)


def test_a_sampled_image_pad_breaks_verls_position_ids(tiny_qwen_dir):
    view = _view(tiny_qwen_dir)
    text_ids = view.tokenizer("1")["input_ids"]
    assert _position_ids(view, text_ids).shape[:2] == (1, 4)
    with pytest.raises((StopIteration, RuntimeError, TypeError, ValueError, IndexError)):
        _position_ids(view, text_ids + [view.processor.image_token_id] + text_ids)


def test_verls_vllm_server_bans_the_placeholders_the_recipe_could_sample(tiny_qwen_dir):
    import verl
    from verl.workers.rollout.utils import get_vision_placeholder_token_ids

    view = _view(tiny_qwen_dir)
    assert compose_verl_config("+recipe=critic_r1").actor_rollout_ref.rollout.name == "vllm"
    banned = get_vision_placeholder_token_ids(view.processor)
    assert sorted(banned) == sorted(view.tokenizer.convert_tokens_to_ids(["<|image_pad|>", "<|video_pad|>"]))
    # verl 0.9.1 masks exactly these ids in every vLLM decode step; no rollout config key is needed (or exists).
    server = Path(verl.__file__).parent / "workers" / "rollout" / "vllm_rollout" / "vllm_async_server.py"
    assert '"banned_token_ids": get_vision_placeholder_token_ids(' in server.read_text()
