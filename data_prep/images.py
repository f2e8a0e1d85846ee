"""Read, check and bound the images of a row: encoded bytes out, re-encoded only when they must shrink.

Accepted inputs per image: a ``{"bytes", "path"}`` dict (Hugging Face ``Image`` storage), raw bytes,
or a path (relative paths resolve against the input file's folder). Every image is fully decoded once,
so truncated or corrupt files are caught here instead of in a rollout worker.
"""

from __future__ import annotations

import hashlib
import math
from io import BytesIO
from pathlib import Path

from PIL import Image


class ImageError(ValueError):
    """An image that cannot be used; ``reason`` is the report's skip reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def image_items(value) -> list:
    """The images of a field that holds one image, a list of them, or nothing."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def raw_image(item, base_dir: Path | None) -> tuple[bytes, str]:
    """``(encoded bytes, path)`` of one image item, without decoding it."""
    path = ""
    data = None
    if isinstance(item, dict):
        data, path = item.get("bytes"), item.get("path") or ""
    elif isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
    elif isinstance(item, str):
        path = item
    else:
        raise ImageError("image_unreadable", f"unsupported image value of type {type(item).__name__}")
    if data:
        return bytes(data), path
    if not path:
        raise ImageError("image_missing", "image has neither bytes nor a path")
    file = Path(path)
    if not file.is_absolute() and base_dir is not None:
        file = base_dir / file
    try:
        return file.read_bytes(), path
    except OSError as err:
        raise ImageError("image_unreadable", f"{path}: {err.strerror or err}") from None


def bounded_image(data: bytes, path: str, max_pixels: int) -> tuple[dict, bool]:
    """The verl image struct for ``data``, downscaled to at most ``max_pixels``; and whether it was resized.

    Images within the cap keep their original bytes. Larger ones keep their aspect ratio and are
    re-encoded (JPEG stays JPEG at quality 95, everything else becomes PNG); both encoders are
    deterministic, so reruns give identical bytes.
    """
    try:
        with Image.open(BytesIO(data)) as image:
            width, height = image.size
            resize = width * height > max_pixels
            if resize and image.format == "JPEG":
                scale = math.sqrt(max_pixels / (width * height))
                image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
            image.load()
            if not resize:
                return {"bytes": data, "path": path, "max_pixels": max_pixels}, False
            return {"bytes": _shrink(image, width, height, max_pixels), "path": path, "max_pixels": max_pixels}, True
    except Image.DecompressionBombError as err:
        raise ImageError("image_too_large", str(err)) from None
    except (OSError, SyntaxError, ValueError) as err:
        raise ImageError("image_corrupt", f"{path or 'inline bytes'}: {err}") from None


def _shrink(image: Image.Image, width: int, height: int, max_pixels: int) -> bytes:
    scale = math.sqrt(max_pixels / (width * height))
    size = (max(1, math.floor(width * scale)), max(1, math.floor(height * scale)))
    is_jpeg = image.format == "JPEG"
    small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    buffer = BytesIO()
    if is_jpeg:
        small.save(buffer, format="JPEG", quality=95)
    else:
        small.save(buffer, format="PNG")
    return buffer.getvalue()


def digest(*parts: bytes | str) -> bytes:
    """A 16-byte content digest of texts and image bytes (length-prefixed, so fields cannot run together)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        blob = part.encode() if isinstance(part, str) else part
        hasher.update(len(blob).to_bytes(8, "little"))
        hasher.update(blob)
    return hasher.digest()


def prepare_images(value, base_dir: Path | None, max_pixels: int) -> tuple[list[dict], bool]:
    """All images of a field as verl image structs, and whether any had to be downscaled."""
    images, resized = [], False
    for item in image_items(value):
        image, shrunk = bounded_image(*raw_image(item, base_dir), max_pixels)
        images.append(image)
        resized = resized or shrunk
    return images, resized
