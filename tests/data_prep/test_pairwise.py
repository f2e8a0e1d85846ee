"""data_prep.pairwise: the bundled sample, every bad-input kind, position balance, determinism, atomic writes."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from critic_r1_ext.prompt import pairwise_prompt
from data_prep import pairwise
from data_prep.pipeline import Converter, run
from data_prep.sample.make_sample import write_sample

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data_prep" / "sample"
SAMPLE = SAMPLE_DIR / "critic_sample.jsonl"


def png(width: int = 32, height: int = 32, color=(200, 30, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def good_row(i: int, **overrides) -> dict:
    row = {
        "id": f"row_{i:04d}",
        "question": f"How many red squares are there? (variant {i})",
        "response_1": f"There are {i % 5} red squares.",
        "response_2": f"There are {i % 5 + 1} red squares.",
        "label": "1",
        "image": "ok.png",
    }
    return {**row, **overrides}


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def convert(input_path, out, *flags) -> int:
    return pairwise.main(["--input", str(input_path), "--out", str(out), *flags])


def read(out: Path, split: str) -> list[dict]:
    return pq.read_table(out / f"{split}.parquet").to_pylist()


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def test_sample_converts_offline_balanced_and_fully_accounted(tmp_path):
    assert convert(SAMPLE, tmp_path, "--val-frac", "0.2") == 0
    rep = report(tmp_path)
    rows = read(tmp_path, "train") + read(tmp_path, "val")
    assert rep["rows_in"] == 40 == rep["rows_out"]["total"] + rep["rows_skipped"]
    assert rep["skipped_ids"] == {"tie_dropped": ["count_shapes_028", "count_shapes_029"]}
    assert rep["rows_out"]["val"] >= 2 and len(rows) == 38
    assert abs(rep["position_balance"]["total"]["first_better"] - 0.5) <= 0.01
    assert rep["data_sources"] == {"critic_sample/count_shapes": 28, "critic_sample/find_shape": 10}
    truth = {json.loads(line)["id"]: json.loads(line)["truth"] for line in SAMPLE.read_text().splitlines()}
    for row in rows:
        assert row["prompt"] == [
            {"role": "user", "content": pairwise_prompt(row["question"], row["response_1"], row["response_2"], 1)}
        ]
        assert row["prompt"][0]["content"].count("<image>") == len(row["images"]) == 1
        assert row["reward_model"] == {"style": "rule", "ground_truth": row["label"]}
        better, worse = (
            (row["response_1"], row["response_2"]) if row["label"] == "1" else (row["response_2"], row["response_1"])
        )
        answer = truth[row["extra_info"]["id"]]
        if answer in ("yes", "no"):
            assert better.lower().startswith(answer) and not worse.lower().startswith(answer)
        else:
            assert f" {answer} " in better and f" {answer} " not in worse
        assert Image.open(BytesIO(row["images"][0]["bytes"])).size == (128, 128)


def test_bundled_sample_is_what_the_generator_writes_and_small(tmp_path):
    regenerated = write_sample(tmp_path)
    assert regenerated.read_bytes() == SAMPLE.read_bytes()
    for demo_file in ("questions.jsonl", "critic_pairs.jsonl"):
        assert (tmp_path / demo_file).read_bytes() == (SAMPLE_DIR / demo_file).read_bytes()
    committed = sorted((SAMPLE_DIR / "images").glob("*.png"))
    assert [p.name for p in committed] == sorted(p.name for p in (tmp_path / "images").glob("*.png"))
    assert all((tmp_path / "images" / p.name).read_bytes() == p.read_bytes() for p in committed)
    assert sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*") if p.is_file()) < 300 * 1024


def test_keep_ties_writes_tie_labels_with_a_tie_prompt(tmp_path):
    assert convert(SAMPLE, tmp_path, "--keep-ties") == 0
    rows = read(tmp_path, "train") + read(tmp_path, "val")
    ties = [r for r in rows if r["label"] == "tie"]
    assert len(ties) == 2 and report(tmp_path)["rows_skipped"] == 0
    assert all("tie if they are equally good" in r["prompt"][0]["content"] for r in rows)


@pytest.fixture
def bad_input(tmp_path):
    """A JSONL with 40 good rows and one row of every bad kind, plus one oversized (but usable) image."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.png").write_bytes(png())
    (folder / "big.png").write_bytes(png(400, 300))
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    (folder / "truncated.png").write_bytes(png(64, 64, (1, 2, 3))[:60])
    rows = [good_row(i) for i in range(40)]
    rows += [
        good_row(100, image="corrupt.png"),
        good_row(101, image="truncated.png"),
        good_row(102, image="missing.png"),
        good_row(103, image=None),
        good_row(104, response_2=None),
        good_row(105, question="   "),
        good_row(106, response_1=7),
        good_row(107, label="maybe"),
        good_row(108, label=""),
        good_row(109, question="<image> and <image>: which?"),
        good_row(110, response_1="see <image>"),
        good_row(111, image="big.png"),
        good_row(3, id="dup_of_3"),
        good_row(4, id="conflict_of_4", label="2"),
        "{not json",
        "[1, 2]",
    ]
    return write_jsonl(folder / "critic.jsonl", rows)


EXPECTED_SKIPS = {
    "image_corrupt": ["row_0100", "row_0101"],
    "image_unreadable": ["row_0102"],
    "missing_image": ["row_0103"],
    "missing_field:response_2": ["row_0104"],
    "empty_field:question": ["row_0105"],
    "bad_field:response_1": ["row_0106"],
    "unknown_label": ["row_0107"],
    "missing_field:label": ["row_0108"],
    "too_many_image_markers": ["row_0109"],
    "image_marker_in_response": ["row_0110"],
    "duplicate": ["dup_of_3"],
    "duplicate_conflicting_label": ["conflict_of_4"],
    "unreadable_row": ["critic.jsonl:54", "critic.jsonl:55"],
}


def test_every_bad_input_kind_is_listed_and_the_threshold_fails_the_run(bad_input, tmp_path, capsys):
    out = tmp_path / "out"
    assert convert(bad_input, out) == 2
    assert not (out / "report.json").exists()
    rep = json.loads((out / "report.failed.json").read_text())
    assert rep["skipped_ids"] == EXPECTED_SKIPS
    assert rep["skipped_by_reason"] == {k: len(v) for k, v in EXPECTED_SKIPS.items()}
    assert rep["rows_in"] == 56 == rep["rows_out"]["total"] + rep["rows_skipped"]
    assert rep["rows_skipped_by_rule"] == 1 and rep["rows_skipped_bad_input"] == 14
    assert not (out / "train.parquet").exists() and not (out / "val.parquet").exists()
    assert not list(out.glob(".*tmp"))
    captured = capsys.readouterr()
    assert "rows_in=56 == rows_out=41" in captured.out and "max-skip-frac" in captured.err


def test_bad_rows_under_a_raised_threshold_and_oversized_images_are_shrunk(bad_input, tmp_path):
    out = tmp_path / "out"
    assert convert(bad_input, out, "--max-skip-frac", "0.5", "--max-pixels", "10000") == 0
    rep = report(out)
    rows = {r["extra_info"]["id"]: r for r in read(out, "train") + read(out, "val")}
    assert len(rows) == rep["rows_out"]["total"] == 41 and rep["images_resized_row_ids"] == ["row_0111"]
    big = rows["row_0111"]["images"][0]
    width, height = Image.open(BytesIO(big["bytes"])).size
    assert width * height <= 10000 and abs(width / height - 4 / 3) < 0.05 and big["max_pixels"] == 10000
    assert rows["row_0000"]["images"][0]["bytes"] == png()


def test_parquet_folder_with_hf_image_structs_lists_and_a_corrupt_image(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [good_row(i, image={"bytes": png(color=(i, 0, 0)), "path": f"{i}.png"}) for i in range(30)]
    rows.append(good_row(30, image={"bytes": png()[:50], "path": "30.png"}))
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")
    two = good_row(31, image=[{"bytes": png(), "path": "a.png"}, {"bytes": png(8, 8), "path": "b.png"}])
    pq.write_table(pa.Table.from_pylist([two]), folder / "part-1.parquet")
    assert convert(folder, tmp_path / "out", "--max-skip-frac", "0.05") == 0
    rep = report(tmp_path / "out")
    assert rep["skipped_ids"] == {"image_corrupt": ["row_0030"]} and rep["rows_out"]["total"] == 31
    written = [
        r
        for r in read(tmp_path / "out", "train") + read(tmp_path / "out", "val")
        if r["extra_info"]["id"] == "row_0031"
    ]
    assert len(written[0]["images"]) == 2 and written[0]["prompt"][0]["content"].startswith("<image><image>\n")


def test_balance_is_half_and_half_even_when_every_input_says_1(tmp_path):
    (tmp_path / "ok.png").write_bytes(png())
    write_jsonl(tmp_path / "in.jsonl", [good_row(i) for i in range(301)])
    assert convert(tmp_path / "in.jsonl", tmp_path / "out", "--val-frac", "0.1", "--batch-size", "16") == 0
    rep = report(tmp_path / "out")
    for split in ("train", "val", "total"):
        balance = rep["position_balance"][split]
        assert abs(balance["first_better"] * balance["rows"] - balance["rows"] / 2) <= 0.5
    assert rep["rows_out"]["total"] == 301 and rep["rows_out"]["val"] in (30, 31)
    for row in read(tmp_path / "out", "train"):
        original = good_row(int(row["extra_info"]["id"][4:]))
        if row["extra_info"]["flipped"]:
            assert (row["response_1"], row["response_2"], row["label"]) == (
                original["response_2"],
                original["response_1"],
                "2",
            )
        else:
            assert (row["response_1"], row["label"]) == (original["response_1"], "1")
        assert row["prompt"][0]["content"] == pairwise_prompt(row["question"], row["response_1"], row["response_2"], 1)


def test_rerun_with_same_input_and_seed_is_byte_identical_and_seed_matters(tmp_path):
    out = tmp_path / "out"
    assert convert(SAMPLE, out, "--val-frac", "0.2") == 0
    first = {name: (out / name).read_bytes() for name in ("train.parquet", "val.parquet", "report.json")}
    assert convert(SAMPLE, out, "--val-frac", "0.2") == 0
    assert first == {name: (out / name).read_bytes() for name in first}
    assert convert(SAMPLE, out, "--val-frac", "0.2", "--seed", "1") == 0
    assert (out / "train.parquet").read_bytes() != first["train.parquet"]


def test_interrupted_run_keeps_previous_outputs_and_leaves_no_partial_file(tmp_path):
    out = tmp_path / "out"
    assert convert(SAMPLE, out) == 0
    before = (out / "train.parquet").read_bytes()
    calls = []

    def interrupting(item, row_id, args):
        calls.append(row_id)
        if len(calls) == 20:
            raise KeyboardInterrupt
        return pairwise.convert(item, row_id, args)

    args = pairwise.build_parser().parse_args(["--input", str(SAMPLE), "--out", str(out), "--batch-size", "4"])
    with pytest.raises(KeyboardInterrupt):
        run(
            Converter(
                name="pairwise",
                columns=pairwise.columns,
                schema=pairwise.SCHEMA,
                convert=interrupting,
                flip=pairwise.flip,
            ),
            args,
        )
    assert (out / "train.parquet").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "train.parquet", "val.parquet"]
