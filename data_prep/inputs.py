"""Stream rows from a local parquet/JSONL file or folder, or from a Hugging Face hub dataset.

Rows come out one at a time with a positional reference (``file:row``) so that any row, even one
that cannot be parsed, can be named in the report. Nothing here holds more than one batch in memory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

SUFFIXES = (".parquet", ".jsonl", ".json")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class InputRow:
    """One input row: ``data`` is the row's fields, or ``None`` with ``error`` set when it could not be read."""

    ref: str
    data: dict | None
    error: str | None = None
    base_dir: Path | None = None


@dataclass
class InputSource:
    """Where rows come from: local ``files`` (read in order) or a hub dataset id."""

    name: str
    files: list[Path]
    hub_id: str | None = None
    hub_config: str | None = None
    hub_split: str = "train"

    def num_rows(self) -> int | None:
        """Total rows when known without reading the data (parquet footers; JSONL line counts)."""
        if self.hub_id:
            return None
        total = 0
        for path in self.files:
            if path.suffix == ".parquet":
                total += pq.ParquetFile(path).metadata.num_rows
            else:
                with path.open("rb") as handle:
                    total += sum(1 for line in handle if line.strip())
        return total

    def rows(self, columns: list[str], batch_size: int) -> Iterator[InputRow]:
        """Every row, restricted to ``columns`` where the format allows (missing columns are simply absent)."""
        if self.hub_id:
            yield from _hub_rows(self.hub_id, self.hub_config, self.hub_split, columns, batch_size)
            return
        for path in self.files:
            ref = path.name if len(self.files) == 1 else str(path)
            reader = _parquet_rows if path.suffix == ".parquet" else _jsonl_rows
            for row in reader(path, columns, batch_size):
                row.ref = f"{ref}:{row.ref}"
                yield row


def open_input(spec: str, hub_config: str | None = None, hub_split: str = "train") -> InputSource:
    """Resolve ``spec``: an existing file or folder wins; otherwise ``owner/name`` is a hub dataset id."""
    path = Path(spec)
    if path.is_file():
        if path.suffix not in SUFFIXES:
            raise ValueError(f"{spec}: unsupported file type {path.suffix!r}; expected one of {SUFFIXES}")
        return InputSource(name=path.stem, files=[path])
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        if not files:
            raise ValueError(f"{spec}: folder has no {'/'.join(SUFFIXES)} files")
        return InputSource(name=path.resolve().name, files=files)
    if _HUB_ID.match(spec):
        return InputSource(name=spec.split("/")[1], files=[], hub_id=spec, hub_config=hub_config, hub_split=hub_split)
    raise FileNotFoundError(f"{spec}: no such file or folder, and not a hub dataset id (owner/name)")


def _parquet_rows(path: Path, columns: list[str], batch_size: int) -> Iterator[InputRow]:
    # Buffered column-chunk reads: memory follows the batch, not the (possibly huge) row group.
    parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    present = [c for c in columns if c in parquet.schema_arrow.names]
    position = 0
    for batch in parquet.iter_batches(batch_size=batch_size, columns=present):
        for data in batch.to_pylist():
            yield InputRow(ref=str(position), data=data, base_dir=path.parent)
            position += 1


def _jsonl_rows(path: Path, columns: list[str], batch_size: int) -> Iterator[InputRow]:
    wanted = set(columns)
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        first = handle.read(1)
        if first == "[":
            raise ValueError(f"{path}: a JSON array, not JSON Lines; write one JSON object per line")
        handle.seek(0)
        position = 0
        for line in handle:
            if not line.strip():
                continue
            ref = str(position)
            position += 1
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                yield InputRow(ref=ref, data=None, error=f"invalid JSON: {err.msg}")
                continue
            if not isinstance(data, dict):
                yield InputRow(ref=ref, data=None, error=f"a JSON {type(data).__name__}, not an object")
                continue
            yield InputRow(ref=ref, data={k: v for k, v in data.items() if k in wanted}, base_dir=path.parent)


def _hub_rows(hub_id: str, config: str | None, split: str, columns: list[str], batch_size: int) -> Iterator[InputRow]:
    """Stream a hub dataset without downloading it whole; images stay encoded bytes (no PIL decode here)."""
    import datasets

    stream = datasets.load_dataset(hub_id, name=config, split=split, streaming=True)
    if stream.features is not None:
        stream = stream.select_columns([c for c in columns if c in stream.features])
    stream = stream.decode(False)
    position = 0
    for batch in stream.iter(batch_size=batch_size):
        keys = list(batch)
        for values in zip(*(batch[k] for k in keys)):
            yield InputRow(ref=f"{split}:{position}", data=dict(zip(keys, values)))
            position += 1
