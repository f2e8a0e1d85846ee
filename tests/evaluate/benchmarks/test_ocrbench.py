"""OCRBench: hub rows as the authors send them; the official substring rule, counts per type."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from judge_fixtures import scored_records

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.ocrbench import QUESTION_TYPES, metrics, official_correct


def write_ocrbench(root):
    rows = [
        {
            "dataset": "IIIT5K",
            "question": "what is written in the image?",
            "question_type": "Regular Text Recognition",
            "answer": ["COFFEE"],
            "image": image("white"),
        },
        {
            "dataset": "HME100k",
            "question": "Please write out the expression of the formula in the image using LaTeX format.",
            "question_type": "Handwritten Mathematical Expression Recognition",
            "answer": ["x ^ { 2 } + 1"],
            "image": image("white"),
        },
        {
            "dataset": "docVQA",
            "question": "What is the invoice number?",
            "question_type": "Doc-oriented VQA",
            "answer": ["A-17", "A17"],
            "image": image("white"),
        },
    ]
    return hub_folder(root, "test", rows)


FIXTURES = {"ocrbench": write_ocrbench}


def test_items_send_the_question_alone(tmp_path):
    found, _ = items("ocrbench", str(write_ocrbench(tmp_path)))
    assert found[0].question == "what is written in the image?"
    assert (found[2].answer, found[2].alternatives, found[2].category) == ("A-17", ["A17"], "Doc-oriented VQA")
    assert found[1].reference()["extra"] == {"dataset": "HME100k"}
    assert len(QUESTION_TYPES) == 10 and REGISTRY["ocrbench"].hub_id == "echo840/OCRBench"


@pytest.mark.parametrize(
    ("predicted", "answers", "dataset", "right"),
    [
        ("The word is coffee.", ["COFFEE"], "IIIT5K", True),  # lower-cased substring
        ("COFFE", ["COFFEE"], "IIIT5K", False),
        ("x^{2}+1", ["x ^ { 2 } + 1"], "HME100k", True),  # spaces dropped for formulas
        ("X^{2}+1", ["x ^ { 2 } + 1"], "HME100k", False),  # case kept for formulas
        ("number A17", ["A-17", "A17"], "docVQA", True),  # any accepted answer
        ("line\nbreak", ["line break"], "docVQA", True),
        ("", ["COFFEE"], "IIIT5K", False),
    ],
)
def test_official_substring_rule(predicted, answers, dataset, right):
    assert official_correct(predicted, answers, dataset) is right


def test_metrics_count_per_type_on_right_wrong_and_unparseable(tmp_path):
    outputs = {
        "0": r"<think>letters C O F F E E</think> \boxed{Coffee}",  # right both ways
        "1": r"\boxed{x^{2}+1}",  # official right (spaces dropped); ours compares normalised text
        "2": "<think>the number is A-17</think> I cannot read it",  # no box: the text after thinking is read
    }
    scored = scored_records("ocrbench", write_ocrbench(tmp_path), outputs)
    result = metrics(scored)
    assert result["score"] == 2 and result["accuracy"] == pytest.approx(2 / 3)
    assert result["per_type"]["Regular Text Recognition"] == 1
    assert result["per_type"]["Handwritten Mathematical Expression Recognition"] == 1
    assert result["per_type"]["Doc-oriented VQA"] == 0
    assert result["text_recognition"] == 1
    assert [r["correct"] for r in scored] == [True, True, False]
