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

import pyarrow as pa
import pyarrow.parquet as pq

from data_prep.errors import DataPrepError

SUFFIXES = (".parquet", ".jsonl", ".json")
# Extensions that mark a path as a local file even when it does not exist (never a hub dataset id).
_FILE_EXTENSIONS = frozenset({*SUFFIXES, ".csv", ".tsv", ".arrow", ".txt", ".gz", ".zip", ".tar", ".zst", ".bz2"})
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass
class InputRow:
    """One input row: ``data`` is the row's fields, or ``None`` with ``error`` and the report's skip ``reason``."""

    ref: str
    data: dict | None
    error: str | None = None
    base_dir: Path | None = None
    reason: str = "unreadable_row"


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
                total += _parquet_file(path).metadata.num_rows
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
    """Resolve ``spec``: an existing file or folder wins; a path that looks local is never a hub dataset id.

    Every local parquet file's footer is read here, so a truncated or empty file stops the run before
    any work, with its name.
    """
    path = Path(spec)
    if path.is_file():
        if path.suffix not in SUFFIXES:
            raise DataPrepError(f"{spec}: unsupported file type {path.suffix!r}; expected one of {SUFFIXES}")
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        if not files:
            raise DataPrepError(f"{spec}: folder has no {'/'.join(SUFFIXES)} files")
    elif looks_local(spec):
        raise DataPrepError(f"{spec}: no such file or folder")
    elif _HUB_ID.match(spec):
        return InputSource(name=spec.split("/")[1], files=[], hub_id=spec, hub_config=hub_config, hub_split=hub_split)
    else:
        raise DataPrepError(f"{spec}: no such file or folder, and not a hub dataset id (owner/name)")
    for file in files:
        if file.suffix == ".parquet":
            _parquet_file(file)
    return InputSource(name=path.stem if path.is_file() else path.resolve().name, files=files)


def looks_local(spec: str) -> bool:
    """A file extension, a leading ``.`` or ``/``, or an existing parent folder: a local path, not a hub id."""
    path = Path(spec)
    if spec.startswith((".", "/", "~")) or path.suffix.lower() in _FILE_EXTENSIONS:
        return True
    return path.parent != Path(".") and path.parent.is_dir()


def _parquet_file(path: Path) -> pq.ParquetFile:
    """The open parquet file, or a one-line error naming it (empty, truncated, not parquet)."""
    if path.stat().st_size == 0:
        raise DataPrepError(f"{path}: empty file (0 bytes), not a parquet file")
    try:
        # Buffered column-chunk reads: memory follows the batch, not the (possibly huge) row group.
        return pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    except (pa.ArrowException, OSError) as err:
        raise DataPrepError(f"{path}: not a readable parquet file, truncated or corrupt ({err})") from None


def _parquet_rows(path: Path, columns: list[str], batch_size: int) -> Iterator[InputRow]:
    parquet = _parquet_file(path)
    present = [c for c in columns if c in parquet.schema_arrow.names]
    position = 0
    batches = parquet.iter_batches(batch_size=batch_size, columns=present)
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowException, OSError) as err:
            raise DataPrepError(f"{path}: corrupt data after row {position} ({err})") from None
        if batch is None:
            return
        for data in batch.to_pylist():
            yield InputRow(ref=str(position), data=data, base_dir=path.parent)
            position += 1


def _jsonl_rows(path: Path, columns: list[str], batch_size: int) -> Iterator[InputRow]:
    wanted = set(columns)
    with path.open("rb") as handle:
        if handle.read(1) == b"[":
            raise DataPrepError(f"{path}: a JSON array, not JSON Lines; write one JSON object per line")
        handle.seek(0)
        position = 0
        for raw in handle:
            if not raw.strip():
                continue
            ref = str(position)
            position += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputRow(ref=ref, data=None, error=f"not UTF-8 at byte {err.start}", reason="bad_utf8")
                continue
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
        for values in zip(*(batch[k] for k in keys), strict=True):
            yield InputRow(ref=f"{split}:{position}", data=dict(zip(keys, values, strict=True)))
            position += 1
