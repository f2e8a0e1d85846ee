"""Videos as the authors' evaluation scripts feed them: a list of RGB frames per video.

A video entry is either a list of frame entries (images, loaded as they are: MM-RLHF-RewardBench
stores its videos as frame files) or one video file (a path or ``{"bytes"/"path"}`` dict), from
which ``num_frames`` frames are taken at ``numpy.linspace(0, total - 1, num_frames)`` rounded down,
as the authors' ``sample_frames`` (``eval_llama32v/model_mmvu_llama32v.py``) does with OpenCV; here
PyAV decodes (no OpenCV dependency) and only the chosen frames are converted.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

from critic_r1_ext.common.records import load_images


def load_video(entry, num_frames: int, where: str, base_dir: Path) -> list[Image.Image]:
    """The frames of one video entry (see the module docstring); ``where`` names the item in errors."""
    if isinstance(entry, (list, tuple)):
        frames = load_images(list(entry), where, base_dir)
        if not frames:
            raise ValueError(f"{where}: a video with no frames")
        return frames
    return sample_frames(_video_source(entry, where, base_dir), num_frames, where)


def _video_source(entry, where: str, base_dir: Path):
    if isinstance(entry, dict):
        if entry.get("bytes") is not None:
            return io.BytesIO(entry["bytes"])
        entry = entry.get("path")
    if not isinstance(entry, (str, Path)) or not entry:
        raise ValueError(
            f"{where}: a video entry must be frames, a path or {{bytes, path}}; got {type(entry).__name__}"
        )
    path = Path(entry) if Path(entry).is_absolute() else base_dir / entry
    if not path.exists():
        raise FileNotFoundError(f"{where}: video not found: {path}")
    return str(path)


def sample_frames(source, num_frames: int, where: str) -> list[Image.Image]:
    """``num_frames`` evenly spaced RGB frames of a video file (repeats when it has fewer)."""
    import av

    try:
        with av.open(source) as container:
            total = sum(1 for packet in container.demux(video=0) if packet.size)
        if hasattr(source, "seek"):
            source.seek(0)
        if total <= 0:
            raise ValueError("no frames")
        wanted = Counter(np.linspace(0, total - 1, num_frames, dtype=int).tolist())
        frames = []
        with av.open(source) as container:
            for index, frame in enumerate(container.decode(video=0)):
                if index in wanted:
                    frames += [frame.to_image().convert("RGB")] * wanted[index]
                if index >= max(wanted):
                    break
    except (av.error.FFmpegError, ValueError) as err:
        raise ValueError(f"{where}: cannot read frames from the video ({err})") from None
    if not frames:
        raise ValueError(f"{where}: cannot read frames from the video")
    return frames
