"""The tiny Qwen2.5-VL critic behind the loopback server: images travel as data URLs and come back as pixels."""

from __future__ import annotations

import asyncio

import pytest
from genrm.conftest import genrm_config, manager, sample
from PIL import Image

from critic_r1_ext.genrm.judge import data_url, question_and_images
from critic_r1_ext.genrm.loopback import hf_reply, images_and_text, serve


@pytest.fixture(scope="module")
def tiny_critic(tmp_path_factory):
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

    return build_tiny_qwen2_5_vl(tmp_path_factory.mktemp("tiny") / "critic")


def test_images_round_trip_through_data_urls():
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    payload = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": data_url(image)}},
                    {"type": "text", "text": "which?"},
                ],
            }
        ]
    }
    images, text = images_and_text(payload)
    assert text == "which?" and images[0].size == (40, 30) and images[0].getpixel((3, 3)) == (200, 10, 10)
    assert data_url({"bytes": b"\x89PNG"}).startswith("data:image/png;base64,")


def test_question_and_images_from_verls_raw_prompt():
    image = Image.new("RGB", (8, 8))
    raw = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": "<image>Count?"}]},
    ]
    assert question_and_images(raw) == ("Count?", [image])
    assert question_and_images([{"role": "user", "content": "<image>Text only?"}]) == ("Text only?", [])


def test_the_tiny_critic_judges_through_the_server(tiny_critic, tiny_tokenizer):
    reply = hf_reply(str(tiny_critic), pixel_bounds={"min_pixels": 3136, "max_pixels": 50176})
    seen, budgets = [], []

    def judge(payload):
        images, _ = images_and_text(payload)
        seen.append([im.size for im in images])
        budgets.append((payload["max_tokens"], payload["temperature"]))
        return reply(payload)

    with serve(judge) as url:
        rm = manager(genrm_config(url, "reward.custom_reward_function.reward_kwargs.max_tokens=6"), tiny_tokenizer)
        out = asyncio.run(rm.run_single(sample(tiny_tokenizer, "u", 0, "q=0.9", image=Image.new("RGB", (64, 48)))))
    info = out["reward_extra_info"]
    assert seen == [[(64, 48)], [(64, 48)]]  # both orders, each with the row's image at its size
    assert info["genrm_judge_calls"] == 2 and info["genrm_judge_failures"] == 0
    assert budgets == [(6, 0.0), (6, 0.0)]  # the judge's thinking budget and greedy decoding
    # An untrained critic writes no verdict: counted parse failures and a neutral reward, never a crash.
    assert info["genrm_parse_failures"] + info["genrm_decisive_votes"] == 2
    assert 0.0 <= out["reward_score"] <= 1.0
