"""MMStar: inline options parsed, the authors' answer-format line appended."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def write_mmstar(root):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "index": Value("int64"),
            "question": Value("string"),
            "image": ImageFeature(),
            "answer": Value("string"),
            "category": Value("string"),
            "l2_category": Value("string"),
            "meta_info": {"source": Value("string"), "split": Value("string"), "image_path": Value("string")},
        }
    )
    rows = [
        {"index": 0, "question": "What color is the box?\nOptions: A: red, B: blue, C: green, D: yellow"}
        | {"image": image("blue"), "answer": "B", "category": "coarse perception", "l2_category": "color"}
        | {"meta_info": {"source": "MMBench", "split": "val", "image_path": "0.jpg"}},
        {"index": 1, "question": "How many cars?\nOptions: A: 1, B: 2, C: 3, D: 4", "image": image("red")}
        | {"answer": "C", "category": "fine-grained perception", "l2_category": "counting"}
        | {"meta_info": {"source": "SEEDBench", "split": "val", "image_path": "1.jpg"}},
    ]
    return hub_folder(root, "val", rows, features)


FIXTURES = {"mmstar": write_mmstar}


def test_options_and_the_instruction_glued_on_without_a_separator(tmp_path):
    star = items("mmstar", str(write_mmstar(tmp_path)))[0][0]
    assert star.choices == ["red", "blue", "green", "yellow"] and star.answer == "B"
    assert star.question.endswith("\nAnswer with the option's letter from the given choices.")
    assert policy_prompt(star) == star.question + THINK_BOXED_SUFFIX
    assert "from the given choices.You FIRST think about" in policy_prompt(star)


def test_bad_rows_and_sources_are_named(tmp_path):
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "x", "question": "q"}\n')
    with pytest.raises(ValueError, match=r"mmstar: row 0: missing column\(s\) \['index'"):
        items("mmstar", str(other))
    with pytest.raises(FileNotFoundError, match="mmstar: data not found"):
        items("mmstar", str(tmp_path / "nowhere"))
