"""Benchmark files in their hub schemas and layouts (written by the tests, never downloaded) and a scripted backend."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from benchmark_rows import png_bytes


@pytest.fixture
def vl_rewardbench_file(tmp_path):
    """Three rows in the public VL-RewardBench layout, one without a strict preference."""
    rows = [
        {
            "id": "RLAIF-V_12",
            "query": "How many circles?",
            "response": ["Three.", "Two."],
            "human_ranking": [0, 1],
            "image": {"bytes": png_bytes((255, 0, 0)), "path": "a.png"},
        },
        {
            "id": "mathverse_3",
            "query": "What is x?",
            "response": ["x = 2", "x = 5"],
            "human_ranking": [1, 0],
            "image": {"bytes": png_bytes((0, 0, 255)), "path": "b.png"},
        },
        {
            "id": "wildvision-battle_9",
            "query": "Describe it.",
            "response": ["A cat.", "A dog."],
            "human_ranking": [0, 0],
            "image": {"bytes": png_bytes((0, 255, 0)), "path": "c.png"},
        },
    ]
    path = tmp_path / "vlrb.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


@pytest.fixture(scope="session")
def benchmark_dirs(tmp_path_factory):
    """A local copy of every registered benchmark, in its hub schema and layout; {name: path}.

    The rows come from each benchmark's test module (``FIXTURES``, see ``tests/benchmark_rows.py``)."""
    from benchmark_rows import fixture_writers

    root = tmp_path_factory.mktemp("benchmarks")
    return {name: writer(root / name) for name, writer in fixture_writers().items()}


class _ScriptedBackend:
    """Instant backend: each prompt's completions come from ``script(text, n, temperature)``; counts calls."""

    def __init__(self, script):
        self.script, self.calls, self.prompts = script, 0, 0

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        self.calls += 1
        self.prompts += len(requests)
        return [self.script(request.text, n, temperature) for request in requests]


@pytest.fixture
def scripted_backend():
    """The scripted backend class: ``scripted_backend(script)``."""
    return _ScriptedBackend
