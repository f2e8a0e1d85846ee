"""ChartQA: the authors' prompt from hub rows; relaxed accuracy (5%) per split, and our strict scorer."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from judge_fixtures import scored_records

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.chartqa import metrics, relaxed_correct


def write_chartqa(root):
    rows = [
        {"type": "human_test", "question": "What is the peak value?", "answer": "40", "image": image("red")},
        {"type": "augmented_test", "question": "Which year is lowest?", "answer": "2015", "image": image("green")},
        {"type": "human_test", "question": "Which color is Asia?", "answer": "Blue", "image": image("blue")},
        {"type": "augmented_test", "question": "What share is red?", "answer": "25%", "image": image("white")},
    ]
    return hub_folder(root, "test", rows)


FIXTURES = {"chartqa": write_chartqa}


def test_items_follow_the_authors_prompt(tmp_path):
    found, _ = items("chartqa", str(write_chartqa(tmp_path)))
    assert found[0].question == "What is the peak value?\nAnswer the question using a single word or number."
    assert [(i.id, i.kind, i.category) for i in found[:3]] == [
        ("0", "number", "human_test"),
        ("1", "number", "augmented_test"),
        ("2", "text", "human_test"),
    ]
    assert (REGISTRY["chartqa"].hub_id, REGISTRY["chartqa"].split) == ("lmms-lab/ChartQA", "test")


@pytest.mark.parametrize(
    ("predicted", "answer", "right"),
    [
        ("41.9", "40", True),  # within 5%
        ("42.1", "40", False),  # 5.25% off
        ("blue", "Blue", True),  # exact, ignoring case
        ("Blue.", "Blue", False),
        ("0.25", "25%", True),  # a percent reads as a fraction
        ("0", "0", True),  # a zero answer needs an exact match
        ("0.0", "0", False),
        ("nan", "40", False),
        ("1e400", "40", False),
        ("", "40", False),
    ],
)
def test_relaxed_match(predicted, answer, right):
    assert relaxed_correct(predicted, answer) is right


def test_metrics_overall_and_per_split_on_right_wrong_and_unparseable(tmp_path):
    outputs = {
        "0": r"<think>about 41</think> \boxed{41}",  # relaxed right, strict wrong
        "1": r"\boxed{2016}",  # years lie within 5% of each other: relaxed right (the official rule), strict wrong
        "2": "<think>blue bars</think>blue",  # no box: official reads "blue" (right), ours wrong
        "3": r"\boxed{25\%}",  # the LaTeX percent is not a number for the official rule
    }
    scored = scored_records("chartqa", write_chartqa(tmp_path), outputs)
    result = metrics(scored)
    assert result["relaxed_accuracy"] == pytest.approx(3 / 4)
    assert result["relaxed_human"] == pytest.approx(1.0)
    assert result["relaxed_augmented"] == pytest.approx(1 / 2)
    assert [r["correct"] for r in scored] == [False, False, False, True]  # ours reads the LaTeX percent
