"""Converted rows -> verl's create_rl_dataset (+recipe=critic_r1, tiny real processor) -> prompt with image tokens."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import compose_verl_config
from verl.trainer.ppo.utils import create_rl_dataset

from data_prep import pairwise

SAMPLE = Path(__file__).resolve().parents[2] / "data_prep" / "sample" / "critic_sample.jsonl"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("critic_r1")
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0
    return out


def data_config(out: Path, *overrides: str):
    cfg = compose_verl_config(
        "+recipe=critic_r1",
        f"data.train_files={out / 'train.parquet'}",
        f"data.val_files={out / 'val.parquet'}",
        "data.filter_overlong_prompts_workers=0",  # datasets>=4 forks a pool even for num_proc=1; 0 runs in-process
        "data.min_pixels=3136",
        "data.max_pixels=50176",
        *overrides,
    )
    return cfg.data


@pytest.mark.parametrize("adapter", ["CriticPairDataset", "stock RLHFDataset"])
def test_converted_rows_reach_the_processor_with_both_responses_and_image_tokens(
    converted, adapter, tiny_tokenizer, tiny_processor
):
    overrides = ["data.custom_cls.path=null"] if adapter == "stock RLHFDataset" else []
    cfg = data_config(converted, *overrides)
    dataset = create_rl_dataset(cfg.train_files, cfg, tiny_tokenizer, tiny_processor)
    stored = {r["extra_info"]["id"]: r for r in pq.read_table(converted / "train.parquet").to_pylist()}
    assert len(dataset) == 30
    item = dataset[0]
    content = item["raw_prompt"][0]["content"]
    images = [part for part in content if part["type"] == "image"]
    text = "".join(part["text"] for part in content if part["type"] == "text")
    assert len(images) == 1
    row = stored[item["extra_info"]["id"]]
    assert row["response_1"] in text and row["response_2"] in text and row["question"] in text
    assert item["reward_model"]["ground_truth"] in ("1", "2")
    assert item["data_source"].startswith("critic_sample/")
    chat = tiny_processor.apply_chat_template(item["raw_prompt"], add_generation_prompt=True, tokenize=False)
    vision, _, _ = dataset._process_multi_modal_info(item["raw_prompt"], dataset.image_patch_size, cfg)
    inputs = tiny_processor(text=[chat], images=vision, return_tensors="pt")
    pad = tiny_tokenizer.convert_tokens_to_ids("<|image_pad|>")
    assert int((inputs["input_ids"] == pad).sum()) == int(inputs["image_grid_thw"].prod(-1).sum()) // 4 > 0
