"""MathVision: the authors' " Options:" header (even without options) and "A. ..." lines."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items


def write_mathvision(root):
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "id": Value("string"),
            "question": Value("string"),
            "options": Sequence(Value("string")),
            "image": Value("string"),
            "decoded_image": ImageFeature(),
            "answer": Value("string"),
            "solution": Value("string"),
            "level": Value("int64"),
            "subject": Value("string"),
        }
    )
    common = {"solution": None, "image": "images/1.jpg"}
    rows = [
        {**common, "id": "1", "question": "<image1>How many dots are there?", "options": [], "level": 1}
        | {"decoded_image": image("red"), "answer": "4", "subject": "counting"},
        {**common, "id": "2", "question": "<image1>Which shape comes next?", "options": ["1", "2", "3", "4", "5"]}
        | {"decoded_image": image("blue"), "answer": "C", "subject": "logic", "level": 2},
    ]
    return hub_folder(root, "testmini", rows, features)


FIXTURES = {"mathvision": write_mathvision}


def test_questions_options_and_the_authors_context_length(tmp_path):
    (free, choice), _ = items("mathvision", str(write_mathvision(tmp_path)))
    assert free.question == "<image1>How many dots are there? Options:"
    assert choice.question.endswith(" Options:\nA. 1\nB. 2\nC. 3\nD. 4\nE. 5") and choice.answer == "C"
    assert REGISTRY["mathvision"].max_model_len == 32768  # model_mathvision_llama32v.py
