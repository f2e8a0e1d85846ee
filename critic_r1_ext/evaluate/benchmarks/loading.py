"""Reading a benchmark's rows: from the hub by id, or streamed from a local copy (no cache copy).

A local copy is a folder with the hub repository's layout (``data/<split>-*.parquet``, or
``<config>/<split>-*.parquet`` for a benchmark with several configs) or one
``.parquet``/``.jsonl``/``.json`` file. Images, also in list columns, stay encoded
(``{"bytes", "path"}``) until an item is prepared. Rows of a benchmark with configs carry their
config under the key ``_config``.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path


def _split_files(folder: Path, split: str) -> list[str]:
    """The parquet files of ``split`` in a hub-layout folder (``<split>-*.parquet`` in it or in its ``data/``)."""
    for where in (folder / "data", folder):
        files = sorted(str(f) for f in where.glob(f"{split}-*.parquet"))
        if files:
            return files
    return []


def _local(source: str, split: str):
    """A local copy, streamed. A folder's files are given to ``datasets`` under the benchmark's own split
    name: its folder inference would read "val-*" files as a "validation" split and then find no "val"."""
    from datasets import load_dataset

    path = Path(source)
    if path.is_dir():
        files = _split_files(path, split)
        if files:
            return load_dataset("parquet", data_files={split: files}, split=split, streaming=True)
        return load_dataset(str(path), split=split, streaming=True)
    kind = {".parquet": "parquet", ".jsonl": "json", ".json": "json"}.get(path.suffix)
    if kind is None:
        raise ValueError(f"{source}: unsupported file type (use a hub-layout folder, .parquet, .jsonl or .json)")
    return load_dataset(kind, data_files=str(path), split="train", streaming=True)


def _undecoded(rows):
    """``rows`` as a stream whose media (images, also inside lists, and videos) stay encoded as
    ``{"bytes", "path"}``: a hub dataset is streamed from its cached files, nothing is rewritten."""
    from datasets import Dataset

    rows = rows.to_iterable_dataset() if isinstance(rows, Dataset) else rows
    # a streamed JSON table has no known features (datasets 5 refuses decode() then) and no media to keep encoded
    return rows if rows.features is None else rows.decode(False)


def _config_rows(benchmark, config, source):
    from datasets import load_dataset

    if source is None:
        return _undecoded(load_dataset(benchmark.hub_id, config, split=benchmark.split))
    path = Path(source)
    if config is not None and len(benchmark.configs) > 1:
        if not (path / config).is_dir():
            raise FileNotFoundError(f"{benchmark.name}: config {config!r} not found in {source} (expected {config}/)")
        path = path / config
    elif not path.exists():
        raise FileNotFoundError(f"{benchmark.name}: data not found: {source}")
    return _undecoded(_local(str(path), benchmark.split))


def load_rows(benchmark, source: str | None = None, limit: int | None = None):
    """The benchmark's rows, config after config (``limit``: the first rows of each config), as dicts."""
    for config in benchmark.configs:
        rows = _config_rows(benchmark, config, source)
        for row in islice(rows, limit):
            yield {**row, "_config": config} if config is not None else dict(row)
