"""self_critic end to end: the tiny real model on the HF backend, resume, and the merge path with a scripted model."""

from __future__ import annotations

import json
import re

import pytest
from PIL import Image

from critic_r1_ext.self_critic import __main__ as self_critic
from critic_r1_ext.self_critic.scaling_plot import scaling_curves

TINY = ["--backend", "hf", "--n", "4", "--max-new-tokens", "8", "--judge-max-new-tokens", "8", "--batch-size", "4"]


@pytest.fixture
def question_file(tmp_path):
    Image.new("RGB", (56, 56), (255, 0, 0)).save(tmp_path / "red.png")
    Image.new("RGB", (64, 48), (0, 0, 255)).save(tmp_path / "blue.png")
    rows = [
        {"id": "q1", "question": "How many red circles are in the image?", "images": ["red.png"], "answer": "3"},
        {"id": "q2", "question": "<image> What color is it?", "images": [{"path": str(tmp_path / "blue.png")}]},
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_tiny_model_end_to_end_then_resume(tiny_qwen_dir, question_file, tmp_path, capsys):
    out = tmp_path / "out" / "sc.jsonl"
    argv = [
        "--model",
        str(tiny_qwen_dir),
        "--data",
        str(question_file),
        "--output",
        str(out),
        "--plot",
        str(tmp_path / "scaling.png"),
        *TINY,
    ]
    summary = self_critic.main(argv)

    records = read_jsonl(out)
    assert [r["id"] for r in records] == ["q1", "q2"]
    for record in records:
        assert len(record["candidates"]) == 4
        assert record["judge_calls"] == sum(len(c["pairs"]) for c in record["comparisons"])
        assert record["winner"] in range(4)
        assert [p["n"] for p in record["scaling"]] == [1, 2, 4]
        assert record["scaling"][-1]["self_critic"] == record["winner"]
    assert set(records[0]["correct"]) == {"greedy", "first", "majority", "self_critic"}
    assert all(isinstance(r["greedy"]["text"], str) for r in records)
    assert set(summary["accuracy"]) == {"greedy", "first", "majority", "self_critic"}
    assert records[1]["correct"] is None  # no reference answer
    assert summary["questions"] == 2 and summary["graded"] == 1
    assert json.loads(out.with_suffix(".summary.json").read_text()) == summary
    assert (tmp_path / "scaling.png").read_bytes()[:4] == b"\x89PNG"

    before = out.read_text()
    capsys.readouterr()
    self_critic.main(argv)
    assert out.read_text() == before
    assert "2 of 2 questions already done" in capsys.readouterr().out

    out.write_text(before.splitlines()[0] + "\n" + '{"id": "q2", "candid')  # a run killed mid-write
    self_critic.main(argv)
    assert [r["id"] for r in read_jsonl(out)] == ["q1", "q2"]
    assert out.read_text().splitlines()[0] == before.splitlines()[0]

    with pytest.raises(SystemExit, match="other settings"):
        self_critic.main([*argv, "--no-merge"])


def test_bad_rows_are_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "x7", "images": []}) + "\n")
    with pytest.raises(ValueError, match="row x7: 'question'"):
        self_critic.read_questions(str(path), None)


class ScriptedModel:
    """A stand-in policy and judge: fixed candidate answers; the judge prefers the box holding ``favourite``."""

    def __init__(self, answers, favourite):
        self.answers, self.favourite, self.judge_prompts = answers, favourite, []

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        if temperature > 0:
            return [
                [f"<think>try {k}</think> \\boxed{{{a}}}" for k, a in enumerate(self.answers[:n])] for _ in requests
            ]
        if all("Answer 1" not in r.text for r in requests):  # the greedy single answer
            return [["<think>greedy</think> \\boxed{9}"] for _ in requests]
        self.judge_prompts += [r.text for r in requests]
        first = [
            re.search(r"Answer 1(?:\]\n|: )(.*?)\n(?:\[End of|\nAnswer 2)", r.text, re.S).group(1) for r in requests
        ]
        return [[f"<think>ok</think> \\boxed{{{1 if '{' + self.favourite + '}' in f else 2}}}"] for f in first]


def test_merged_both_orders_selection_with_a_scripted_model():
    answers = ["7", "42", "7", "9", "42", "7", "7", "42"]
    model = ScriptedModel(answers, favourite="42")
    args = self_critic.parse_args(["--model", "m", "--data", "d", "--n", "8"])
    question = {"id": "q", "question": "What is it?", "images": [], "answer": "\\boxed{42}"}
    record = self_critic.solve(model, [question], [[]], args)[0]

    assert record["distinct_answers"] == 3
    assert record["winner_answer"] == "42" and record["correct"] == {
        "greedy": False,
        "first": False,
        "majority": False,
        "self_critic": True,
    }
    assert answers[record["majority"]] == "7"
    # 42 (3) vs 9 (1): one look in both orders; 7 (4) vs 42: two looks settle it.
    assert record["judge_calls"] == 6
    assert all(c["votes"][0] != c["votes"][1] for c in record["comparisons"])
    assert len(model.judge_prompts) == record["model_judge_calls"] == len(set(model.judge_prompts))
    assert all(p.startswith(" You are a highly capable multimodal AI assistant") for p in model.judge_prompts)
    assert record["greedy"] == {"text": "<think>greedy</think> \\boxed{9}", "answer": "9"}

    project = self_critic.parse_args(["--model", "m", "--data", "d", "--n", "8", "--judge-prompt", "project"])
    scripted = ScriptedModel(answers, favourite="42")
    assert self_critic.solve(scripted, [question], [[]], project)[0]["winner_answer"] == "42"
    assert all("Which answer is better?" in p for p in scripted.judge_prompts)

    plain = self_critic.parse_args(["--model", "m", "--data", "d", "--n", "8", "--no-merge", "--no-both-orders"])
    assert self_critic.solve(ScriptedModel(answers, "42"), [question], [[]], plain)[0]["judge_calls"] == 7

    curves = scaling_curves([record])
    assert curves["n"] == [1, 2, 4, 8] and curves["self_critic"][-1] == 1.0 and curves["first"][0] == 0.0
