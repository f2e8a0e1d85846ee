"""The VL-RewardBench converter: our row format, subsets, counted skips."""

from __future__ import annotations

import pyarrow.parquet as pq

from critic_r1_ext.evaluate import critic as eval_critic
from critic_r1_ext.evaluate import vl_rewardbench as bench_convert


def test_converter_writes_our_format_and_counts_skips(vl_rewardbench_file, tmp_path):
    counts = bench_convert.main([str(vl_rewardbench_file), str(tmp_path / "conv" / "pairs.jsonl")])
    assert counts == {"written": 2, "skipped_no_strict_preference": 1}
    rows = eval_critic.read_pairs(str(tmp_path / "conv" / "pairs.jsonl"), None)
    assert [(r["id"], r["label"], r["subset"]) for r in rows] == [
        ("RLAIF-V_12", "1", "hallucination"),
        ("mathverse_3", "2", "reasoning"),
    ]
    assert (tmp_path / "conv" / rows[0]["images"][0]).exists()
    bench_convert.main([str(vl_rewardbench_file), str(tmp_path / "pairs.parquet")])
    source_rows = pq.read_table(vl_rewardbench_file).to_pylist()
    assert (
        eval_critic.read_pairs(str(tmp_path / "pairs.parquet"), None)[1]["images"][0]["bytes"]
        == source_rows[1]["image"]["bytes"]
    )
    assert bench_convert.subset_of("wildvision-battle_9") == ("general", "wildvision")
    assert bench_convert.subset_of("hallucination_pair-77") == ("hallucination", "hallucination")
