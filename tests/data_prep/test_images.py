"""Every way an image arrives in JSON, Parquet or a datasets folder: the valid forms load, broken ones say why."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from PIL import Image

from data_prep.images import ImageError, raw_image

REPO = Path(__file__).resolve().parents[2]
_buffer = BytesIO()
Image.new("RGB", (32, 32), (30, 200, 30)).save(_buffer, format="PNG")
PNG = _buffer.getvalue()
B64 = base64.b64encode(PNG).decode()
VALID = {
    "path": "ok.png",
    "base64 text": B64,
    "data URI": f"data:image/png;base64,{B64}",
    "dict of bytes as base64 (datasets JSON export)": {"bytes": B64, "path": None},
    "dict of bytes as a list of ints": {"bytes": list(PNG), "path": "ok.png"},
    "dict of a data URI": {"bytes": f"data:image/png;base64,{B64}", "path": None},
    "dict of a path": {"bytes": None, "path": "ok.png"},
    "dict with a data URI as path": {"path": f"data:image/png;base64,{B64}"},
}


@pytest.mark.parametrize("form", VALID)
def test_every_valid_form_gives_the_same_bytes(tmp_path, form):
    (tmp_path / "ok.png").write_bytes(PNG)
    assert raw_image(VALID[form], tmp_path)[0] == PNG


def test_raw_bytes_in_parquet_and_datasets_dicts(tmp_path):
    assert raw_image(PNG, None)[0] == PNG
    assert raw_image({"bytes": PNG, "path": "x.png"}, None) == (PNG, "x.png")


BROKEN = {
    "dict bytes that are not base64": ({"bytes": "not*base64!", "path": None}, "text but not base64"),
    "dict bytes list with a non-byte": ({"bytes": [137, 80, 300], "path": None}, "hold 300, not a byte"),
    "data URI with bad base64": ("data:image/png;base64,@@@@", "base64 does not decode"),
    "data URI without a comma": ("data:image/png;base64", "without ','"),
    "a path that does not exist": ("missing.png", "missing.png: No such file"),
    "a number": (42, "unsupported image value of type int"),
}


@pytest.mark.parametrize("form", BROKEN)
def test_every_broken_form_says_what_is_wrong(tmp_path, form):
    value, message = BROKEN[form]
    with pytest.raises(ImageError, match=message):
        raw_image(value, tmp_path)


def pairwise_cli(tmp_path: Path, images: list, *argv: str) -> subprocess.CompletedProcess:
    """``python -m data_prep.pairwise`` on a JSONL whose rows carry ``images``, one each, as a user runs it."""
    rows = [
        {
            "id": f"row_{i:04d}",
            "question": f"Count ({i})",
            "response_1": "1",
            "response_2": "2",
            "label": "1",
            "image": v,
        }
        for i, v in enumerate(images)
    ]
    source = tmp_path / "export.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    argv = ("--input", str(source), "--out", str(tmp_path / "out"), *argv)
    cmd = [sys.executable, "-m", "data_prep.pairwise", *argv]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_a_json_export_with_every_form_converts_every_row(tmp_path):
    (tmp_path / "ok.png").write_bytes(PNG)
    result = pairwise_cli(tmp_path, list(VALID.values()), "--val-frac", "0")
    assert result.returncode == 0, result.stderr
    written = pq.read_table(tmp_path / "out" / "train.parquet").to_pylist()
    assert len(written) == len(VALID) and all(r["images"][0]["bytes"] == PNG for r in written)


def test_a_broken_image_form_is_one_line_naming_the_row_and_the_problem(tmp_path):
    result = pairwise_cli(tmp_path, [{"bytes": "not*base64!", "path": None}] * 3)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "FAILED" in line]
    assert "image_corrupt x3, first row_0000: image_corrupt: image bytes are text but not base64" in line
    assert json.loads((tmp_path / "out" / "report.failed.json").read_text())["rows_in"] == 3
