"""The benchmark's text task: the worse answer is always the fixed non-answer, second, so the verdict is always 1."""

from __future__ import annotations

import json

import pandas as pd

from critic_r1_ext.cpu.text_task import REFUSAL, SAMPLE, write_text_task


def test_every_pair_puts_the_refusal_second_and_labels_the_answer_first(tmp_path):
    train = write_text_task(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "text_task.jsonl").read_text().splitlines()]
    assert len(rows) == len(SAMPLE.read_text().splitlines()) > 10
    assert all(row["response_2"] == REFUSAL != row["response_1"] and row["label"] == "1" for row in rows)
    frame = pd.concat([pd.read_parquet(train), pd.read_parquet(tmp_path / "data" / "val.parquet")])
    assert len(frame) == len(rows)
    assert {row["ground_truth"] for row in frame["reward_model"]} == {"1"}  # position balancing is off
    assert all(REFUSAL in prompt[-1]["content"] for prompt in frame["prompt"])
