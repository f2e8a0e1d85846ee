"""The preferences command: its defaults are the README's, and bad input stops it with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from critic_r1_ext.preferences.__main__ import DEFAULT_MARGIN, DEFAULT_STRATEGY, main, parse_args


def cli(prompts_file, out, *extra):
    return ["--input", str(prompts_file), "--out", str(out), *extra]


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


def test_the_console_script_runs_this_main():
    import importlib
    import re

    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    target = re.search(r'^critic-r1-preferences = "([\w.]+):(\w+)"$', pyproject, re.M)
    assert getattr(importlib.import_module(target.group(1)), target.group(2)) is main
