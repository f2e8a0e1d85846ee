"""MMVP: the public release's layout (``Questions.csv`` + ``MMVP Images``) or a table with images; pair accuracy."""

from __future__ import annotations

import csv

import pytest
from benchmark_rows import hub_folder, image
from judge_server import scripted_judge

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.mmvp import JUDGE_SYSTEM, metrics, mmvp_item
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

QUESTIONS = [
    ("1", "Are the butterfly's wings closer to being open or closed?", "(a) Open (b) Closed", "(a)"),
    ("2", "Are the butterfly's wings closer to being open or closed?", "(a) Open (b) Closed", "(b)"),
    ("3", "Is the dog facing left or right from the camera's perspective?", "(a) Left (b) Right", "(b)"),
    ("4", "Is the dog facing left or right from the camera's perspective?", "(a) Left (b) Right", "(a)"),
]


def write_mmvp(root):
    """The MMVP/MMVP repository layout: ``Questions.csv`` and ``MMVP Images/<Index>.jpg``."""
    (root / "MMVP Images").mkdir(parents=True)
    with (root / "Questions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Index", "Question", "Options", "Correct Answer"])
        writer.writerows(QUESTIONS)
    for index, color in zip("1234", ["red", "green", "blue", "white"]):
        image(color).save(root / "MMVP Images" / f"{index}.jpg")
    return root


FIXTURES = {"mmvp": write_mmvp}


def _records(found, outputs):
    return [{"reference": i.reference(), "output": o, **score(i.reference(), o)} for i, o in zip(found, outputs)]


def test_mmvp_reads_the_release_layout_and_glues_question_and_options_as_the_authors_do(tmp_path):
    found, skipped = items("mmvp", str(write_mmvp(tmp_path / "mmvp")))
    assert skipped == {} and REGISTRY["mmvp"].hub_id == "MMVP/MMVP" and REGISTRY["mmvp"].main_metric == "pair_accuracy"
    first = found[0]
    assert policy_prompt(first) == (
        "Are the butterfly's wings closer to being open or closed?(a) Open (b) Closed"
        " Please answer directly with only the letter of the correct option." + THINK_BOXED_SUFFIX
    )
    assert first.images[0].endswith("MMVP Images/1.jpg")
    assert [(i.id, i.answer, i.extra["pair"]) for i in found] == [
        ("1", "A", 0),
        ("2", "B", 0),
        ("3", "B", 1),
        ("4", "A", 1),
    ]
    assert first.choices == ["Open", "Closed"]


def test_mmvp_also_reads_a_table_with_an_image_column(tmp_path):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    rows = [
        {"Index": int(i), "Question": q, "Options": o, "Correct Answer": a, "image": image("red")}
        for i, q, o, a in QUESTIONS[:2]
    ]
    features = Features(
        {
            "Index": Value("int32"),
            "Question": Value("string"),
            "Options": Value("string"),
            "Correct Answer": Value("string"),
            "image": ImageFeature(),
        }
    )
    found = items("mmvp", str(hub_folder(tmp_path / "lmms", "train", rows, features)))[0]
    assert [(i.id, i.answer) for i in found] == [("1", "A"), ("2", "B")]


def test_mmvp_names_a_bad_answer():
    row = {"Index": "5", "Question": "q", "Options": "(a) x (b) y", "Correct Answer": "(c)", "image": "5.jpg"}
    with pytest.raises(ValueError, match=r"mmvp: row 4: Correct Answer '\(c\)' names none of the options"):
        mmvp_item(row, "mmvp: row 4")


def test_mmvp_pairs_count_only_when_both_answers_are_right(tmp_path):
    found = items("mmvp", str(write_mmvp(tmp_path / "mmvp")))[0]
    outputs = ["\\boxed{A}", "<think>closed</think>\\boxed{Closed}", "\\boxed{B}", "no box: (a)"]
    result = metrics(_records(found, outputs))
    assert result["pair_accuracy"] == NEEDS_JUDGE
    assert result["pair_accuracy_strict"] == 0.5
    assert result["incomplete_pairs"] == 0
    lone = metrics(_records(found[:3], outputs[:3]))
    assert lone["pair_accuracy_strict"] == 1.0 and lone["incomplete_pairs"] == 1


def test_mmvp_judge_grades_each_answer_with_the_official_prompt(tmp_path):
    found = items("mmvp", str(write_mmvp(tmp_path / "mmvp")))[0]
    outputs = ["<think>x</think>Open", "Closed", "Right", "Right"]
    with scripted_judge(
        lambda m: "Yes" if "Right" not in m[-1]["content"] or "is (b)" in m[-1]["content"] else "no", tmp_path
    ) as (judge, seen):
        result = metrics(_records(found, outputs), judge)
    assert seen[0][0] == {"role": "system", "content": JUDGE_SYSTEM}
    assert seen[0][1]["content"] == (
        "Given the following question Are the butterfly's wings closer to being open or closed? (a) Open (b) Closed, "
        "the correct answer is (a). Does the following answer correctly answers the question, answer:Open?"
    )
    assert result["pair_accuracy"] == 0.5  # pair 1 both yes; pair 2: "Right" graded no for the (a) question
    (tmp_path / "down").mkdir()
    with scripted_judge(lambda m: None, tmp_path / "down") as (down, _):
        failed = metrics(_records(found, outputs), down)
    assert failed["pair_accuracy"] == NEEDS_JUDGE and failed["judge_failures"] == 4


def test_mmvp_without_data_downloads_the_release_repository(tmp_path, monkeypatch):
    import huggingface_hub

    calls = []
    release = write_mmvp(tmp_path / "snapshot")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda **kw: calls.append(kw) or str(release))
    found = items("mmvp", None, limit=2)[0]
    assert calls == [{"repo_id": "MMVP/MMVP", "repo_type": "dataset"}] and [i.id for i in found] == ["1", "2"]
