"""Read, check and bound the images of a row: encoded bytes out, re-encoded only when they must shrink.

Accepted inputs per image: a ``{"bytes", "path"}`` dict (Hugging Face ``Image`` storage, also as a
JSON export writes it: bytes as base64 text or a list of ints), raw bytes, base64 text, a ``data:``
URI, or a path (relative paths resolve against the input file's folder); a broken one is an
``ImageError`` whose message says what is wrong. Every image is fully decoded once,
so truncated or corrupt files are caught here instead of in a rollout worker.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote_to_bytes

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
    """``(encoded bytes, path)`` of one image item, without decoding it.

    An item is a path, raw bytes, base64 text, a ``data:`` URI, or a dict with ``bytes`` and/or
    ``path`` holding any of those (``bytes`` may also be a list of ints: a JSON export of a
    datasets ``Image`` column writes ``{"bytes": ..., "path": ...}`` with base64 text or such a list).
    """
    path = ""
    data = None
    if isinstance(item, dict):
        data, path = item.get("bytes"), item.get("path") or ""
        data = _bytes_field(data)
    elif isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
    elif isinstance(item, str):
        path = item
    else:
        raise ImageError("image_unreadable", f"unsupported image value of type {type(item).__name__}")
    if data:
        return bytes(data), path if isinstance(path, str) and not path.startswith("data:") else ""
    if not isinstance(path, str):
        raise ImageError("image_unreadable", f"image path of type {type(path).__name__}, not text")
    if not path:
        raise ImageError("image_missing", "image has neither bytes nor a path")
    inline = _inline_text(path)
    if inline is not None:
        return inline, ""
    file = Path(path)
    if not file.is_absolute() and base_dir is not None:
        file = base_dir / file
    try:
        return file.read_bytes(), path
    except OSError as err:
        raise ImageError("image_unreadable", f"{path[:80]}: {err.strerror or err}") from None


# Leading bytes of the formats PIL reads that datasets hold: PNG, JPEG, GIF, WebP (RIFF), BMP, TIFF.
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_\n\r")


def _bytes_field(value) -> bytes | None:
    """The ``bytes`` of an image dict: bytes, base64 text or a data URI, or a list of ints (0-255)."""
    if value is None or isinstance(value, (bytes, bytearray, memoryview)):
        return None if value is None else bytes(value)
    if isinstance(value, str):
        if not value:
            return None
        data = _inline_text(value)
        if data is None:
            raise ImageError("image_corrupt", f"image bytes are text but not base64 or a data URI: {value[:40]!r}")
        return data
    if isinstance(value, list):
        try:
            return bytes(value)
        except (TypeError, ValueError):
            bad = next((v for v in value if not (isinstance(v, int) and 0 <= v <= 255)), None)
            raise ImageError("image_corrupt", f"image bytes as a list hold {bad!r}, not a byte (0-255)") from None
    raise ImageError("image_unreadable", f"image bytes of type {type(value).__name__}")


def _inline_text(text: str) -> bytes | None:
    """The image a ``data:`` URI or base64 text holds; None when ``text`` is neither (then it is a path).

    A ``data:`` URI that does not decode is an error; plain text counts as base64 only when it decodes
    to a known image format, so a file name is never mistaken for one.
    """
    if text.startswith("data:"):
        header, comma, payload = text.partition(",")
        if not comma:
            raise ImageError("image_corrupt", f"a data URI without ',': {text[:40]!r}")
        if header.endswith(";base64"):
            data = _b64(payload)
            if data is None:
                raise ImageError("image_corrupt", f"a data URI whose base64 does not decode: {text[:40]!r}")
            return data
        return unquote_to_bytes(payload)
    if len(text) < 16 or not _BASE64_CHARS.issuperset(text[:256]):
        return None
    data = _b64(text)
    return data if data is not None and data.startswith(_MAGIC) else None


def _b64(text: str) -> bytes | None:
    compact = "".join(text.split())
    try:
        if "-" in compact or "_" in compact:
            return base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


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
