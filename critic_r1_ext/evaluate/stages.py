"""What every evaluation stage shares: resumable result files, media preparation, chunks.

A stage writes one JSONL line per item (flushed), each with the settings that shaped it; a rerun
skips ids already written and refuses to mix in results made with other settings.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from critic_r1_ext.common.records import append_record, load_images, load_output, other_settings
from critic_r1_ext.common.video import load_video


def pending(path: Path, items: list, settings: dict, resume: bool) -> list:
    """The items (anything with an ``id``) not yet in ``path``, in order; says how many are skipped.

    An output made with other settings is refused.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not resume:
        path.write_text("")
    existing = load_output(path)
    other = other_settings(existing, settings)
    if other:
        raise SystemExit(
            f"{path} holds results made with other settings ({other}, now {json.dumps(settings, sort_keys=True)}); "
            "pass --no-resume to overwrite it or choose another --output"
        )
    done = {r["id"] for r in existing}
    todo = [item for item in items if item.id not in done]
    if len(todo) < len(items):
        print(f"{path}: {len(items) - len(todo)} of {len(items)} items already done, skipping them")
    return todo


def update(path: Path, change) -> None:
    """Rewrite ``path`` with ``change(record)`` for every record, atomically (a crash leaves the old file)."""
    records = load_output(path)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(json.dumps(change(record)) + "\n" for record in records))
    os.replace(temporary, path)


def write(path: Path, records: list[dict]) -> None:
    with path.open("a") as handle:
        for record in records:
            append_record(handle, record)


def chunks(items: list, size: int | None) -> list[list]:
    """``items`` in chunks of ``size`` (all at once when ``size`` is 0 or None)."""
    size = size or len(items) or 1
    return [items[start : start + size] for start in range(0, len(items), size)]


def prepare_media(items, where: str, min_side: int, video_frames: int = 32) -> tuple[list, list, list]:
    """(items kept, their decoded media as ``(images, videos)``, skip records).

    An item with an image under ``min_side`` pixels on a side is skipped as the benchmark's script
    does (counted and reported, never dropped silently; 0: no such rule); videos are frame lists (``common.video``).
    Media are decoded on a thread pool (Pillow and PyAV decode without holding the GIL)."""

    def decode(item):
        label = f"{where}: item {item.id}"
        images = load_images(item.images, label, Path.cwd())
        videos = [load_video(v, video_frames, label, Path.cwd()) for v in getattr(item, "videos", [])]
        return images, videos

    with ThreadPoolExecutor(max_workers=min(32, os.cpu_count() or 1)) as pool:
        all_decoded = list(pool.map(decode, items))
    kept, media, skipped = [], [], []
    for item, (images, videos) in zip(items, all_decoded, strict=True):
        small = [f"{im.width}x{im.height}" for im in images if min(im.width, im.height) < min_side]
        if small:
            skipped.append({"id": item.id, "skipped": f"image {small[0]} smaller than {min_side} px"})
        else:
            kept.append(item)
            media.append((images, videos))
    return kept, media, skipped


def read(path: Path) -> list[dict]:
    """The records of a stage file (none when it does not exist)."""
    return load_output(path)
