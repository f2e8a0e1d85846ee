"""Critic benchmarks in the evaluation: orders, prompts, verdict reading, videos, unparsed verdicts (scripted judge)."""

from __future__ import annotations

import argparse

import pytest

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.critic import orders_for, read_verdict
from critic_r1_ext.evaluate.critic_benchmarks import critic_summary, fill_unparsed, run_critic
from critic_r1_ext.evaluate.judge_prompts import authors_prompt
from critic_r1_ext.evaluate.stages import read
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

SETTINGS = {"model": "scripted", "min_image_side": 28, "video_frames": 32}


def always_first(text, n, temperature):
    return ["<think>both fine</think> Overall Judgment: \\boxed{Answer 1}"]


def args_for(**overrides):
    values = {
        "max_new_tokens": 16,
        "judge_prompt": "authors",
        "orders": "one",
        "seed": 0,
        "resume": True,
        "items_per_call": 0,
    }
    return argparse.Namespace(**{**values, **overrides})


def vlrb_items(benchmark_dirs):
    return items("vl_rewardbench", str(benchmark_dirs["vl_rewardbench"]))[0]


def test_both_orders_measure_position_bias_and_macro_accuracy(benchmark_dirs, scripted_backend, tmp_path):
    backend = scripted_backend(always_first)
    path = tmp_path / "vlrb.jsonl"
    run_critic(lambda: backend, "vl_rewardbench", vlrb_items(benchmark_dirs), path, args_for(orders="both"), SETTINGS)
    assert backend.calls == 1 and backend.prompts == 8  # every judgment of the benchmark in one call
    records = read(path)
    overall = critic_summary(records)["overall"]
    assert overall["accuracy"] == 0.5 and overall["position_1_rate"] == 1.0 and overall["swap_consistency"] == 0.0
    # Labels: hallucination 1 and 2, reasoning 2, general 1 -> each group 50% when always answering 1 first.
    assert REGISTRY["vl_rewardbench"].metrics(records)["macro_accuracy"] == pytest.approx(0.5)


def test_one_seeded_order_per_row_and_the_authors_prompt(benchmark_dirs, scripted_backend, tmp_path):
    sent = []

    def recording(text, n, temperature):
        sent.append(text)
        return always_first(text, n, temperature)

    pairs = vlrb_items(benchmark_dirs)
    path = tmp_path / "vlrb.jsonl"
    run_critic(lambda: scripted_backend(recording), "vl_rewardbench", pairs, path, args_for(), SETTINGS)
    records = read(path)
    assert [r["first_shown"] for r in records] == [orders_for(p.id, "one", 0) for p in pairs]
    assert all(len(r["verdicts"]) == 1 for r in records)
    # Always answering "Answer 1": correct exactly when the better response was shown first.
    assert [r["correct"][0] for r in records] == [r["first_shown"][0] == r["label"] for r in records]
    assert {orders_for(str(k), "one", 0)[0] for k in range(50)} == {"1", "2"}
    assert sent[0].endswith("elements of the task." + THINK_BOXED_SUFFIX)
    assert "Answer 1: Three.\n\nAnswer 2: Two." in sent[0] or "Answer 1: Two.\n\nAnswer 2: Three." in sent[0]
    assert critic_summary(records)["overall"]["swap_consistency"] is None


def test_mm_rlhf_video_rows_are_judged_with_their_frames(benchmark_dirs, scripted_backend, tmp_path):
    pairs = items("mm_rlhf_rewardbench", str(benchmark_dirs["mm_rlhf_rewardbench"]))[0]
    seen = []

    class Recording(scripted_backend):
        def generate(self, requests, n, temperature, top_p, max_new_tokens):
            seen.extend((len(r.images), [len(v) for v in r.videos]) for r in requests)
            return super().generate(requests, n, temperature, top_p, max_new_tokens)

    path = tmp_path / "rlhf.jsonl"
    run_critic(lambda: Recording(always_first), "mm_rlhf_rewardbench", pairs, path, args_for(), SETTINGS)
    assert seen == [(1, []), (0, [3]), (1, [])]
    records = read(path)
    assert [r["subset"] for r in records] == ["image", "video", "image"]
    assert all(r["correct"] == [r["first_shown"] == ["1"]] for r in records)


def test_verdicts_outside_a_box_use_the_lmms_eval_rule_and_hedges_stay_unread():
    assert read_verdict("<think>x</think> \\boxed{2}") == ("2", "boxed")
    assert read_verdict("**Overall Judgment:** Answer 2 is slightly better.") == ("2", "fallback")
    assert read_verdict("Therefore,\nAnswer 1 is the better one") == ("1", "fallback")  # newlines removed first
    assert read_verdict("Therefore, Answer 1 is worse") == (None, "none")
    assert read_verdict("Answer 1 is better.") == (None, "none")  # no "Overall Judgment"/"Therefore" first
    assert read_verdict("\\boxed{1} or \\boxed{2}. Overall Judgment: Answer 1 is better") == (None, "none")


def test_unparsed_random_fills_unread_verdicts_with_a_seeded_coin():
    records = [
        {"id": str(k), "label": "1", "picked": [None], "correct": [False], "verdicts": [None]} for k in range(40)
    ]
    filled = fill_unparsed(records, seed=0)
    assert fill_unparsed(records, seed=0) == filled and all(r["random_filled"] == 1 for r in filled)
    assert 0 < sum(r["correct"][0] for r in filled) < 40


def test_authors_prompt_keeps_their_wording():
    text = authors_prompt("Q?", "a", "b", 1)
    assert text.startswith(" You are a highly capable multimodal AI assistant")
    assert "Question: Q?\n\nAnswer 1: a\n\nAnswer 2: b\n\n" in text and text.endswith(THINK_BOXED_SUFFIX)


def test_the_authors_judge_prompt_leaves_a_literal_image_tag_as_text(benchmark_dirs, tmp_path):
    """Their critic prompt marks no image: every image goes first, "<image>" in a query or answer stays text."""
    from dataclasses import replace

    from critic_r1_ext.common.backends import user_message

    turns = []

    class Rendering:
        def generate(self, requests, n, temperature, top_p, max_new_tokens):
            turns.extend(user_message(request, {})[-1]["content"] for request in requests)
            return [["\\boxed{1}"] for _ in requests]

    pair = replace(vlrb_items(benchmark_dirs)[0], question="Is <image> a photo?")
    run_critic(lambda: Rendering(), "vl_rewardbench", [pair], tmp_path / "c.jsonl", args_for(), SETTINGS)
    (turn,) = turns
    assert [part["type"] for part in turn] == ["image", "text"] and "Question: Is <image> a photo?" in turn[1]["text"]
