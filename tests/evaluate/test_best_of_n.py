"""Self-critic Best-of-N in the evaluation: lockstep batching, presets, summary numbers (scripted model)."""

from __future__ import annotations

import argparse
import re

import pytest

from critic_r1_ext.evaluate.benchmarks import items as benchmark_items
from critic_r1_ext.evaluate.best_of_n import run_best_of_n
from critic_r1_ext.evaluate.stages import read
from critic_r1_ext.evaluate.summary import best_of_n_summary

# Candidate answers for the integer item (reference 5): the majority is wrong, one candidate is right.
ANSWERS = ["7", "7", "7", "5", "1", "2", "3", "4"]
# What __main__.run_settings gives.
SETTINGS = {"model": "scripted", "max_new_tokens": 16, "min_image_side": 28, "video_frames": 32}


def script(text, n, temperature):
    if "Answer 1:" not in text:  # a policy prompt: N sampled candidates
        assert temperature == 1.0 and n == len(ANSWERS)
        return [f"<think>try {k}</think> \\boxed{{{a}}}" for k, a in enumerate(ANSWERS)]
    first = re.search(r"Answer 1: (.*?)\n\nAnswer 2:", text, re.S).group(1)
    return ["<think>compare</think> \\boxed{1}" if "{5}" in first else "<think>compare</think> \\boxed{2}"]


def args_for(**overrides):
    values = {
        "model": "scripted",
        "best_of": len(ANSWERS),
        "bon_temperature": 1.0,
        "bon_top_p": 1.0,
        "max_new_tokens": 16,
        "judge_prompt": "authors",
        "preset": ["paper", "ours"],
        "min_pixels": None,
        "max_pixels": None,
        "resume": True,
        "items_per_call": 0,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_one_backend_call_per_knockout_round_across_all_questions(benchmark_dirs, scripted_backend, tmp_path):
    integer_item = benchmark_items("mathvista", str(benchmark_dirs["mathvista"]))[0][0]
    calls = {}
    for questions in (1, 3):
        items = [type(integer_item)(**{**integer_item.__dict__, "id": f"q{k}"}) for k in range(questions)]
        backend = scripted_backend(script)
        path = tmp_path / f"bon{questions}.jsonl"
        run_best_of_n(lambda backend=backend: backend, "mathvista", items, path, args_for(), SETTINGS)
        calls[questions] = backend.calls
        records = read(path)
    # 1 sampling call + 3 knockout rounds (8 candidates), whatever the number of questions.
    assert calls == {1: 4, 3: 4}
    summary = best_of_n_summary(records)
    assert summary["items"] == 3 and summary["n"] == 8
    assert summary["majority"] == 0.0 and summary["pass_at_n"] == 1.0
    assert summary["best_of_n_paper"] == 1.0 and summary["best_of_n_ours"] == 1.0
    assert summary["judge_calls_per_item_paper"] == 7  # the plain knockout: N - 1
    assert summary["judge_calls_per_item_ours"] < 7 * 2  # merged: fewer entrants, both orders
    record = records[0]
    assert [c["correct"] for c in record["candidates"]] == [a == "5" for a in ANSWERS]
    assert record["presets"]["paper"]["winner"] == 3 and record["majority"] == 0


def test_rerun_skips_done_items_and_refuses_other_settings(benchmark_dirs, scripted_backend, tmp_path, capsys):
    items = benchmark_items("mathvista", str(benchmark_dirs["mathvista"]), limit=1)[0]
    path = tmp_path / "bon.jsonl"
    run_best_of_n(lambda: scripted_backend(script), "mathvista", items, path, args_for(), SETTINGS)
    backend = scripted_backend(script)
    run_best_of_n(lambda: backend, "mathvista", items, path, args_for(), SETTINGS)
    assert backend.calls == 0 and "1 of 1 items already done" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="other settings"):
        run_best_of_n(lambda: backend, "mathvista", items, path, args_for(preset=["paper"]), SETTINGS)
