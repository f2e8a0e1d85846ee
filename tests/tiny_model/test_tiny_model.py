"""A dataset item goes through the real processor into a tiny random-init Qwen2.5-VL; the reward scores the output."""

from __future__ import annotations

import asyncio

import torch
from test_dataset import build, pairwise_rows

from critic_r1_ext.dataset import CriticPairDataset
from critic_r1_ext.reward import compute_score


def test_tiny_qwen_generates_from_a_dataset_item_and_is_scored(tmp_path, tiny_qwen_dir, tiny_tokenizer, tiny_processor):
    from transformers import AutoModelForImageTextToText

    ds = build(tmp_path, pairwise_rows(2), tiny_tokenizer, tiny_processor)
    item = ds[0]
    images, _, _ = asyncio.run(CriticPairDataset.process_multi_modal_info(item["raw_prompt"], 14, ds.config))
    text = tiny_processor.apply_chat_template(item["raw_prompt"], add_generation_prompt=True, tokenize=False)
    inputs = tiny_processor(text=[text], images=images, return_tensors="pt")
    model = AutoModelForImageTextToText.from_pretrained(tiny_qwen_dir).eval()
    torch.manual_seed(0)
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=24, do_sample=True, temperature=1.0, top_p=0.99)
    new_tokens = out[0, inputs["input_ids"].shape[1] :]
    assert 0 < len(new_tokens) <= 24
    response = tiny_tokenizer.decode(new_tokens, skip_special_tokens=True)
    score = compute_score(item["data_source"], response, item["reward_model"]["ground_truth"], item["extra_info"])
    assert set(score) == {"score", "acc", "format", "pred", "error"} and 0.0 <= score["score"] <= 1.0
    truth = item["reward_model"]["ground_truth"]
    assert compute_score(item["data_source"], f"<think>I compared.</think> \\boxed{{{truth}}}", truth)["score"] == 1.0


def test_cli_writes_a_checkpoint_that_loads_like_a_hub_one(tmp_path, capsys):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from critic_r1_ext.tiny_model.__main__ import main

    assert main([str(tmp_path / "tiny"), "--seed", "3"]) == 0
    assert "tiny Qwen2.5-VL written to" in capsys.readouterr().out
    processor = AutoProcessor.from_pretrained(tmp_path / "tiny")
    model = AutoModelForImageTextToText.from_pretrained(tmp_path / "tiny")
    assert type(processor).__name__ == "Qwen2_5_VLProcessor"
    assert model.config.model_type == "qwen2_5_vl"


def test_cli_help_shows_defaults(capsys):
    import pytest

    from critic_r1_ext.tiny_model.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    assert "(default: 0)" in capsys.readouterr().out
