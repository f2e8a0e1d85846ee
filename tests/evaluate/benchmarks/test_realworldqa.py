"""RealWorldQA: rows in ``visheratin/realworldqa``'s schema, the question sent as is, the exact-match metric."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.realworldqa import exact_match, metrics
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

CHOICE = (
    "In which direction is the front wheel of the car on the right side facing?\n\nA. Left\nB. Straight\nC. Right\n\n"
    "Please answer directly with only the letter of the correct option and nothing else."
)
OPEN = "How many pedestrians are there?\nPlease answer directly with a single word or number."


def write_realworldqa(root):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    rows = [
        {"image": image("gray", (64, 40)), "question": CHOICE, "answer": "C"},
        {"image": image("white", (64, 40)), "question": OPEN, "answer": "2"},
        {"image": image("black", (64, 40)), "question": "Is it raining?\nAnswer yes or no.", "answer": "No"},
    ]
    features = Features({"image": ImageFeature(), "question": Value("string"), "answer": Value("string")})
    return hub_folder(root, "test", rows, features)


FIXTURES = {"realworldqa": write_realworldqa}


def test_realworldqa_items_are_numbered_rows_with_the_question_as_is(tmp_path):
    (choice, number, word), skipped = items("realworldqa", str(write_realworldqa(tmp_path)))
    assert skipped == {} and REGISTRY["realworldqa"].hub_id == "visheratin/realworldqa"
    assert [choice.id, number.id, word.id] == ["0", "1", "2"]
    assert policy_prompt(choice) == CHOICE + THINK_BOXED_SUFFIX
    assert (choice.kind, choice.answer, choice.choices) == ("choice", "C", ["Left", "Straight", "Right"])
    assert (number.kind, number.answer, word.kind, word.answer) == ("number", "2", "text", "No")


def test_realworldqa_exact_match_on_right_wrong_unparseable_and_adversarial_boxes(tmp_path):
    choice, number, word = items("realworldqa", str(write_realworldqa(tmp_path)))[0]
    assert exact_match(choice.reference(), "C") and exact_match(choice.reference(), "(C)")
    assert not exact_match(choice.reference(), "A") and not exact_match(choice.reference(), None)
    assert not exact_match(choice.reference(), "C or A")  # a hedge names no single option
    assert exact_match(word.reference(), "no.") and not exact_match(word.reference(), "No, it is not")
    assert exact_match(number.reference(), " 2 ") and not exact_match(number.reference(), "2.0")
    # ours accepts the number written otherwise; the official exact match does not
    assert score(number.reference(), "\\boxed{2.0}")["correct"]


def test_realworldqa_metrics_is_the_exact_match_rate(tmp_path):
    choice, number, word = items("realworldqa", str(write_realworldqa(tmp_path)))[0]
    outputs = ["<think>right turn</think>\\boxed{C}", "\\boxed{two}", "no box at all: No"]
    records = [
        {"reference": i.reference(), "output": o, **score(i.reference(), o)}
        for i, o in zip([choice, number, word], outputs)
    ]
    assert metrics(records) == {"accuracy": pytest.approx(1 / 3)}
    assert metrics([]) == {"accuracy": None}
