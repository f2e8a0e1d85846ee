"""A VL-RewardBench file in the public release's layout, shared by the converter and evaluation tests."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image


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
