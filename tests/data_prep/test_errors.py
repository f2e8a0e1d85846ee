"""data_prep's whole-run errors: one line naming the file, exit 1, no traceback; the out-dir lock; nothing stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from data_prep import pairwise

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data_prep" / "sample" / "critic_sample.jsonl"


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def good_row(i: int) -> dict:
    return {
        "id": f"row_{i:04d}",
        "question": f"How many red squares are there? (variant {i})",
        "response_1": f"There are {i % 5} red squares.",
        "response_2": f"There are {i % 5 + 1} red squares.",
        "label": "1",
        "image": "ok.png",
    }


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def read(out: Path, split: str) -> list[dict]:
    return pq.read_table(out / f"{split}.parquet").to_pylist()


def run_cli(*argv: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m data_prep.pairwise`` in a fresh process, as a user runs it (offline)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "data_prep.pairwise", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def good_parquet(path: Path, n: int = 10) -> Path:
    (path.parent / "ok.png").write_bytes(png())
    rows = [{**good_row(i), "image": {"bytes": png(), "path": "ok.png"}} for i in range(n)]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def test_an_empty_parquet_in_a_folder_is_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good_parquet(folder / "a.parquet")
    (folder / "b.parquet").write_bytes(b"")
    one_line_error(run_cli("--input", str(folder), "--out", str(tmp_path / "out")), str(folder / "b.parquet"), "empty")


def test_a_truncated_parquet_in_a_folder_is_named(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good_parquet(folder / "a.parquet")
    whole = good_parquet(folder / "b.parquet").read_bytes()
    (folder / "b.parquet").write_bytes(whole[: len(whole) // 2])
    line = one_line_error(run_cli("--input", str(folder), "--out", str(tmp_path / "out")), str(folder / "b.parquet"))
    assert "truncated or corrupt" in line
    assert not (tmp_path / "out" / "report.json").exists()


def test_out_that_is_a_file(tmp_path):
    target = tmp_path / "out.parquet"
    target.write_text("not a folder")
    one_line_error(run_cli("--input", str(SAMPLE), "--out", str(target)), f"--out {target}", "is a file")
    assert target.read_text() == "not a folder"


def test_out_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    one_line_error(
        run_cli("--input", str(SAMPLE), "--out", str(blocker / "sub")), str(blocker / "sub"), "cannot create"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_that_is_read_only(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        one_line_error(run_cli("--input", str(SAMPLE), "--out", str(out)), str(out), "not writable")
    finally:
        out.chmod(0o755)


@pytest.mark.parametrize("spec", ["missing.jsonl", "./missing", "/no/such/dir/data", "{tmp}/missing_set"])
def test_a_path_that_looks_local_is_never_sent_to_the_hub(tmp_path, spec):
    spec = spec.format(tmp=tmp_path)
    line = one_line_error(run_cli("--input", spec, "--out", str(tmp_path / "out"), cwd=tmp_path), spec)
    assert line.endswith("no such file or folder")


def test_a_non_utf8_jsonl_line_is_a_counted_skip(tmp_path):
    (tmp_path / "ok.png").write_bytes(png())
    path = write_jsonl(tmp_path / "in.jsonl", [good_row(i) for i in range(6)])
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b"variant 2", b"variant \xff\xfe 2")
    path.write_bytes(b"".join(lines))
    out = tmp_path / "out"
    assert pairwise.main(["--input", str(path), "--out", str(out), "--max-skip-frac", "0.5", "--val-frac", "0"]) == 0
    rep = json.loads((out / "report.json").read_text())
    assert rep["skipped_ids"] == {"bad_utf8": ["in.jsonl:2"]} and rep["rows_skipped_bad_input"] == 1
    questions = [row["question"] for row in read(out, "train")]
    assert len(questions) == 5 and not any("\ufffd" in q for q in questions)


def test_temp_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".train.parquet.4242.tmp", out / ".val.parquet.4242.tmp", out / ".report.json.4242.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    (out / ".notes.tmp").write_text("not ours")
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0
    assert not any(path.exists() for path in stale)
    assert sorted(p.name for p in out.iterdir()) == [".notes.tmp", "report.json", "train.parquet", "val.parquet"]


def test_a_second_run_on_the_same_out_fails_clearly_while_the_first_holds_it(tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom data_prep.outdir import LockedOutDir\n"
            f"with LockedOutDir({str(out)!r}):\n    print('locked', flush=True)\n    sys.stdin.read()\n",
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        one_line_error(run_cli("--input", str(SAMPLE), "--out", str(out)), "another data_prep run is writing there")
        assert not (out / "train.parquet").exists()
    finally:
        holder.communicate("", timeout=60)
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0


def test_a_failed_run_leaves_the_report_that_matches_the_outputs(tmp_path):
    out = tmp_path / "out"
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0
    before = {name: (out / name).read_bytes() for name in ("report.json", "train.parquet", "val.parquet")}
    (tmp_path / "ok.png").write_bytes(png())
    bad = write_jsonl(tmp_path / "bad.jsonl", [good_row(i) for i in range(5)] + ["{not json"] * 5)
    assert pairwise.main(["--input", str(bad), "--out", str(out)]) == 2
    assert before == {name: (out / name).read_bytes() for name in before}
    assert json.loads((out / "report.failed.json").read_text())["rows_skipped_bad_input"] == 5
    rep = json.loads(before["report.json"])
    assert rep["rows_out"]["train"] == len(read(out, "train")) and rep["rows_out"]["val"] == len(read(out, "val"))
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0
    assert not (out / "report.failed.json").exists()


def test_val_frac_zero_trains_on_every_row_and_removes_a_stale_val_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0.2"]) == 0
    assert pairwise.main(["--input", str(SAMPLE), "--out", str(out), "--val-frac", "0"]) == 0
    rep = json.loads((out / "report.json").read_text())
    assert rep["rows_out"] == {"total": 38, "train": 38} and len(read(out, "train")) == 38  # 2 ties dropped
    assert not (out / "val.parquet").exists()
    assert rep["position_balance"]["train"]["first_better"] == 0.5
    assert f"data.val_files={out / 'train.parquet'}" in capsys.readouterr().out


@pytest.mark.parametrize("frac", ["-0.1", "0.7"])
def test_a_bad_val_frac_is_one_line(tmp_path, frac):
    one_line_error(run_cli("--input", str(SAMPLE), "--out", str(tmp_path), "--val-frac", frac), "--val-frac")
