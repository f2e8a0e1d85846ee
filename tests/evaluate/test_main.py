"""The one evaluation command end to end on the tiny model (HF backend): files, resume, summary, rescore."""

from __future__ import annotations

import json

import pytest

from critic_r1_ext.evaluate.__main__ import main, parse_args
from critic_r1_ext.evaluate.benchmarks import BENCHMARKS


def test_help_lists_every_benchmark(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert all(f"{name} (" in text for name in BENCHMARKS)


def test_unknown_benchmarks_and_presets_are_refused(capsys):
    with pytest.raises(SystemExit):
        parse_args(["--model", "m", "--output", "o", "--benchmarks", "mmmu,chartqa"])
    assert "unknown benchmark(s) ['chartqa']" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse_args(["--model", "m", "--output", "o", "--preset", "best"])


def test_tiny_model_end_to_end_then_resume_and_rescore(tiny_qwen_dir, benchmark_dirs, tmp_path, capsys):
    out = tmp_path / "run"
    names = ["mmmu", "vl_rewardbench"]
    argv = [
        "--model",
        str(tiny_qwen_dir),
        "--backend",
        "hf",
        "--benchmarks",
        ",".join(names),
        "--output",
        str(out),
        "--limit",
        "2",
        "--max-new-tokens",
        "4",
        "--best-of",
        "2",
        "--preset",
        "paper,ours",
        "--min-pixels",
        "3136",
        "--max-pixels",
        "12544",
    ]
    argv += [arg for name in names for arg in ("--data", f"{name}={benchmark_dirs[name]}")]
    summary = main(argv)
    greedy = [json.loads(line) for line in (out / "mmmu.greedy.jsonl").read_text().splitlines()]
    assert [r["id"] for r in greedy] == ["validation_Art_1", "validation_Math_2"]
    assert all({"prompt_id", "output", "extracted", "correct", "reference"} <= set(r) for r in greedy)
    bon = [json.loads(line) for line in (out / "mmmu.best_of_2.jsonl").read_text().splitlines()]
    assert all(len(r["candidates"]) == 2 and set(r["presets"]) == {"paper", "ours"} for r in bon)
    assert summary["benchmarks"]["mmmu"]["greedy"]["items"] == 2
    assert summary["benchmarks"]["mmmu"]["paper"] == {"base": 53.1, "r1": 57.0, "r1_best_of_128": 66.2}
    assert summary["benchmarks"]["mmmu"]["best_of_n"]["judge_calls_per_item_paper"] == 1
    assert summary["benchmarks"]["vl_rewardbench"]["critic"]["overall"]["rows"] == 2
    markdown = (out / "summary.md").read_text()
    assert "| mmmu | 2 (+0 skipped) |" in markdown and "| 53.1 | 57.0 | 66.2 |" in markdown
    capsys.readouterr()
    assert main(argv) == summary
    assert "2 of 2 items already done" in capsys.readouterr().out
    rescored = main(
        [
            "--rescore",
            "--benchmarks",
            ",".join(names),
            "--output",
            str(out),
            "--best-of",
            "2",
            "--model",
            str(tiny_qwen_dir),
        ]
    )
    assert rescored == summary
