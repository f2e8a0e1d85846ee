"""CharXiv reasoning: hub rows as the authors send them; the official GPT grading prompt and its JSON scores."""

from __future__ import annotations

import json

import pytest
from benchmark_rows import hub_folder, image
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_fixtures import ScriptedJudge, scored_records

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.charxiv import judge_score, metrics
from critic_r1_ext.evaluate.judge_client import ChatJudge


def _row(number, question, answer, answer_type, source):
    return {
        "image": image("white"),
        "category": "cs",
        "year": 2023,
        "original_figure_path": f"{number}.png",
        "original_id": f"2301.{number}",
        "figure_path": f"images/{number}.jpg",
        "num_subplots": 1,
        "subplot_row": None,
        "subplot_col": None,
        "subplot_loc": None,
        **{f"descriptive_q{k}": k for k in range(1, 5)},
        **{f"descriptive_a{k}": "Not Applicable" for k in range(1, 5)},
        "reasoning_q": question,
        "reasoning_q_source": source,
        "reasoning_a": answer,
        "reasoning_a_type": answer_type,
    }


def write_charxiv(root):
    rows = [
        _row(0, "Which curve peaks first?", "(b)", 1, 1),
        _row(1, "What is the value at t=10?", "0.01", 3, 3),
    ]
    return hub_folder(root, "validation", rows)


FIXTURES = {"charxiv": write_charxiv}


def test_items_send_the_raw_reasoning_question(tmp_path):
    found, _ = items("charxiv", str(write_charxiv(tmp_path)))
    assert [(i.id, i.question, i.kind, i.category) for i in found] == [
        ("images/0.jpg", "Which curve peaks first?", "text", "Text-in-Chart"),
        ("images/1.jpg", "What is the value at t=10?", "number", "Number-in-Chart"),
    ]
    assert (REGISTRY["charxiv"].hub_id, REGISTRY["charxiv"].split) == ("princeton-nlp/CharXiv", "validation")


@pytest.mark.parametrize(
    ("reply", "score"),
    [
        ('{"extracted_answer": "b", "score": 1}', 1),
        ('```json\n{"extracted_answer": "0.012", "score": 0}\n```', 0),
        ('{"extracted_answer": "x", "score": 2}', None),
        ('{"extracted_answer": "x", "score": true}', None),
        ("score: 1", None),
        ("{not json}", None),
        ("", None),
    ],
)
def test_judge_score_reads_the_json_reply(reply, score):
    assert judge_score(reply) == score


def test_without_a_judge_reasoning_accuracy_needs_one(tmp_path):
    outputs = {"images/0.jpg": r"\boxed{(b)}", "images/1.jpg": r"<think>about 0.01</think> \boxed{0.010}"}
    scored = scored_records("charxiv", write_charxiv(tmp_path), outputs)
    assert metrics(scored) == {"reasoning_accuracy": NEEDS_JUDGE, "accuracy_rule_based": 1.0}
    assert [r["correct"] for r in scored] == [True, True]


def test_judge_gets_the_grading_prompt_of_the_answer_type(tmp_path, loopback_judge):
    def reply(prompt, system):
        return json.dumps({"extracted_answer": "b", "score": 1 if "Ground Truth: (b)" in prompt else 0})

    url = loopback_judge(reply)
    outputs = {"images/0.jpg": r"<think>b first</think> \boxed{b}", "images/1.jpg": "no idea"}
    result = metrics(scored_records("charxiv", write_charxiv(tmp_path), outputs), ChatJudge(url, "judge", retries=0))
    assert result["reasoning_accuracy"] == pytest.approx(1 / 2)
    assert result["per_answer_type"] == {"Number-in-Chart": 0.0, "Text-in-Chart": 1.0}
    assert result["per_source"] == {"Completely Human": 0.0, "GPT-Sourced": 1.0}
    first = loopback_judge.seen[0]["messages"][0]["content"]
    assert first.startswith("\nYou will be given a question, an ground truth answer and a model response.")
    assert "referring to the same term" in first  # the text-in-chart rules
    assert "* Question: Which curve peaks first?\n    * Ground Truth: (b)\n    * Response:  \\boxed{b}\n" in first
    assert "exactly equal in values" in loopback_judge.seen[1]["messages"][0]["content"]  # number rules


def test_unreadable_judge_scores_count_zero_and_are_reported(tmp_path):
    outputs = {"images/0.jpg": r"\boxed{b}", "images/1.jpg": r"\boxed{0.01}"}
    result = metrics(
        scored_records("charxiv", write_charxiv(tmp_path), outputs), ScriptedJudge(lambda prompt, system: "I think 1")
    )
    assert result["reasoning_accuracy"] == 0.0 and result["judge_invalid"] == 2


@pytest.fixture(scope="module")
def judged_records(tmp_path_factory):
    return scored_records(
        "charxiv",
        write_charxiv(tmp_path_factory.mktemp("charxiv")),
        {"images/0.jpg": r"\boxed{b}", "images/1.jpg": "no idea"},
    )


@settings(max_examples=40, deadline=None)
@given(
    reply=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["{", "}", '"score": 1', "Rating: 4", "correct"]))
)
def test_metrics_never_raise_on_any_judge_reply(judged_records, reply):
    result = metrics(judged_records, ScriptedJudge(lambda prompt, system: reply))
    assert result["reasoning_accuracy"] == NEEDS_JUDGE or 0.0 <= result["reasoning_accuracy"] <= 1.0
