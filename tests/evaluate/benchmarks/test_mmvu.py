"""MMVU: the public release's layout, the authors' prompt, 32 video frames, and the official GPT-4o judge."""

from __future__ import annotations

import json

import pytest
from benchmark_rows import video_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_fixtures import ScriptedJudge, scored_records

from critic_r1_ext.common.video import load_video
from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.mmvu import JUDGE_SYSTEM, judge_correct, metrics
from critic_r1_ext.evaluate.judge_client import ChatJudge

HUB = "https://huggingface.co/datasets/yale-nlp/MMVU/resolve/main/videos"


def _row(number, subject, question_type, question, choices, answer):
    return {
        "id": f"validation_{number}",
        "video": f"{HUB}/{subject}/{number}.mp4",
        "youtube_url": "https://www.youtube.com/watch?v=x",
        "question_type": question_type,
        "metadata": {"subject": subject, "textbook": "t", "rationale": "r", "knowledge": []},
        "question": question,
        "choices": choices,
        "answer": answer,
    }


def write_mmvu(root):
    blank = dict.fromkeys("ABCDE", "")
    rows = [
        _row(0, "Art", "open-ended", "Which cinematic shooting technique is shown in the video?", blank, "Dolly Zoom"),
        _row(
            1,
            "Chemistry",
            "multiple-choice",
            "What gas is released?",
            {"A": "Oxygen", "B": "Hydrogen", "C": "Chlorine", "D": "Nitrogen", "E": "Helium"},
            "B",
        ),
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "validation.json").write_text(json.dumps(rows))
    for row, frames in zip(rows, (12, 8)):
        path = root / "videos" / row["video"].split("videos/")[-1]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(video_bytes(frames))
    return root


FIXTURES = {"mmvu": write_mmvu}


def test_items_follow_the_authors_prompt_with_the_video_first(tmp_path):
    found, _ = items("mmvu", str(write_mmvu(tmp_path)))
    open_item, choice_item = found
    assert open_item.question == "Which cinematic shooting technique is shown in the video?"
    assert (open_item.kind, open_item.answer, open_item.images) == ("text", "Dolly Zoom", [])
    assert choice_item.question == (
        "What gas is released? Options:\nA. Oxygen\nB. Hydrogen\nC. Chlorine\nD. Nitrogen\nE. Helium"
    )
    assert (choice_item.kind, choice_item.answer) == ("choice", "B")
    assert choice_item.videos == [str(tmp_path / "videos" / "Chemistry" / "1.mp4")]
    assert choice_item.reference()["extra"]["discipline"] == "Science"
    assert REGISTRY["mmvu"].video_frames == 32


def test_the_video_becomes_32_evenly_spaced_frames(tmp_path):
    found, _ = items("mmvu", str(write_mmvu(tmp_path)))
    frames = load_video(found[0].videos[0], REGISTRY["mmvu"].video_frames, "mmvu: row 0", tmp_path)
    assert len(frames) == 32
    levels = [frame.getpixel((16, 16))[0] for frame in frames]
    assert levels[0] < 10 and levels[-1] > 180 and levels == sorted(levels)


def test_a_missing_table_is_a_one_line_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="validation.json not found"):
        items("mmvu", str(tmp_path))


@pytest.mark.parametrize(
    ("reply", "right"),
    [
        ('{"extracted_answer": "B", "correct": true}', True),
        ('{"extracted_answer": "B", "correct": "True"}', True),
        ('{"extracted_answer": "A", "correct": false}', False),
        ("correct", False),
        ("{broken", False),
    ],
)
def test_judge_reply_reading(reply, right):
    assert judge_correct(reply) is right


def test_without_a_judge_accuracy_needs_one(tmp_path):
    source = write_mmvu(tmp_path)
    outputs = {"validation_0": r"\boxed{dolly zoom}", "validation_1": r"<think>H2</think> \boxed{Hydrogen}"}
    scored = scored_records("mmvu", source, outputs)
    assert metrics(scored) == {"accuracy": NEEDS_JUDGE, "accuracy_rule_based": 1.0}
    assert [r["correct"] for r in scored] == [True, True]


def test_judge_gets_the_official_messages_per_question_type(tmp_path, loopback_judge):
    source = write_mmvu(tmp_path)
    url = loopback_judge(lambda prompt, system: json.dumps({"extracted_answer": "x", "correct": "Hydrogen" in prompt}))
    outputs = {"validation_0": "<think>zoom</think> It is a pan.", "validation_1": r"\boxed{B}, Hydrogen"}
    result = metrics(scored_records("mmvu", source, outputs), ChatJudge(url, "judge", retries=0))
    assert result["accuracy"] == pytest.approx(1 / 2)
    assert result["per_discipline"] == {"Humanities_and_Social_Science": 0.0, "Science": 1.0}
    open_request, choice_request = (body["messages"] for body in loopback_judge.seen)
    assert open_request[0] == {"role": "system", "content": JUDGE_SYSTEM["open-ended"]}
    assert open_request[1]["content"] == (
        "Question: Which cinematic shooting technique is shown in the video?\n\n"
        "Ground Truth Answer: Dolly Zoom\n\nModel Response to the Question:  It is a pan."
    )
    assert "\n\nOptions:\nA: Oxygen\nB: Hydrogen\n" in choice_request[1]["content"]
    assert "Ground Truth Answer: B\n" in choice_request[1]["content"]
    silent = metrics(scored_records("mmvu", source, outputs), ScriptedJudge(lambda prompt, system: None))
    assert silent == {"accuracy": NEEDS_JUDGE, "judge_failures": 2, "accuracy_rule_based": 0.5}


@pytest.fixture(scope="module")
def judged_records(tmp_path_factory):
    return scored_records(
        "mmvu",
        write_mmvu(tmp_path_factory.mktemp("mmvu")),
        {"validation_0": "It is a pan.", "validation_1": r"\boxed{B}"},
    )


@settings(max_examples=40, deadline=None)
@given(
    reply=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["{", "}", '"score": 1', "Rating: 4", "correct"]))
)
def test_metrics_never_raise_on_any_judge_reply(judged_records, reply):
    result = metrics(judged_records, ScriptedJudge(lambda prompt, system: reply))
    assert result["accuracy"] == NEEDS_JUDGE or 0.0 <= result["accuracy"] <= 1.0
