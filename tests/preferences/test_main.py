"""The preferences command: the tiny Qwen2.5-VL on the HF backend spends the printed budget, the default
strategy is the README's, and bad input stops with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from critic_r1_ext.preferences.__main__ import DEFAULT_MARGIN, DEFAULT_STRATEGY, main, parse_args


def cli(prompts_file, out, *extra):
    return ["--input", str(prompts_file), "--out", str(out), *extra]


def budget_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("judge budget:"))


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_tiny_model_on_the_hf_backend_spends_exactly_the_printed_budget(prompts_file, tiny_qwen_dir, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["--policy", str(tiny_qwen_dir), "--backend", "hf", "--n", "3", "--strategy", "agree"]
    code = main(cli(prompts_file, out, *argv, "--max-new-tokens", "6", "--judge-max-new-tokens", "6"))
    assert code == 0
    printed = budget_line(capsys.readouterr().out)
    assert printed.startswith("judge budget: 3 prompts x 6 calls (agree, N=3) = 18 judge calls;")
    assert printed.endswith("0 already in " + str(out / "round_1" / "judgments.jsonl") + ", 18 to make")
    judgments = jsonl(out / "round_1" / "judgments.jsonl")
    assert len(judgments) == 18 and len({j["id"] for j in judgments}) == 18
    manifest = json.loads((out / "round_1" / "manifest.json").read_text())
    assert manifest["judge_calls"] == {"budget": 18, "reused": 0, "made": 18}
    assert manifest["judged_pairs"] == 9 and sum(manifest["decisions"].values()) == 9
    samples = jsonl(out / "round_1" / "samples.jsonl")
    assert [len(s["answers"]) for s in samples] == [3, 3, 3]


def test_the_default_strategy_is_the_one_the_readme_recommends():
    args = parse_args(["--input", "x.jsonl", "--policy", "p"])
    assert (args.strategy, args.margin, args.judge_prompt) == (DEFAULT_STRATEGY, DEFAULT_MARGIN, "authors")
    assert args.critic == "p"
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert f"--strategy {DEFAULT_STRATEGY} --margin {DEFAULT_MARGIN}" in readme


def _rows(tmp_path, rows, name="prompts.jsonl"):
    path = tmp_path / name
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


GOOD = {"id": "a", "question": "What is shown?", "image": {"bytes": None, "path": "img.png"}}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{**GOOD, "question": " "}], "prompts.jsonl:0: column 'question' must be a non-empty string"),
        ([{**GOOD, "image": None}], "prompts.jsonl:0: no image in column 'image'"),
        ([{**GOOD, "image": "missing.png"}], "prompts.jsonl:0: image_unreadable: missing.png"),
        ([GOOD, GOOD], "prompts.jsonl:1: duplicate id 'a'"),
        ([GOOD, "{not json"], "prompts.jsonl:1: invalid JSON"),
        ([{**GOOD, "image": "corrupt.png"}], "prompts.jsonl:0: image_corrupt"),
    ],
)
def test_bad_input_stops_with_one_line_naming_the_row(tmp_path, capsys, rows, message):
    Image.new("RGB", (56, 56), (1, 2, 3)).save(tmp_path / "img.png")
    (tmp_path / "corrupt.png").write_bytes((tmp_path / "img.png").read_bytes()[:40])
    path = _rows(tmp_path, rows)
    assert main(cli(path, tmp_path / "run", "--policy", "never-loaded", "--backend", "hf")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("preferences: error: ") and message in err


def test_missing_input_and_changed_settings_are_one_line_errors(prompts_file, tmp_path, capsys, scripted_run):
    assert main(cli(tmp_path / "nope.jsonl", tmp_path / "run", "--policy", "p", "--backend", "hf")) == 1
    assert capsys.readouterr().err.strip().endswith("nope.jsonl: no such file or folder")
    scripted_run(prompts_file, tmp_path / "run", "--n", "3")
    capsys.readouterr()
    assert main(cli(prompts_file, tmp_path / "run", "--policy", "policy", "--n", "4", "--backend", "hf")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "samples.jsonl was made with other settings" in err
