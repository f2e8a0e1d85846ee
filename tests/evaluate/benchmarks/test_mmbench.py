"""MMBench-EN: hub rows (hint, "nan" options, circular copies) and circular accuracy with and without a judge."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_fixtures import ScriptedJudge, scored_records

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.mmbench import metrics, rule_letter
from critic_r1_ext.evaluate.judge_client import ChatJudge


def _row(index, question, options, answer, hint="nan", category="object_localization"):
    letters = dict(zip("ABCD", [*options, "nan", "nan", "nan", "nan"]))
    return {
        "index": index,
        "question": question,
        "hint": hint,
        **letters,
        "answer": answer,
        "category": category,
        "image": image("white"),
        "source": "MMBench",
        "l2-category": "finegrained_perception (instance-level)",
        "comment": "nan",
        "split": "dev",
    }


def _mmbench_rows():
    rows = [
        _row(7, "Where is the cat?", ["left", "right", "top"], "B", hint="The photo is mirrored."),
        _row(1_000_007, "Where is the cat?", ["right", "top", "left"], "A", hint="The photo is mirrored."),
        _row(2_000_007, "Where is the cat?", ["top", "left", "right"], "C", hint="The photo is mirrored."),
        _row(9, "What color is the car?", ["red", "blue"], "A", category="attribute_recognition"),
        _row(1_000_009, "What color is the car?", ["blue", "red"], "B", category="attribute_recognition"),
    ]
    return rows


def write_mmbench(root):
    return hub_folder(root, "dev", _mmbench_rows())


FIXTURES = {"mmbench": write_mmbench}


def test_items_follow_the_authors_prompt(tmp_path):
    found, _ = items("mmbench", str(write_mmbench(tmp_path)))
    assert found[0].question == (
        "The photo is mirrored.\nWhere is the cat? Options:\nA. left\nB. right\nC. top\n"
        "Answer with the option's letter from the given choices directly."
    )
    assert found[3].question.startswith("What color is the car? Options:\nA. red\nB. blue\nAnswer")
    assert found[1].reference()["extra"]["group"] == 7
    assert (REGISTRY["mmbench"].hub_id, REGISTRY["mmbench"].split) == ("lmms-lab/MMBench_EN", "dev")


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("B", "B"),
        ("(B)", "B"),
        ("B. right", "B"),
        ("The answer is right", "B"),  # one option text contained
        ("A or B", None),  # two letters
        ("A cat sits on the right", "B"),  # a leading "A" with more than three words is an article
        ("", None),
        ("E", "E"),  # MMBench's "none of them" letter is read (and is wrong)
    ],
)
def test_rule_reading(text, letter):
    assert rule_letter(text, {"A": "left", "B": "right", "C": "top"}) == letter


def test_circular_accuracy_without_a_judge(tmp_path):
    source = write_mmbench(tmp_path)
    # cat: all three copies right; car: second copy wrong -> 1 of 2 questions
    outputs = {
        "7": r"\boxed{B}",
        "1000007": r"\boxed{A}",
        "2000007": r"\boxed{(C)}",
        "9": r"\boxed{A}",
        "1000009": r"\boxed{A}",
    }
    result = metrics(scored_records("mmbench", source, outputs))
    assert result["circular_accuracy"] == pytest.approx(1 / 2)
    assert result["per_category"] == {"attribute_recognition": 0.0, "object_localization": 1.0}
    assert result["judge_calls"] == 0
    # a copy no rule can read, in a question otherwise right, needs the judge
    outputs["2000007"] = "<think>hmm</think> I would say the cat sits at the far side"
    undecided = metrics(scored_records("mmbench", source, outputs))
    assert undecided["circular_accuracy"] == NEEDS_JUDGE
    assert undecided["circular_accuracy_rule_based"] == pytest.approx(0.0)


def test_circular_accuracy_asks_the_judge_only_for_unread_copies(tmp_path, loopback_judge):
    source = write_mmbench(tmp_path)
    outputs = {"7": r"\boxed{B}", "1000007": r"\boxed{A}", "2000007": "the far side", "9": r"\boxed{A}", "1000009": "?"}
    url = loopback_judge(lambda prompt, system: "C")
    result = metrics(scored_records("mmbench", source, outputs), ChatJudge(url, "judge", retries=0))
    assert result["circular_accuracy"] == pytest.approx(1 / 2) and result["judge_calls"] == 2
    sent = loopback_judge.seen[0]["messages"][0]["content"]
    assert sent.startswith("You are an AI assistant who will help me to match an answer with several options")
    assert "Question: Where is the cat??\nOptions: There are several options: \nA. top\nB. left\nC. right\n" in sent
    wrong = metrics(scored_records("mmbench", source, outputs), ScriptedJudge(lambda prompt, system: "A"))
    assert wrong["circular_accuracy"] == 0.0


@pytest.fixture(scope="module")
def judged_records(tmp_path_factory):
    return scored_records(
        "mmbench", write_mmbench(tmp_path_factory.mktemp("mmbench")), {"7": "far", "1000007": "?", "9": "A"}
    )


@settings(max_examples=40, deadline=None)
@given(
    reply=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["{", "}", '"score": 1', "Rating: 4", "correct"]))
)
def test_metrics_never_raise_on_any_judge_reply(judged_records, reply):
    result = metrics(judged_records, ScriptedJudge(lambda prompt, system: reply))
    assert result["circular_accuracy"] == NEEDS_JUDGE or 0.0 <= result["circular_accuracy"] <= 1.0
