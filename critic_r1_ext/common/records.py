"""Row files in and result files out for the self-critic and critic-evaluation tools.

Inputs are JSONL, JSON (a list of objects) or parquet. Images are a list whose items are a path
(relative paths resolve against the data file's folder), ``{"bytes": ...}``, ``{"path": ...}``,
``{"image": PIL.Image}`` or a PIL image. Outputs are JSONL written one line per item and flushed,
so an interrupted run can resume by skipping the ids already written.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image


def read_rows(path: str | Path) -> list[dict]:
    """All rows of a ``.jsonl``, ``.json`` or ``.parquet`` file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"data file not found: {path}")
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if path.suffix == ".json":
        rows = json.loads(path.read_text())
        if not isinstance(rows, list):
            raise ValueError(f"{path}: a .json data file must hold a list of objects")
        return rows
    if path.suffix == ".jsonl":
        rows = []
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{number}: not valid JSON ({err})") from None
        return rows
    raise ValueError(f"{path}: unsupported data file type {path.suffix!r} (use .jsonl, .json or .parquet)")


def row_id(row: dict, position: int) -> str:
    """The row's ``id`` as a string, or its position in the file when it has none."""
    return str(row["id"]) if row.get("id") is not None else str(position)


def image_items(items) -> list:
    """A row's image entries as a list (a single entry or None are accepted too)."""
    if items is None:
        return []
    return [items] if isinstance(items, (str, dict, Image.Image)) else list(items)


def load_images(items, where: str, base_dir: Path) -> list[Image.Image]:
    """RGB images for one row; ``where`` names the row in errors."""
    return [_load_image(item, where, base_dir) for item in image_items(items)]


def _load_image(item, where: str, base_dir: Path) -> Image.Image:
    if isinstance(item, dict):
        if item.get("image") is not None:
            item = item["image"]
        elif item.get("bytes") is not None:
            return _rgb(Image.open(io.BytesIO(item["bytes"])))
        elif item.get("path"):
            item = item["path"]
        else:
            raise ValueError(f"{where}: image entry has none of bytes/path/image: keys {sorted(item)}")
    if isinstance(item, Image.Image):
        return _rgb(item)
    path = Path(item)
    path = path if path.is_absolute() else base_dir / path
    if not path.exists():
        raise FileNotFoundError(f"{where}: image not found: {path}")
    return _rgb(Image.open(path))


def _rgb(image: Image.Image) -> Image.Image:
    """The image decoded, in RGB; an RGB file is not copied a second time."""
    image.load()
    return image if image.mode == "RGB" else image.convert("RGB")


def load_output(path: str | Path) -> list[dict]:
    """Records already in a JSONL output; a torn line (from a killed run: not JSON, or JSON but not an object
    with an ``id``) is dropped and reported."""
    path = Path(path)
    if not path.exists():
        return []
    records, torn = [], 0
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict) and "id" in record:
                records.append(record)
            else:  # not JSON, or JSON but not a record (a torn line can parse as a number or string)
                torn += 1
    if torn:
        print(f"{path}: dropped {torn} unreadable line(s) left by an interrupted run; those items run again")
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return records


def append_record(handle, record: dict) -> None:
    """Write one JSONL line and flush it, so a crash loses at most the item in flight."""
    handle.write(json.dumps(record) + "\n")
    handle.flush()


def other_settings(records: list[dict], settings: dict) -> str | None:
    """The first ``settings`` (as sorted JSON) among ``records`` that differ from ``settings``; None when all match.

    A resumable output must not mix results made with other settings.

    >>> other_settings([{"settings": {"n": 4}}], {"n": 4}), other_settings([{"settings": {"n": 4}}], {"n": 8})
    (None, '{"n": 4}')
    """
    wanted = json.dumps(settings, sort_keys=True)
    other = {json.dumps(r.get("settings"), sort_keys=True) for r in records} - {wanted}
    return sorted(other)[0] if other else None
