"""The DPO file follows TRL's vision layout for any image count and marker placement; the critic file
carries both positions of the label."""

from __future__ import annotations

import pyarrow.parquet as pq

from critic_r1_ext.preferences.outputs import prompt_messages, write_critic_pairs, write_dpo
from critic_r1_ext.preferences.prompts import Prompt


def test_prompt_messages_place_image_items_at_the_markers_and_the_rest_first():
    (turn,) = prompt_messages("<image> or <image>: which one?", 3)
    assert turn["role"] == "user"
    assert turn["content"] == [
        {"type": "image", "text": None},
        {"type": "image", "text": None},
        {"type": "text", "text": "or"},
        {"type": "image", "text": None},
        {"type": "text", "text": ": which one?"},
    ]


def _prompt(png, pid, colors):
    return Prompt(pid, "Which is brighter?", [{"bytes": png(c), "path": f"{pid}{k}.png"} for k, c in enumerate(colors)])


def _pair(pid, chosen, rejected):
    return {
        "prompt_id": pid,
        "chosen": chosen,
        "rejected": rejected,
        "chosen_text": f"c{chosen}",
        "rejected_text": f"r{rejected}",
    }


def test_dpo_rows_keep_every_image_of_their_prompt(tmp_path, png):
    from datasets import load_dataset

    prompts = {"a": _prompt(png, "a", [(255, 255, 255), (0, 0, 0)]), "b": _prompt(png, "b", [(9, 9, 9)])}
    path = tmp_path / "dpo.parquet"
    write_dpo(path, [_pair("a", 1, 0), _pair("b", 0, 2)], prompts, {"a": "Which is brighter?", "b": "Why?"})
    rows = list(load_dataset("parquet", data_files=str(path), split="train"))
    assert [len(r["images"]) for r in rows] == [2, 1]
    assert [sum(i["type"] == "image" for i in r["prompt"][0]["content"]) for r in rows] == [2, 1]
    assert rows[0]["images"][0].getpixel((0, 0)) == (255, 255, 255)
    assert rows[1]["chosen"][0]["content"][0]["text"] == "c0" and rows[1]["rejected"][0]["content"][0]["text"] == "r2"


def test_critic_rows_put_the_lower_sample_index_first_and_label_the_chosen_one(tmp_path, png):
    prompts = {"a": _prompt(png, "a", [(1, 2, 3)])}
    path = tmp_path / "critic_pairs" / "round_3.parquet"
    write_critic_pairs(path, [_pair("a", 1, 0), _pair("a", 0, 2)], prompts, 3)
    rows = pq.read_table(path).to_pylist()
    assert [(r["response_1"], r["response_2"], r["label"]) for r in rows] == [("r0", "c1", "2"), ("c0", "r2", "1")]
    assert [r["id"] for r in rows] == ["r3|a|0|1", "r3|a|0|2"]
    assert (
        rows[0]["source"] == "critic-preferences/round_3"
        and rows[0]["image"][0]["bytes"] == prompts["a"].images[0]["bytes"]
    )
