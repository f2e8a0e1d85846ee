"""AI2D: rows in the hub schema become the authors' prompt; lmms-eval's rule and our scorer on model outputs."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from judge_fixtures import scored_records

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.ai2d import metrics, official_correct


def write_ai2d(root):
    rows = [
        {
            "question": "Which label shows the sun?",
            "options": ["A", "B", "C", "D"],
            "answer": "1",
            "image": image("red"),
        },
        {
            "question": "What eats the grass?",
            "options": ["owl", "deer", "hawk"],
            "answer": "1",
            "image": image("green"),
        },
        {"question": "Which stage comes first?", "options": ["egg", "larva"], "answer": "0", "image": image("blue")},
    ]
    return hub_folder(root, "test", rows)


FIXTURES = {"ai2d": write_ai2d}


def test_items_follow_the_authors_prompt_with_row_positions_as_ids(tmp_path):
    found, skipped = items("ai2d", str(write_ai2d(tmp_path)))
    assert [i.id for i in found] == ["0", "1", "2"] and skipped == {}
    assert found[1].question == (
        "What eats the grass? Options:\nA. owl\nB. deer\nC. hawk\n"
        "Answer with the option's letter from the given choices."
    )
    assert (found[1].kind, found[1].answer, found[1].choices) == ("choice", "B", ["owl", "deer", "hawk"])
    assert (REGISTRY["ai2d"].hub_id, REGISTRY["ai2d"].split) == ("lmms-lab/ai2d", "test")


def test_an_answer_index_outside_the_options_names_the_row(tmp_path):
    folder = hub_folder(tmp_path, "test", [{"question": "q", "options": ["a"], "answer": "3", "image": image("red")}])
    with pytest.raises(ValueError, match=r"ai2d: row 0: answer index 3"):
        items("ai2d", str(folder))


@pytest.mark.parametrize(
    ("predicted", "right"),
    [("B", True), ("(B)", True), ("b", True), ("B. deer", True), (" B ", True), ("deer", False), ("A", False)],
)
def test_official_rule_reads_a_leading_letter_or_the_whole_prediction(predicted, right):
    assert official_correct(predicted, "B") is right


def test_metrics_on_right_wrong_unparseable_and_adversarial_outputs(tmp_path):
    source = write_ai2d(tmp_path)
    outputs = {
        "0": r"<think>The sun is B</think> \boxed{B}",  # right
        "1": r"<think>deer eat grass</think> \boxed{deer}",  # option text: ours right, official wrong
        "2": "<think>unsure</think> It is A.",  # no box: official reads "It is A." whole (wrong)
    }
    scored = scored_records("ai2d", source, outputs)
    assert metrics(scored) == {"accuracy": pytest.approx(1 / 3)}
    assert [r["correct"] for r in scored] == [True, True, False]  # our strict scorer, shown beside it
    hedge = scored_records("ai2d", source, {"0": r"\boxed{A, B, C, D}", "1": r"\boxed{B. \frac{1}{0}}"})
    assert metrics(hedge)["accuracy"] == pytest.approx(1 / 2)
