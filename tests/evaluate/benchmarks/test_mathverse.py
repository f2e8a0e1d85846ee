"""MathVerse: ``query_wo`` as the authors send it; options from ``question_for_eval``."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items


def write_mathverse(root):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "sample_index": Value("string"),
            "problem_index": Value("string"),
            "problem_version": Value("string"),
            "question": Value("string"),
            "image": ImageFeature(),
            "answer": Value("string"),
            "question_type": Value("string"),
            "metadata": {"split": Value("string")},
            "query_wo": Value("string"),
            "query_cot": Value("string"),
            "question_for_eval": Value("string"),
        }
    )
    choice = "As shown in the figure, find angle B.\nChoices:\nA:30°\nB:60°\nC:90°\nD:120°"
    common = {"metadata": {"split": "testmini"}, "query_cot": ""}
    rows = [
        {**common, "sample_index": "1", "problem_index": "1", "problem_version": "Text Dominant", "question": choice}
        | {"image": image("red"), "answer": "B", "question_type": "multi-choice", "question_for_eval": choice}
        | {
            "query_wo": "Please directly answer the question and provide the correct option letter.\nQuestion: "
            + choice
        },
        {**common, "sample_index": "2", "problem_index": "2", "problem_version": "Vision Only", "question": ""}
        | {"image": image("blue"), "answer": "2\\sqrt{3}", "question_type": "free-form"}
        | {"query_wo": "According to the question shown in the image, answer it.", "question_for_eval": "Find AC."},
    ]
    return hub_folder(root, "testmini", rows, features)


FIXTURES = {"mathverse": write_mathverse}


def test_query_and_parsed_choices(tmp_path):
    (choice, free), _ = items("mathverse", str(write_mathverse(tmp_path)))
    assert choice.question.startswith("Please directly answer") and choice.choices == ["30°", "60°", "90°", "120°"]
    assert (free.kind, free.answer, free.category) == ("text", "2\\sqrt{3}", "Vision Only")
    assert REGISTRY["mathverse"].configs == ("testmini",)
