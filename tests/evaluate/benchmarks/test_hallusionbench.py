"""HallusionBench: hub rows, the authors' yes/no suffix, and aAcc/fAcc/qAcc from the judge and from our box reading."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_fixtures import ScriptedJudge, scored_records

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.hallusionbench import group_accuracies, judge_code, metrics
from critic_r1_ext.evaluate.judge_client import ChatJudge


def _row(category, subcategory, set_id, figure_id, question_id, question, gt, details):
    return {
        "category": category,
        "subcategory": subcategory,
        "visual_input": "1" if figure_id == "0" else "2",
        "set_id": set_id,
        "figure_id": figure_id,
        "sample_note": "note",
        "question_id": question_id,
        "question": question,
        "gt_answer_details": details,
        "gt_answer": gt,
        "filename": f"./hallusion_bench/{category}/{subcategory}/{set_id}_{figure_id}.png",
        "image": image("white"),
    }


def write_hallusionbench(root):
    rows = [
        _row("VD", "illusion", "0", "0", "0", "Is the left circle bigger?", "0", "They are the same size."),
        _row("VD", "illusion", "0", "0", "1", "Are the circles the same size?", "1", "They are the same size."),
        _row("VD", "illusion", "0", "1", "0", "Is the left circle bigger?", "1", "The left circle is bigger."),
        _row("VS", "chart", "3", "1", "0", "Is 2020 the peak year?", "1", "2020 is the peak."),
    ]
    return hub_folder(root, "image", rows)


FIXTURES = {"hallusionbench": write_hallusionbench}


def test_items_follow_the_authors_prompt_and_keep_the_grouping_keys(tmp_path):
    found, _ = items("hallusionbench", str(write_hallusionbench(tmp_path)))
    assert [i.id for i in found] == ["VD_illusion_0_0_0", "VD_illusion_0_0_1", "VD_illusion_0_1_0", "VS_chart_3_1_0"]
    assert found[0].question == "Is the left circle bigger? Answer with 'Yes' or 'No' directly."
    assert (found[0].answer, found[1].answer) == ("No", "Yes")
    assert REGISTRY["hallusionbench"].split == "image"


def test_group_accuracies_follow_the_official_keys():
    def extra(category, figure, question):
        return {"category": category, "subcategory": "s", "set_id": "0", "figure_id": figure, "question_id": question}

    rows = [(extra("VD", "0", "0"), True), (extra("VD", "0", "1"), False), (extra("VD", "1", "0"), True)]
    rows.append((extra("VS", "0", "0"), True))  # a VS question without a figure: no figure group
    assert group_accuracies(rows) == {"aAcc": 3 / 4, "fAcc": 1 / 2, "qAcc": 2 / 3}


def test_judge_replies_read_the_official_way():
    assert [judge_code(t) for t in ("Incorrect.", "correct", "It is unclear", "")] == [0, 1, 2, 2]


def test_without_a_judge_official_metrics_need_one_and_the_box_reading_is_reported(tmp_path):
    source = write_hallusionbench(tmp_path)
    outputs = {
        "VD_illusion_0_0_0": r"<think>same size</think> \boxed{No}",
        "VD_illusion_0_0_1": r"\boxed{yes}",
        "VD_illusion_0_1_0": "Yes",  # no box: wrong for our scorer
        "VS_chart_3_1_0": r"\boxed{Yes, it is}",  # a hedge the strict scorer does not accept
    }
    scored = scored_records("hallusionbench", source, outputs)
    result = metrics(scored)
    assert result["aAcc"] == result["fAcc"] == result["qAcc"] == NEEDS_JUDGE
    assert result["aAcc_rule_based"] == pytest.approx(2 / 4)
    assert result["fAcc_rule_based"] == pytest.approx(1 / 3)  # figure VD_0_0 right; VD_0_1 and VS_3_1 wrong
    assert result["qAcc_rule_based"] == pytest.approx(1 / 3)  # pair (VD, q1) right
    assert [r["correct"] for r in scored] == [True, True, False, False]


def test_judge_path_sends_the_official_prompt_and_scores_its_replies(tmp_path, loopback_judge):
    def reply(prompt, system):
        return "correct" if "Prediction answer:Yes" in prompt or "Prediction answer:No" in prompt else "incorrect"

    url, source = loopback_judge(reply), write_hallusionbench(tmp_path)
    outputs = {
        "VD_illusion_0_0_0": "<think>same</think>No",
        "VD_illusion_0_0_1": "Yes",
        "VD_illusion_0_1_0": "Yes",
        "VS_chart_3_1_0": "Maybe",
    }
    result = metrics(scored_records("hallusionbench", source, outputs), ChatJudge(url, "judge", retries=0))
    assert (result["aAcc"], result["fAcc"], result["qAcc"]) == (
        pytest.approx(3 / 4),
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
    )
    sent = loopback_judge.seen[0]["messages"][0]["content"]
    assert sent.startswith("Imagine you are an intelligent teacher.")
    assert (
        "Question:Is the left circle bigger?\nReference answer: They are the same size.\nPrediction answer:No" in sent
    )
    scripted = ScriptedJudge(lambda prompt, system: "unclear")
    unclear = metrics(scored_records("hallusionbench", source, outputs), scripted)
    assert unclear["aAcc"] == 0 and len(scripted.requests) == 4


@pytest.fixture(scope="module")
def judged_records(tmp_path_factory):
    return scored_records(
        "hallusionbench",
        write_hallusionbench(tmp_path_factory.mktemp("hallusionbench")),
        {"VD_illusion_0_0_0": "No", "VD_illusion_0_1_0": "Yes"},
    )


@settings(max_examples=40, deadline=None)
@given(
    reply=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["{", "}", '"score": 1', "Rating: 4", "correct"]))
)
def test_metrics_never_raise_on_any_judge_reply(judged_records, reply):
    result = metrics(judged_records, ScriptedJudge(lambda prompt, system: reply))
    assert result["aAcc"] == NEEDS_JUDGE or 0.0 <= result["aAcc"] <= 1.0
