"""Greedy stage: raw outputs reach the file before scoring, and a scorer failure never loses them."""

from __future__ import annotations

import argparse
import json

import pytest

from critic_r1_ext.evaluate import policy, scoring
from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.summary import greedy_summary

SETTINGS = {"model": "scripted", "min_image_side": 28, "video_frames": 32}
ARGS = argparse.Namespace(resume=True, items_per_call=0, max_new_tokens=8)


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


@pytest.mark.parametrize(("name", "skipped"), [("blink", 0), ("emma_mini", 0), ("mmstar", 2)])
def test_small_images_are_skipped_and_counted_only_where_the_authors_script_skips_them(
    benchmark_dirs, scripted_backend, tmp_path, name, skipped
):
    """BLINK's and EMMA's scripts have no "side < 28 px" rule; MMStar's skips such items (counted)."""
    from dataclasses import replace

    from benchmark_rows import image

    from critic_r1_ext.evaluate.__main__ import parse_args, run_settings

    settings = run_settings(parse_args(["--model", "m", "--output", str(tmp_path), "--benchmarks", name]), name)
    found, _ = items(name, str(benchmark_dirs[name]))
    small = [replace(item, images=[image("red", (20, 20))]) for item in found[:2]]
    path = tmp_path / f"{name}.greedy.jsonl"
    policy.run_greedy(lambda: scripted_backend(answer_b), name, small, path, ARGS, settings)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r.get("skipped") for r in records] == ["image 20x20 smaller than 28 px"] * skipped + [None] * (2 - skipped)
    assert greedy_summary(records)["skipped"] == skipped


class RenderingBackend:
    """Records the user turn each request renders to (``common.backends.user_message``); answers \\boxed{B}."""

    def __init__(self):
        self.turns = []

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        from critic_r1_ext.common.backends import user_message

        self.turns += [user_message(request, {})[-1]["content"] for request in requests]
        return [["\\boxed{B}"] * n for _ in requests]


def test_a_literal_image_tag_in_dataset_text_stays_text_unless_the_benchmark_interleaves(benchmark_dirs, tmp_path):
    """The authors' scripts put the images first and leave "<image>" in a question as text; only an
    interleaving item (MMMU's ``inline_images`` option) places images at its markers."""
    from dataclasses import replace

    found, _ = items("mmstar", str(benchmark_dirs["mmstar"]))
    literal = replace(found[0], question="What does <image> stand for?")
    backend = RenderingBackend()
    policy.run_greedy(lambda: backend, "mmstar", [literal], tmp_path / "a.jsonl", ARGS, SETTINGS)
    (turn,) = backend.turns
    assert [part["type"] for part in turn] == ["image", "text"]
    assert turn[1]["text"].startswith("What does <image> stand for?")
    inline, _ = items("mmmu", str(benchmark_dirs["mmmu"]), variant="inline_images")
    marked = next(item for item in inline if item.question.startswith("Which painting <image> shares"))
    backend = RenderingBackend()
    policy.run_greedy(lambda: backend, "mmmu", [marked], tmp_path / "b.jsonl", ARGS, SETTINGS)
    (turn,) = backend.turns
    assert [part["type"] for part in turn][:4] == ["text", "image", "text", "image"]
