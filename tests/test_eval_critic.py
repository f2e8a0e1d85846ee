"""eval_critic end to end on the tiny model, its metrics, and the VL-RewardBench converter."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from critic_r1_ext import bench_convert, eval_critic


def png_bytes(color):
    buffer = io.BytesIO()
    Image.new("RGB", (56, 56), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def vl_rewardbench_file(tmp_path):
    """Three rows in the public VL-RewardBench layout, one without a strict preference."""
    rows = [
        {"id": "RLAIF-V_12", "query": "How many circles?", "response": ["Three.", "Two."], "human_ranking": [0, 1],
         "image": {"bytes": png_bytes((255, 0, 0)), "path": "a.png"}},
        {"id": "mathverse_3", "query": "What is x?", "response": ["x = 2", "x = 5"], "human_ranking": [1, 0],
         "image": {"bytes": png_bytes((0, 0, 255)), "path": "b.png"}},
        {"id": "wildvision-battle_9", "query": "Describe it.", "response": ["A cat.", "A dog."],
         "human_ranking": [0, 0], "image": {"bytes": png_bytes((0, 255, 0)), "path": "c.png"}},
    ]
    path = tmp_path / "vlrb.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_converter_writes_our_format_and_counts_skips(vl_rewardbench_file, tmp_path):
    counts = bench_convert.main([str(vl_rewardbench_file), str(tmp_path / "conv" / "pairs.jsonl")])
    assert counts == {"written": 2, "skipped_no_strict_preference": 1}
    rows = eval_critic.read_pairs(str(tmp_path / "conv" / "pairs.jsonl"), None)
    assert [(r["id"], r["label"], r["subset"]) for r in rows] == [
        ("RLAIF-V_12", "1", "hallucination"), ("mathverse_3", "2", "reasoning")]
    assert (tmp_path / "conv" / rows[0]["images"][0]).exists()
    bench_convert.main([str(vl_rewardbench_file), str(tmp_path / "pairs.parquet")])
    assert eval_critic.read_pairs(str(tmp_path / "pairs.parquet"), None)[1]["images"][0]["bytes"] == png_bytes((0, 0, 255))
    assert bench_convert.subset_of("wildvision-battle_9") == ("general", "wildvision")


def test_tiny_model_end_to_end_then_resume(tiny_qwen_dir, vl_rewardbench_file, tmp_path, capsys):
    data = tmp_path / "pairs.parquet"
    bench_convert.convert(vl_rewardbench_file, data)
    out = tmp_path / "eval.jsonl"
    argv = ["--model", str(tiny_qwen_dir), "--data", str(data), "--output", str(out), "--backend", "hf",
            "--max-new-tokens", "8"]
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
        return {"subset": "s", "verdicts": verdicts, "correct": [p == label for p in picked],
                "consistent": picked[0] is not None and picked[0] == picked[1]}

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
