"""Generation backends: choosing one, and the error a CPU machine without vLLM gets."""

from __future__ import annotations

import importlib.util

import pytest

from critic_r1_ext.common.backends import HFBackend, Request, make_backend, user_message


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed on this machine")
def test_vllm_backend_without_vllm_says_to_use_the_hf_backend():
    with pytest.raises(SystemExit, match="--backend hf"):
        make_backend("vllm", "any/model")


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="'tpu'"):
        make_backend("tpu", "any/model")


def test_hf_backend_returns_n_completions_per_request_in_order(tiny_qwen_dir):
    from PIL import Image

    backend = make_backend("hf", str(tiny_qwen_dir), batch_size=2)
    assert isinstance(backend, HFBackend)
    requests = [Request("<image> How many?", [Image.new("RGB", (56, 56), "red")]), Request("Plain text?")]
    outputs = backend.generate(requests, n=3, temperature=1.0, top_p=1.0, max_new_tokens=4)
    assert [len(o) for o in outputs] == [3, 3] and all(isinstance(t, str) for o in outputs for t in o)


def test_without_markers_a_literal_image_tag_stays_text_and_images_go_first():
    from PIL import Image

    red = Image.new("RGB", (56, 56), "red")
    (turn,) = user_message(Request("What does <image> mean?", [red], markers=False), {})
    assert turn["content"] == [{"type": "image", "image": red}, {"type": "text", "text": "What does <image> mean?"}]
    (turn,) = user_message(Request("Left <image> right", [red]), {})
    assert [part.get("text") for part in turn["content"]] == ["Left", None, "right"]
