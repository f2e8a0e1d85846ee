"""MMHal-Bench: the hub repository's layout, the question alone, and the official GPT-4 rating (0-6)."""

from __future__ import annotations

import json

import pytest
from benchmark_rows import image
from hypothesis import given, settings
from hypothesis import strategies as st
from judge_fixtures import ScriptedJudge, scored_records

from critic_r1_ext.evaluate.__main__ import main
from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.mmhal import metrics, rating
from critic_r1_ext.evaluate.judge_client import ChatJudge


def write_mmhal(root):
    (root / "images").mkdir(parents=True)
    rows = []
    for number, (kind, question, answer) in enumerate(
        [
            ("attribute", "What color is the bus?", "The bus is red."),
            ("counting", "How many cats are there?", "There are two cats."),
        ]
    ):
        name = f"{number}_abc_o.jpg"
        image("white").save(root / "images" / name)
        rows.append(
            {
                "question_type": kind,
                "question_topic": "vehicle",
                "image_id": f"id{number}",
                "image_src": f"https://farm1.staticflickr.com/1/{name}",
                "image_content": ["Bus", "Cat"],
                "question": question,
                "gt_answer": answer,
                "model_answer": "",
            }
        )
    (root / "response_template.json").write_text(json.dumps(rows))
    return root


FIXTURES = {"mmhal": write_mmhal}


def test_items_send_the_question_with_the_image_file_of_image_src(tmp_path):
    found, _ = items("mmhal", str(write_mmhal(tmp_path)))
    assert [(i.id, i.question, i.images) for i in found] == [
        ("0", "What color is the bus?", [str(tmp_path / "images" / "0_abc_o.jpg")]),
        ("1", "How many cats are there?", [str(tmp_path / "images" / "1_abc_o.jpg")]),
    ]
    assert REGISTRY["mmhal"].hub_id == "Shengcao1006/MMHal-Bench"


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        ("The response is accurate.\nRating: 6, very informative", 6),
        ("rating: 2", 2),
        ("Rating: 3 or Rating: 4", None),  # several ratings
        ("no rating given", None),
        ("Rating: 7", None),
        ("", None),
    ],
)
def test_rating_reading(reply, value):
    assert rating(reply) == value


def test_without_a_judge_score_and_hallucination_rate_need_one(tmp_path):
    source = write_mmhal(tmp_path)
    result = metrics(scored_records("mmhal", source, {"0": "Red.", "1": "Two."}))
    assert result == {"score_over_6": NEEDS_JUDGE, "score": NEEDS_JUDGE, "hallucination_rate": NEEDS_JUDGE}


def test_judge_gets_mmhal_template_and_ratings_are_averaged(tmp_path, loopback_judge):
    source = write_mmhal(tmp_path)
    url = loopback_judge(
        lambda prompt, system: "Rating: 5" if "red" in prompt.lower().split("evaluate\n")[-1] else "Rating: 1"
    )
    outputs = {"0": r"<think>looks red</think> The bus is \boxed{red}.", "1": "There are three cats."}
    result = metrics(scored_records("mmhal", source, outputs), ChatJudge(url, "judge", retries=0))
    assert result["score"] == pytest.approx(3.0) and result["score_over_6"] == pytest.approx(0.5)
    assert result["hallucination_rate"] == pytest.approx(1 / 2)
    assert result["per_question_type"] == {"attribute": 5.0, "counting": 1.0}
    sent = loopback_judge.seen[0]["messages"][0]["content"]
    assert sent.startswith("Please act as an impartial and objective judge")
    assert sent.endswith(
        "### Image Contents\nBus, Cat\n\n### Question\nWhat color is the bus?\n\n"
        "### Standard Human-Generated Answer\nThe bus is red.\n\n### LMM Response to Evaluate\n"
        " The bus is \\boxed{red}.\n"
    )
    unreadable = metrics(scored_records("mmhal", source, outputs), ScriptedJudge(lambda prompt, system: "good"))
    assert unreadable["score"] == 0 and unreadable["unreadable_ratings"] == 2
    failed = metrics(scored_records("mmhal", source, outputs), ScriptedJudge(lambda prompt, system: None))
    assert failed["score"] == NEEDS_JUDGE and failed["judge_failures"] == 2


@pytest.fixture(scope="module")
def judged_records(tmp_path_factory):
    return scored_records("mmhal", write_mmhal(tmp_path_factory.mktemp("mmhal")), {"0": "Red.", "1": "Two."})


@settings(max_examples=40, deadline=None)
@given(
    reply=st.one_of(st.none(), st.text(max_size=80), st.sampled_from(["{", "}", '"score": 1', "Rating: 4", "correct"]))
)
def test_metrics_never_raise_on_any_judge_reply(judged_records, reply):
    result = metrics(judged_records, ScriptedJudge(lambda prompt, system: reply))
    assert result["score_over_6"] == NEEDS_JUDGE or 0.0 <= result["score_over_6"] <= 1.0


def test_the_command_sends_mmhal_outputs_to_the_judge_server(tiny_qwen_dir, tmp_path, loopback_judge):
    """The tiny model answers two rows; ``--judge-url`` rates them and the summary shows the official values."""
    url = loopback_judge(lambda prompt, system: "Rating: 4")
    out = tmp_path / "run"
    argv = ["--model", str(tiny_qwen_dir), "--backend", "hf", "--benchmarks", "mmhal", "--output", str(out)]
    argv += ["--data", f"mmhal={write_mmhal(tmp_path / 'data')}", "--limit", "2", "--max-new-tokens", "2"]
    summary = main([*argv, "--judge-url", url, "--judge-model", "gpt-4-0314"])
    official = summary["benchmarks"]["mmhal"]["official"]
    assert (official["score"], official["score_over_6"], official["hallucination_rate"]) == (4.0, 4 / 6, 0.0)
    assert [body["model"] for body in loopback_judge.seen] == ["gpt-4-0314"] * 2
    assert len((out / "judge_cache.jsonl").read_text().splitlines()) == 2
    unjudged = main([*argv, "--rescore"])["benchmarks"]["mmhal"]["official"]
    assert unjudged["score"] == NEEDS_JUDGE
