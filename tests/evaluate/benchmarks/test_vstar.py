"""V* Bench: rows in ``russwang/vstarbench``'s schema (image as raw bytes), the authors' prompt, per-category metric."""

from __future__ import annotations

import io

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.vstar import metrics
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

TEXT = (
    "What is the color of the glove?\n(A) white\n(B) black\n(C) red\n(D) blue\n"
    "Answer with the option's letter from the given choices directly."
)


def _jpeg(color):
    buffer = io.BytesIO()
    image(color, (64, 48)).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_vstar(root):
    from datasets import Features, Value

    features = Features(
        {
            "image": Value("string"),
            "text": Value("string"),
            "category": Value("string"),
            "question_id": Value("int64"),
            "label": Value("string"),
            "decoded_image": Value("binary"),
        }
    )
    rows = [
        {
            "image": "direct_attributes/sa_1.jpg",
            "text": TEXT,
            "category": "direct_attributes",
            "question_id": 0,
            "label": "B",
            "decoded_image": _jpeg("black"),
        },
        {
            "image": "relative_position/sa_2.jpg",
            "text": "Is the cup on the left or right of the dog?\n(A) left\n"
            "(B) right\nAnswer with the option's letter from the given choices directly.",
            "category": "relative_position",
            "question_id": 1,
            "label": "A",
            "decoded_image": _jpeg("white"),
        },
    ]
    return hub_folder(root, "train", rows, features)


FIXTURES = {"vstar": write_vstar}


def _records(found, outputs):
    return [{"reference": i.reference(), "output": o, **score(i.reference(), o)} for i, o in zip(found, outputs)]


def test_vstar_sends_the_row_text_as_is_with_the_decoded_bytes_as_the_image(tmp_path):
    (attribute, position), skipped = items("vstar", str(write_vstar(tmp_path)))
    assert skipped == {} and REGISTRY["vstar"].split == "train" and REGISTRY["vstar"].max_model_len == 8192
    assert policy_prompt(attribute) == TEXT + THINK_BOXED_SUFFIX
    assert attribute.images[0]["bytes"][:2] == b"\xff\xd8"  # the JPEG bytes, decoded only when prepared
    assert (attribute.id, attribute.kind, attribute.answer, attribute.choices) == (
        "0",
        "choice",
        "B",
        ["white", "black", "red", "blue"],
    )
    assert (position.category, position.answer, position.choices) == ("relative_position", "A", ["left", "right"])


def test_vstar_rejects_a_label_outside_the_options(tmp_path):
    from critic_r1_ext.evaluate.benchmarks.vstar import vstar_item

    row = {"_row": 3, "text": TEXT, "decoded_image": b"", "label": "E", "category": "direct_attributes"}
    with pytest.raises(ValueError, match="vstar: row 3: label 'E' names none of the 4 options"):
        vstar_item(row, "vstar: row 3")


def test_vstar_metrics_per_category_on_right_wrong_unparseable_and_hedged_outputs(tmp_path):
    attribute, position = items("vstar", str(write_vstar(tmp_path)))[0]
    found = [attribute, attribute, attribute, attribute, position]
    outputs = [
        "<think>black glove</think> \\boxed{B}",  # right
        "<think>hmm</think> \\boxed{black}",  # right, by the option's text
        "<think>hmm</think> The answer is B.",  # no box: unparseable
        "<think>\\boxed{B}</think> \\boxed{A, B, C, D}",  # a hedge
        "\\boxed{(A)}",  # right
    ]
    result = metrics(_records(found, outputs))
    assert result["per_category"] == {"direct_attributes": 0.5, "relative_position": 1.0}
    assert result["accuracy"] == pytest.approx(3 / 5)
    assert metrics([]) == {"accuracy": None, "per_category": {}}


def test_vstar_ids_fall_back_to_the_row_position_without_question_id(tmp_path):
    from datasets import Dataset

    rows = [{"text": TEXT, "label": "A", "decoded_image": _jpeg("white")}] * 2
    Dataset.from_list(rows).to_parquet(str(tmp_path / "vstar.parquet"))
    found = items("vstar", str(tmp_path / "vstar.parquet"))[0]
    assert [(i.id, i.category) for i in found] == [("0", None), ("1", None)]
