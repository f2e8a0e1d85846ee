"""ZeroBench sub-questions: rows in ``jonathan-roberts1/zerobench``'s schema, all images first, the curly-brace rule."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.zerobench import metrics, official_correct, zerobench_item
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def write_zerobench(root):
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "question_id": Value("string"),
            "question_text": Value("string"),
            "question_images_decoded": Sequence(ImageFeature()),
            "question_answer": Value("string"),
            "question_images": Sequence(Value("string")),
            "image_attribution": Value("string"),
        }
    )
    rows = [
        {
            "question_id": "1_1",
            "question_text": "How many bottles are on the top shelf?",
            "question_images_decoded": [image("red", (40, 40)), image("blue", (40, 40))],
            "question_answer": "11.90",
            "question_images": ["images/1_0.png", "images/1_1.png"],
            "image_attribution": "Own",
        },
        {
            "question_id": "2_1",
            "question_text": "Which brand is it?",
            "question_images_decoded": [image("green", (40, 40))],
            "question_answer": "Montellier",
            "question_images": ["images/2_0.png"],
            "image_attribution": "Own",
        },
    ]
    return hub_folder(root, "zerobench_subquestions", rows, features)


FIXTURES = {"zerobench_sub": write_zerobench}


def _record(item, output):
    return {"reference": item.reference(), "output": output, **score(item.reference(), output)}


def test_zerobench_items_send_every_image_first_and_the_question_as_is(tmp_path):
    (money, brand), skipped = items("zerobench_sub", str(write_zerobench(tmp_path)))
    assert skipped == {} and REGISTRY["zerobench_sub"].split == "zerobench_subquestions"
    assert REGISTRY["zerobench_sub"].max_model_len == 32768
    assert (
        len(money.images) == 2 and policy_prompt(money) == "How many bottles are on the top shelf?" + THINK_BOXED_SUFFIX
    )
    assert (money.id, money.kind, money.answer, brand.kind) == ("1_1", "number", "11.90", "text")


def test_zerobench_rejects_a_row_without_images():
    row = {"question_id": "3_1", "question_text": "q", "question_images_decoded": [], "question_answer": "1"}
    with pytest.raises(ValueError, match="zerobench_sub: row 2: question_images_decoded is empty"):
        zerobench_item(row, "zerobench_sub: row 2")


def test_zerobench_official_rule_on_right_wrong_unparseable_and_adversarial_outputs(tmp_path):
    money, brand = items("zerobench_sub", str(write_zerobench(tmp_path)))[0]
    assert official_correct(_record(money, "<think>{12}</think> so \\boxed{11.90}"))
    assert official_correct(_record(brand, "\\boxed{MONTELLIER}"))  # case does not matter
    assert not official_correct(_record(money, "\\boxed{11.9}"))  # exact text: 11.9 is not 11.90 ...
    assert score(money.reference(), "\\boxed{11.9}")["correct"]  # ... while ours compares the value
    assert not official_correct(_record(money, "<think>maybe {11.90}</think> I cannot tell"))  # thinking only
    assert not official_correct(_record(brand, "\\boxed{\\text{Montellier}}"))  # nested: the first } closes it
    assert not official_correct(_record(brand, "\\boxed{ Montellier }"))  # the parsed answer is not stripped
    assert not official_correct(_record(brand, "Montellier"))  # no braces at all


def test_zerobench_metrics_is_the_sub_question_accuracy(tmp_path):
    money, brand = items("zerobench_sub", str(write_zerobench(tmp_path)))[0]
    records = [_record(money, "\\boxed{11.90}"), _record(brand, "\\boxed{Evian}")]
    assert metrics(records) == {"accuracy": 0.5} and metrics([]) == {"accuracy": None}
