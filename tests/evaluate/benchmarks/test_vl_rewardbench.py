"""VL-RewardBench: pairs, lmms-eval's group mapping, counted skips, macro accuracy beside overall."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.vl_rewardbench import group_of


def write_vl_rewardbench(root):
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "id": Value("string"),
            "query": Value("string"),
            "response": Sequence(Value("string")),
            "image": ImageFeature(),
            "human_ranking": Sequence(Value("int64")),
            "models": Sequence(Value("string")),
            "judge": Value("string"),
            "rationale": Value("string"),
            "query_source": Value("string"),
            "ground_truth": Value("string"),
        }
    )
    common = {"models": ["m1", "m2"], "judge": "human", "rationale": "", "query_source": "", "ground_truth": ""}
    rows = [
        ("RLAIF-V_12", "How many circles?", ["Three.", "Two."], "red", [0, 1]),
        ("hallucination_pair-345", "Describe the image.", ["A dog.", "A cat."], "green", [1, 0]),
        ("mathverse_3", "What is x?", ["x = 2", "x = 5"], "blue", [1, 0]),
        ("wildvision-battle_9", "Describe it.", ["A cat.", "A dog."], "white", [0, 1]),
        ("wildvision-battle_10", "Tie?", ["Yes.", "Yes!"], "white", [0, 0]),
    ]
    rows = [
        {**common, "id": i, "query": q, "response": r, "image": image(c), "human_ranking": h} for i, q, r, c, h in rows
    ]
    return hub_folder(root, "test", rows, features)


FIXTURES = {"vl_rewardbench": write_vl_rewardbench}


def test_groups_follow_lmms_eval_and_ties_are_counted_skips(tmp_path):
    found, skipped = items("vl_rewardbench", str(write_vl_rewardbench(tmp_path)))
    assert {i.id: i.category for i in found} == {
        "RLAIF-V_12": "hallucination",
        "hallucination_pair-345": "hallucination",
        "mathverse_3": "reasoning",
        "wildvision-battle_9": "general",
    }
    assert skipped == {"no strict preference between two responses": 1}
    first = found[0]
    assert (first.kind, first.choices, first.answer, first.question) == (
        "pair",
        ["Three.", "Two."],
        "1",
        "How many circles?",
    )
    assert group_of("hallucination_anything") == "hallucination" and group_of("VLFeedback_1") == "general"


def test_macro_average_is_the_main_metric_with_overall_beside_it():
    records = [
        {"id": "a", "subset": "hallucination", "picked": ["1"], "correct": [True]},
        {"id": "b", "subset": "hallucination", "picked": ["1"], "correct": [True]},
        {"id": "c", "subset": "hallucination", "picked": [None], "correct": [False]},
        {"id": "d", "subset": "reasoning", "picked": ["2"], "correct": [False]},
    ]
    metrics = REGISTRY["vl_rewardbench"].metrics(records)
    assert metrics["macro_accuracy"] == pytest.approx((2 / 3 + 0) / 2)
    assert metrics["accuracy"] == 0.5 and metrics["unparsed_verdicts"] == 1
    assert REGISTRY["vl_rewardbench"].main_metric == "macro_accuracy"
