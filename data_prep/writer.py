"""Deterministic, atomic output files: parquet in fixed-size row groups, written to a temp file and
renamed into place only when complete, so a crash or Ctrl-C never leaves a half-written file behind.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# A row group is flushed at this many buffered image bytes even before it has batch_size rows,
# so large images cannot make the write buffer grow without bound.
MAX_BUFFER_BYTES = 64 << 20


_TEMP_NAME = re.compile(r"\.(train\.parquet|val\.parquet|report\.json|report\.failed\.json)\.\d+\.tmp")


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def is_temp_file(name: str) -> bool:
    """Whether ``name`` is one of our temp files (left behind only when a run was killed)."""
    return _TEMP_NAME.fullmatch(name) is not None


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class AtomicParquetWriter:
    """Buffers rows and writes them as row groups of ``batch_size`` rows to a temp file beside ``path``."""

    def __init__(self, path: Path, schema: pa.Schema, batch_size: int):
        self.path = Path(path)
        self.schema = schema
        self.batch_size = batch_size
        self.temp = _temp_path(self.path)
        self._writer = pq.ParquetWriter(self.temp, schema, compression="snappy")
        self._rows: list[dict] = []
        self._bytes = 0

    def write(self, row: dict) -> None:
        self._rows.append(row)
        self._bytes += sum(len(image["bytes"]) for image in row.get("images") or [])
        if len(self._rows) >= self.batch_size or self._bytes >= MAX_BUFFER_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows, self._bytes = [], 0

    def finish(self) -> None:
        """Write what is buffered and close; the temp file is complete but not yet in place."""
        self._flush()
        self._writer.close()
        _fsync(self.temp)

    def publish(self) -> None:
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        self._writer.close()
        self.temp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    temp = _temp_path(Path(path))
    temp.write_text(text, encoding="utf-8")
    _fsync(temp)
    os.replace(temp, path)
