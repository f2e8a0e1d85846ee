"""Test helpers for benchmark fixture rows: local copies in a hub repository's layout, images, videos.

Every ``tests/evaluate/benchmarks/test_<module>.py`` defines ``FIXTURES = {benchmark name: writer}``
where ``writer(root: Path) -> Path`` writes two or more rows of that benchmark, in its real hub
schema, under ``root`` and returns what ``--data NAME=PATH`` takes. :func:`fixture_writers` finds
them for every registered benchmark, so a new benchmark module joins every cross-benchmark test.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
from PIL import Image

BENCHMARK_TESTS = Path(__file__).parent / "evaluate" / "benchmarks"


def image(color, size=(56, 56)) -> Image.Image:
    return Image.new("RGB", size, color)


def png_bytes(color, size=(56, 56)) -> bytes:
    buffer = io.BytesIO()
    image(color, size).save(buffer, format="PNG")
    return buffer.getvalue()


def video_bytes(frames: int = 10, size=(64, 48)) -> bytes:
    """A small MPEG-4 video whose frame k is a flat grey of level 20 * k."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for k in range(frames):
            frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), 20 * k, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def hub_folder(root: Path, split: str, rows: list[dict], features=None, config: str | None = None) -> Path:
    """A local copy in the hub repository's layout: ``data/<split>-00000-of-00001.parquet``, or
    ``<config>/<split>-00000-of-00001.parquet`` for one config of a multi-config benchmark."""
    from datasets import Dataset

    folder = root / config if config else root / "data"
    folder.mkdir(parents=True, exist_ok=True)
    Dataset.from_list(rows, features=features).to_parquet(str(folder / f"{split}-00000-of-00001.parquet"))
    return root


def fixture_writers() -> dict:
    """{benchmark name: writer} from each registered benchmark's test module (see the module docstring)."""
    from critic_r1_ext.evaluate.benchmarks import REGISTRY

    writers, modules = {}, {}
    for name, benchmark in REGISTRY.items():
        module_name = benchmark.item.__module__.rsplit(".", 1)[-1]
        path = BENCHMARK_TESTS / f"test_{module_name}.py"
        if not path.exists():
            continue
        if module_name not in modules:
            spec = importlib.util.spec_from_file_location(f"benchmark_fixtures_{module_name}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules[module_name] = getattr(module, "FIXTURES", {})
        if name in modules[module_name]:
            writers[name] = modules[module_name][name]
    return writers
