"""The benchmark's text task: every pair's worse answer is the fixed non-answer, so the words decide the verdict."""

from __future__ import annotations

import json

import pandas as pd

from critic_r1_ext.cpu.text_task import REFUSAL, SAMPLE, write_text_task
from data_prep.pairwise import main as pairwise


def test_the_label_names_the_answer_that_is_not_the_refusal(tmp_path):
    out = tmp_path / "text_task.jsonl"
    count = write_text_task(out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == count == len(SAMPLE.read_text().splitlines()) > 10
    for row in rows:
        worse = "2" if row["label"] == "1" else "1"
        assert row[f"response_{worse}"] == REFUSAL != row[f"response_{row['label']}"]


def test_data_prep_balances_the_refusals_position(tmp_path):
    write_text_task(tmp_path / "text_task.jsonl")
    assert pairwise(["--input", str(tmp_path / "text_task.jsonl"), "--out", str(tmp_path / "data")]) == 0
    frame = pd.read_parquet(tmp_path / "data" / "train.parquet")
    labels = [row["ground_truth"] for row in frame["reward_model"]]
    assert set(labels) == {"1", "2"} and abs(labels.count("1") - labels.count("2")) <= 1
