"""VL-RewardBench and MM-RLHF-RewardBench in the evaluation: groups, orders, prompts, metrics (scripted judge)."""

from __future__ import annotations

import argparse

import pytest

from critic_r1_ext.evaluate.critic import orders_for
from critic_r1_ext.evaluate.critic_benchmarks import critic_pairs, critic_summary, run_critic
from critic_r1_ext.evaluate.judge_prompts import authors_prompt
from critic_r1_ext.evaluate.stages import read
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def always_first(text, n, temperature):
    return ["<think>both fine</think> Overall Judgment: \\boxed{Answer 1}"]


def args_for(**overrides):
    values = {
        "model": "scripted",
        "max_new_tokens": 16,
        "judge_prompt": "authors",
        "orders": "one",
        "seed": 0,
        "min_pixels": None,
        "max_pixels": None,
        "resume": True,
        "items_per_call": 0,
        "min_image_side": 28,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_vl_rewardbench_groups_povid_rows_with_hallucination(benchmark_dirs):
    pairs, skipped = critic_pairs("vl_rewardbench", str(benchmark_dirs["vl_rewardbench"]), None)
    assert {p["id"]: p["subset"] for p in pairs} == {
        "RLAIF-V_12": "hallucination",
        "hallucination_pair-345": "hallucination",
        "mathverse_3": "reasoning",
        "wildvision-battle_9": "general",
    }
    assert skipped == {"no strict preference": 1}


def test_both_orders_measure_position_bias_and_macro_accuracy(benchmark_dirs, scripted_backend, tmp_path):
    pairs, _ = critic_pairs("vl_rewardbench", str(benchmark_dirs["vl_rewardbench"]), None)
    backend = scripted_backend(always_first)
    path = tmp_path / "vlrb.jsonl"
    run_critic(lambda: backend, "vl_rewardbench", pairs, path, args_for(orders="both"))
    assert backend.calls == 1 and backend.prompts == 8  # every judgment of the benchmark in one call
    summary = critic_summary(read(path))
    overall = summary["overall"]
    assert overall["accuracy"] == 0.5 and overall["position_1_rate"] == 1.0 and overall["swap_consistency"] == 0.0
    # Labels: hallucination 1 and 2, reasoning 2, general 1 -> each group 50% when always answering 1 first.
    assert summary["macro_accuracy"] == pytest.approx(0.5)


def test_one_seeded_order_per_row_and_the_authors_prompt(benchmark_dirs, scripted_backend, tmp_path):
    pairs, _ = critic_pairs("vl_rewardbench", str(benchmark_dirs["vl_rewardbench"]), None)
    sent = []

    def recording(text, n, temperature):
        sent.append(text)
        return always_first(text, n, temperature)

    path = tmp_path / "vlrb.jsonl"
    run_critic(lambda: scripted_backend(recording), "vl_rewardbench", pairs, path, args_for())
    records = read(path)
    assert [r["first_shown"] for r in records] == [orders_for(p["id"], "one", 0) for p in pairs]
    assert all(len(r["verdicts"]) == 1 for r in records)
    # Always answering "Answer 1": correct exactly when the better response was shown first.
    assert [r["correct"][0] for r in records] == [r["first_shown"][0] == r["label"] for r in records]
    assert {orders_for(str(k), "one", 0)[0] for k in range(50)} == {"1", "2"}
    assert orders_for("x", "one", 0) == orders_for("x", "one", 0)
    assert sent[0].endswith("elements of the task." + THINK_BOXED_SUFFIX)
    assert "Answer 1: Three.\n\nAnswer 2: Two." in sent[0] or "Answer 1: Two.\n\nAnswer 2: Three." in sent[0]
    summary = critic_summary(records)
    assert summary["overall"]["swap_consistency"] is None and summary["overall"]["rows"] == 4


def test_mm_rlhf_rewardbench_pairs_images_and_counted_video_skips(benchmark_dirs, scripted_backend, tmp_path):
    pairs, skipped = critic_pairs("mm_rlhf_rewardbench", str(benchmark_dirs["mm_rlhf_rewardbench"]), None)
    assert skipped == {"video rows (images only here)": 1}
    (pair,) = pairs
    assert (pair["response_1"], pair["response_2"], pair["label"]) == ("A red square.", "A blue circle.", "1")
    path = tmp_path / "rlhf.jsonl"
    run_critic(lambda: scripted_backend(always_first), "mm_rlhf_rewardbench", pairs, path, args_for())
    (record,) = read(path)
    assert record["correct"] == [record["first_shown"] == ["1"]]


def test_authors_prompt_keeps_their_wording():
    text = authors_prompt("Q?", "a", "b", 1)
    assert text.startswith(" You are a highly capable multimodal AI assistant")
    assert "Question: Q?\n\nAnswer 1: a\n\nAnswer 2: b\n\n" in text and text.endswith(THINK_BOXED_SUFFIX)
