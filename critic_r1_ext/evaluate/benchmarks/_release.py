"""Benchmarks published as a repository of files (a JSON table beside media folders), not as a hub table.

MMHal-Bench and MMVU ship that way; their modules read the table from a snapshot of the dataset
repository (``huggingface_hub.snapshot_download``, only the files named) or from a local folder with
the same layout, and give each row the folder as ``_root`` so media paths resolve against it.
"""

from __future__ import annotations

from pathlib import Path

from critic_r1_ext.evaluate.benchmarks.loading import load_rows


def release_rows(benchmark, source: str | None, limit: int | None, table: str, patterns: list[str]):
    """Rows of ``table`` in the snapshot (``patterns``: the files to fetch) or local folder ``source``."""
    if source is None:
        from huggingface_hub import snapshot_download

        source = snapshot_download(benchmark.hub_id, repo_type="dataset", allow_patterns=patterns)
    path = Path(source) / table
    if not path.is_file():
        raise FileNotFoundError(f"{benchmark.name}: {path} not found (expected the hub repository's layout)")
    for row in load_rows(benchmark, str(path), limit):
        yield {**row, "_root": str(source)}
