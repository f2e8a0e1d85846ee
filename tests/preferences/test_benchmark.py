"""benchmarks/preferences.py: its simulation runs, spends the budget formula, and margin buys precision."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "preferences.py"


def load():
    spec = importlib.util.spec_from_file_location("preferences_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_prints_every_strategy_for_every_setting(capsys):
    bench = load()
    bench.main(["--n", "4", "--prompts", "20", "--seeds", "2"])
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.strip() and line.split()[0][0] == "0"]
    assert len(rows) == len(bench.SETTINGS) * len(bench.VARIANTS)
    assert {row[2] for row in rows} == {"best_vs_worst", "agree", "round_robin"}
    assert {row[3] for row in rows if row[2] == "best_vs_worst"} == {"6"}  # calls per prompt, 2 (N - 1)


def test_a_margin_buys_precision_and_a_perfect_critic_is_always_right():
    bench = load()
    noisy = [bench.simulate("round_robin", m, 8, 200, 0.75, 0.15, seed=0) for m in (0, 2, 4)]
    precision = [r["correct"] / r["pairs"] for r in noisy]
    assert precision[0] < precision[1] < precision[2]
    assert noisy[0]["pairs"] > noisy[1]["pairs"] > noisy[2]["pairs"]
    for strategy in ("best_vs_worst", "agree"):
        perfect = bench.simulate(strategy, 0, 8, 50, 1.0, 0.0, seed=1)
        assert perfect["correct"] == perfect["pairs"] > 0
