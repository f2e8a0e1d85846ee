"""BLINK: one folder per task config in ``BLINK-Benchmark/BLINK``'s schema, several images, task-mean metric."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from judge_server import scripted_judge

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.blink import TASKS, blink_item, metrics, rule_choice
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

DEPTH_PROMPT = "Which point is closer to the camera?\nSelect from the following choices.\n(A) Point A\n(B) Point B"


def _row(task, number, answer, n_images, prompt=DEPTH_PROMPT, choices=("Point A", "Point B")):
    images = {f"image_{n}": image("gray") if n <= n_images else None for n in range(1, 5)}
    return {
        "idx": f"val_{task}_{number}",
        "question": "Which point is closer to the camera?",
        "sub_task": task,
        "choices": list(choices),
        "answer": answer,
        "prompt": prompt,
        "explanation": "",
        **images,
    }


def write_blink(root):
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "idx": Value("string"),
            "question": Value("string"),
            "sub_task": Value("string"),
            **{f"image_{n}": ImageFeature() for n in range(1, 5)},
            "choices": Sequence(Value("string")),
            "answer": Value("string"),
            "prompt": Value("string"),
            "explanation": Value("string"),
        }
    )
    for task in TASKS:
        rows = (
            [_row(task, 1, "(A)", 1), _row(task, 2, "(B)", 2)]
            if task == "Relative_Depth"
            else [_row(task, 1, "(B)", 4)]
        )
        hub_folder(root, "val", rows, features, config=task)
    return root


FIXTURES = {"blink": write_blink}


def _records(found, outputs):
    return [{"reference": i.reference(), "output": o, **score(i.reference(), o)} for i, o in zip(found, outputs)]


def test_blink_reads_all_14_tasks_with_every_image_before_the_prompt(tmp_path):
    found, skipped = items("blink", str(write_blink(tmp_path)))
    assert skipped == {} and len(found) == 15 and REGISTRY["blink"].max_model_len == 32768
    assert sorted({i.extra["task"] for i in found}) == sorted(TASKS)
    depth = [i for i in found if i.id == "val_Relative_Depth_2"][0]
    assert policy_prompt(depth) == (
        DEPTH_PROMPT + "\nAnswer with the option's letter from the given choices." + THINK_BOXED_SUFFIX
    )
    assert len(depth.images) == 2 and (depth.kind, depth.answer, depth.choices) == (
        "choice",
        "B",
        ["Point A", "Point B"],
    )
    assert len([i for i in found if i.id == "val_Jigsaw_1"][0].images) == 4


def test_blink_names_a_missing_task_folder_and_a_bad_answer(tmp_path):
    root = write_blink(tmp_path)
    (root / "IQ_Test" / "val-00000-of-00001.parquet").unlink()
    (root / "IQ_Test").rmdir()
    with pytest.raises(FileNotFoundError, match="blink: config 'IQ_Test' not found"):
        items("blink", str(root))
    with pytest.raises(ValueError, match=r"blink: row 0: answer '\(C\)' names none of the 2 choices"):
        blink_item(_row("Counting", 1, "(C)", 1), "blink: row 0")


def test_blink_rules_as_the_official_extraction():
    assert rule_choice("B", 2) == "(B)" and rule_choice("(A)", 2) == "(A)"
    assert rule_choice("(B) Point B", 2) == "(B)"  # one option token among the words
    assert rule_choice("(A) looks near, but\n\n(B) is nearer", 2) == "(B)"  # the last paragraph decides
    assert rule_choice("(A) or (B)", 2) is None  # two tokens, no deciding paragraph: the judge
    assert rule_choice("Point B", 2) is None and rule_choice("(C)", 2) == "(C)"  # a bare token is taken as is
    assert rule_choice("(C) it is", 2) is None  # not a valid option token here


def test_blink_task_mean_is_the_unweighted_mean_over_tasks(tmp_path):
    found = items("blink", str(write_blink(tmp_path)))[0]
    outputs = ["\\boxed{B}"] * len(found)  # right everywhere but val_Relative_Depth_1 (answer A)
    result = metrics(_records(found, outputs))
    assert result["needs_judge_items"] == 0
    assert result["per_task"]["Relative_Depth"] == 0.5 and result["per_task"]["Jigsaw"] == 1.0
    assert result["task_mean"] == pytest.approx((13 + 0.5) / 14)  # not 14 / 15, the micro accuracy
    assert result["task_mean_rules_only"] == result["task_mean"]


def test_blink_unmatched_answers_need_the_judge_and_get_the_official_matching_prompt(tmp_path):
    found = items("blink", str(write_blink(tmp_path)))[0]
    outputs = ["\\boxed{B}"] * len(found)
    depth_1 = [k for k, i in enumerate(found) if i.id == "val_Relative_Depth_1"][0]
    outputs[depth_1] = "<think>the child</think> Point A, where the child sits."
    without = metrics(_records(found, outputs))
    assert without["task_mean"] == NEEDS_JUDGE and without["needs_judge_items"] == 1
    assert without["task_mean_rules_only"] == pytest.approx((13 + 0.5) / 14)
    with scripted_judge(lambda m: "(A)", tmp_path) as (judge, seen):
        result = metrics(_records(found, outputs), judge)
    assert len(seen) == 1 and result["task_mean"] == 1.0
    prompt = seen[0][-1]["content"]
    assert prompt.startswith("You are an AI assistant who will help me to match an answer with several options")
    assert prompt.endswith(
        "Question: Which point is closer to the camera?\nSelect from the following choices?\n"
        "Options: (A) Point A\n(B) Point B\n(Z) Failed\nAnswer:  Point A, where the child sits.\nYour output: "
    )
