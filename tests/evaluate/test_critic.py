"""Critic evaluation end to end on the tiny model, its metrics, and its input errors."""

from __future__ import annotations

import json

import pytest

from critic_r1_ext.evaluate import critic as eval_critic
from critic_r1_ext.evaluate import vl_rewardbench as bench_convert


def test_tiny_model_end_to_end_then_resume(tiny_qwen_dir, vl_rewardbench_file, tmp_path, capsys):
    data = tmp_path / "pairs.parquet"
    bench_convert.convert(vl_rewardbench_file, data)
    out = tmp_path / "eval.jsonl"
    argv = [
        "--model",
        str(tiny_qwen_dir),
        "--data",
        str(data),
        "--output",
        str(out),
        "--backend",
        "hf",
        "--max-new-tokens",
        "8",
    ]
    summary = eval_critic.main(argv)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["RLAIF-V_12", "mathverse_3"]
    assert all(len(r["verdicts"]) == len(r["outputs"]) == 2 for r in records)
    assert set(summary["subsets"]) == {"hallucination", "reasoning"} and "macro_accuracy" in summary
    assert summary["overall"]["rows"] == 2
    capsys.readouterr()
    assert eval_critic.main(argv) == summary
    assert "2 of 2 rows already judged" in capsys.readouterr().out


def test_metrics_count_swap_consistency_and_position_bias():
    def record(label, verdicts):
        picked = [verdicts[0], {"1": "2", "2": "1"}.get(verdicts[1])]
        return {
            "subset": "s",
            "verdicts": verdicts,
            "correct": [p == label for p in picked],
            "consistent": picked[0] is not None and picked[0] == picked[1],
        }

    records = [record("1", ["1", "2"]), record("1", ["1", "1"]), record("2", [None, "1"])]
    m = eval_critic.metrics(records)
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["swap_consistency"] == pytest.approx(1 / 3)
    assert m["position_1_rate"] == pytest.approx(4 / 5)
    assert m["no_verdict_rate"] == pytest.approx(1 / 6)


def test_bad_labels_and_missing_columns_are_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "r1", "query": "q", "response_1": "a", "response_2": "b", "label": "tie"}) + "\n")
    with pytest.raises(ValueError, match="row r1: label must be 1 or 2"):
        eval_critic.read_pairs(str(path), None)
    path.write_text(json.dumps({"id": "r2", "query": "q", "label": "1"}) + "\n")
    with pytest.raises(ValueError, match="row r2: missing"):
        eval_critic.read_pairs(str(path), None)
