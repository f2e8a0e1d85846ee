"""Greedy stage: raw outputs reach the file before scoring, and a scorer failure never loses them."""

from __future__ import annotations

import argparse
import json

import pytest

from critic_r1_ext.evaluate import policy, scoring
from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.summary import greedy_summary

SETTINGS = {"model": "scripted", "video_frames": 32}
ARGS = argparse.Namespace(resume=True, items_per_call=0, min_image_side=28, max_new_tokens=8)


def answer_b(text, n, temperature):
    return ["<think>x</think> \\boxed{B}"]


def test_a_scorer_that_raises_is_recorded_per_item_and_outputs_are_kept(
    benchmark_dirs, scripted_backend, tmp_path, monkeypatch
):
    def broken(reference, text):
        raise RuntimeError("scorer bug")

    monkeypatch.setattr(scoring, "score", broken)
    found, _ = items("mmstar", str(benchmark_dirs["mmstar"]))
    path = tmp_path / "mmstar.greedy.jsonl"
    policy.run_greedy(lambda: scripted_backend(answer_b), "mmstar", found, path, ARGS, SETTINGS)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["output"] for r in records] == ["<think>x</think> \\boxed{B}"] * 2
    assert all(r["score_error"] == "RuntimeError: scorer bug" and r["correct"] is False for r in records)
    assert greedy_summary(records)["score_errors"] == 2


def test_generations_are_on_disk_before_scoring_starts(benchmark_dirs, scripted_backend, tmp_path, monkeypatch):
    def crash(record):
        raise KeyboardInterrupt  # anything that stops the run while scoring

    monkeypatch.setattr(policy, "scored", crash)
    found, _ = items("mmstar", str(benchmark_dirs["mmstar"]))
    path = tmp_path / "mmstar.greedy.jsonl"
    with pytest.raises(KeyboardInterrupt):
        policy.run_greedy(lambda: scripted_backend(answer_b), "mmstar", found, path, ARGS, SETTINGS)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["id"] for r in records] == ["0", "1"] and all("correct" not in r for r in records)
    summary = greedy_summary(records)  # unscored records are scored when summarised
    assert summary["items"] == 2 and summary["accuracy"] == 0.5
