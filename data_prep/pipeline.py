"""The conversion loop shared by every converter: stream rows in, convert, dedup, split, balance, write.

Memory stays flat in the number of rows: rows are read and written in batches, and only a 16-byte
digest plus the id of each kept row are remembered (for dedup and unique ids). Splitting and position
balancing are streaming and exact:

* validation: every block of ``round(1 / val_frac)`` kept rows sends the row at one seeded position to
  ``val.parquet`` (and the last train row moves to val if a tiny input would otherwise leave it empty);
  ``--val-frac 0`` writes no ``val.parquet``: every row trains, as in the authors' run;
* balance (pairwise data): within each split the label after flipping alternates 1, 2, 1, 2, ... from a
  seeded phase, so "response 1 is better" holds for 50% of the rows of each split and of the total, to
  within one row.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from data_prep.errors import DataPrepError
from data_prep.images import ImageError
from data_prep.inputs import InputRow, InputSource, open_input
from data_prep.length import AUTHORS_MAX_PROMPT_CHARS, RECIPE_MAX_PROMPT_TOKENS, RECIPE_MIN_PIXELS, PromptLength
from data_prep.outdir import LockedOutDir
from data_prep.report import Report
from data_prep.writer import AtomicParquetWriter, atomic_write_text

DEFAULT_OUT = "data/critic_r1"
PAPER_MAX_PIXELS = 4194304


class SkipRow(ValueError):
    """A row that is not written; ``reason`` becomes its key in ``report.json``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class Converted:
    """One output row plus what the loop needs to place it."""

    row: dict
    label: str
    digest: bytes
    resized: bool = False


@dataclass
class Converter:
    """A source-specific converter: which columns to read, the output schema, the row function.

    ``convert(input_row, row_id, args)`` returns a :class:`Converted` or raises :class:`SkipRow`;
    ``flip(row, args)`` (pairwise data only) returns the row with its two responses swapped.
    ``data_source_prefix`` is the default of ``--data-source-prefix`` (else the input's name).
    """

    name: str
    columns: Callable[[argparse.Namespace], list[str]]
    schema: pa.Schema
    convert: Callable[[InputRow, str, argparse.Namespace], Converted]
    flip: Callable[[dict, argparse.Namespace], dict] | None = None
    data_source_prefix: str | None = None


def common_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--input", required=True, help="a .parquet/.jsonl file, a folder of them, or a hub dataset id")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder for train.parquet, val.parquet, report.json")
    parser.add_argument(
        "--val-frac", type=float, default=0.02, help="share of kept rows written to val.parquet; 0: no val.parquet"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the val split and of position balancing")
    parser.add_argument("--max-pixels", type=int, default=PAPER_MAX_PIXELS, help="larger images are downscaled to this")
    parser.add_argument(
        "--min-pixels", type=int, default=RECIPE_MIN_PIXELS, help="data.min_pixels, for image token counts"
    )
    parser.add_argument("--max-skip-frac", type=float, default=0.01, help="exit 2 when more bad rows than this share")
    parser.add_argument("--keep-ties", action="store_true", help="keep 'tie' labels (train with data.allow_tie=true)")
    parser.add_argument("--batch-size", type=int, default=256, help="rows per read batch and per parquet row group")
    parser.add_argument("--image-col", default="image", help="image column (one image, a list, bytes or paths)")
    parser.add_argument("--id-col", default="id", help="stable row id column; file:row when absent")
    parser.add_argument("--source-col", default="source", help="origin subset column, for data_source")
    parser.add_argument("--data-source-prefix", default=None, help="data_source = <prefix>/<subset>")
    parser.add_argument("--hub-config", default=None, help="hub dataset config (subset) name")
    parser.add_argument("--hub-split", default="train", help="hub dataset split")
    parser.add_argument(
        "--max-prompt-chars",
        type=int,
        default=AUTHORS_MAX_PROMPT_CHARS,
        help="drop rows whose chat-template string is longer (the authors' rule); 0: keep all",
    )
    parser.add_argument(
        "--processor", default=None, help="local checkpoint/processor folder for the chat template and token counts"
    )
    parser.add_argument(
        "--max-prompt-tokens",
        type=int,
        default=RECIPE_MAX_PROMPT_TOKENS,
        help="with --processor: count (not drop) rows over verl's token limit, data.max_prompt_length",
    )
    return parser


def data_source_name(prefix: str, subset: object, row_id: object) -> str:
    """``prefix/subset``, the subset from the source column or an id like ``vlfeedback_123``; else ``prefix``."""
    if not (isinstance(subset, str) and subset.strip()):
        match = re.fullmatch(r"([A-Za-z][\w.-]*?)[_-]?\d+", str(row_id)) if row_id is not None else None
        subset = match.group(1) if match else ""
    return f"{prefix}/{subset.strip()}" if subset else prefix


def _seeded_int(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest(), "little")


class Splitter:
    """Exactly one val row per block of ``round(1 / val_frac)`` kept rows, at a seeded position; none at 0."""

    def __init__(self, val_frac: float, seed: int):
        if not 0 <= val_frac <= 0.5:
            raise DataPrepError(f"--val-frac must be 0 (no validation split) or in (0, 0.5], got {val_frac}")
        self.block = max(2, round(1 / val_frac)) if val_frac else 0
        self.seed = seed

    def is_val(self, kept_index: int) -> bool:
        if not self.block:
            return False
        block, position = divmod(kept_index, self.block)
        return position == _seeded_int(self.seed, "val", block) % self.block


class Balancer:
    """Flip decisions that make the labels of each split alternate 1, 2, 1, 2 from a seeded phase.

    val starts on the other label than train, so when both splits have an odd number of rows their
    extra rows cancel and the total is balanced to within one row as well.
    """

    def __init__(self, seed: int):
        self.phase = {"train": _seeded_int(seed, "flip") % 2}
        self.phase["val"] = 1 - self.phase["train"]
        self.decided: Counter = Counter()

    def should_flip(self, split: str, label: str) -> bool:
        if label not in ("1", "2"):
            return False
        turn = self.decided[split] + self.phase[split]
        self.decided[split] += 1
        return label != ("1" if turn % 2 == 0 else "2")


class _Outputs:
    """The two split writers, plus the one-row hold-back that keeps val non-empty."""

    def __init__(self, out: Path, converter: Converter, args, report: Report, splits: tuple[str, ...]):
        self.writers = {s: AtomicParquetWriter(out / f"{s}.parquet", converter.schema, args.batch_size) for s in splits}
        self.flip = converter.flip
        self.args = args
        self.balancer = Balancer(args.seed)
        self.report = report
        self.pending: Converted | None = None

    def add(self, item: Converted, to_val: bool) -> None:
        if to_val:
            self._commit(item, "val")
            return
        if self.pending is not None:
            self._commit(self.pending, "train")
        self.pending = item

    def close(self) -> None:
        if self.pending is not None:
            empty_val = "val" in self.writers and not self.report.rows_out["val"]
            self._commit(self.pending, "val" if empty_val else "train")
            self.pending = None
        for writer in self.writers.values():
            writer.finish()

    def _commit(self, item: Converted, split: str) -> None:
        row, label = item.row, item.label
        flipped = self.flip is not None and self.balancer.should_flip(split, label)
        if flipped:
            row = self.flip(row, self.args)
            label = {"1": "2", "2": "1"}[label]
        row["extra_info"] = {**row["extra_info"], "index": self.report.rows_out[split], "split": split}
        if self.flip is not None:
            row["extra_info"]["flipped"] = flipped
        self.writers[split].write(row)
        self.report.wrote(split, label, row["data_source"], flipped)


def run(converter: Converter, args: argparse.Namespace) -> int:
    """Convert ``args.input`` into ``args.out``; the exit code: 0 ok, 1 unusable input/--out, 2 too many bad rows."""
    try:
        splitter = Splitter(args.val_frac, args.seed)
        source = open_input(args.input, args.hub_config, args.hub_split)
        with LockedOutDir(args.out) as out:
            return _run_locked(converter, args, source, splitter, out)
    except DataPrepError as err:
        print(f"{converter.name}: error: {err}", file=sys.stderr)
        return 1


def _run_locked(converter: Converter, args, source: InputSource, splitter: Splitter, out: Path) -> int:
    """The conversion proper, holding the lock on ``out``.

    ``report.json`` always describes the parquet files beside it: it is removed before new outputs are
    moved into place and written after them, and a failed run writes ``report.failed.json`` instead.
    """
    args.data_source_prefix = args.data_source_prefix or converter.data_source_prefix or source.name
    report = Report(converter.name, args.input, _options(args))
    length = (
        PromptLength(args.processor, args.max_pixels, args.min_pixels)
        if args.max_prompt_chars or args.processor
        else None
    )
    report.length_rules(
        args.max_prompt_chars, args.max_prompt_tokens, length and length.source, bool(length and length.tokenizer)
    )
    splits = ("train", "val") if splitter.block else ("train",)
    outputs = _Outputs(out, converter, args, report, splits)
    started = time.perf_counter()
    try:
        _convert_all(converter, source, args, report, splitter, outputs, length)
        outputs.close()
        report.check_accounting()
        failure = _failure(report, args.max_skip_frac)
    except BaseException:
        for writer in outputs.writers.values():
            writer.discard()
        raise
    print(report.summary(time.perf_counter() - started))
    if failure is not None:
        for writer in outputs.writers.values():
            writer.discard()
        atomic_write_text(out / "report.failed.json", report.to_json())
        print(
            f"{converter.name}: FAILED: {failure}; outputs not written (earlier ones, if any, left as they were), "
            f"see {out / 'report.failed.json'}",
            file=sys.stderr,
        )
        return 2
    (out / "report.json").unlink(missing_ok=True)
    (out / "report.failed.json").unlink(missing_ok=True)
    if "val" not in outputs.writers:
        (out / "val.parquet").unlink(missing_ok=True)
    for writer in outputs.writers.values():
        writer.publish()
    atomic_write_text(out / "report.json", report.to_json())
    written = ", ".join(str(out / name) for name in (*(f"{s}.parquet" for s in splits), "report.json"))
    print(f"{converter.name}: wrote {written}")
    if "val" not in outputs.writers:
        print(
            f"{converter.name}: --val-frac 0, no val.parquet; train with data.val_files={out / 'train.parquet'} "
            "trainer.val_before_train=false trainer.test_freq=-1 (validation off, as the authors ran)"
        )
    return 0


def _convert_all(converter, source: InputSource, args, report: Report, splitter: Splitter, outputs: _Outputs, length):
    seen: dict[bytes, str] = {}
    ids: Counter = Counter()
    progress = tqdm(total=source.num_rows(), unit="row", desc=converter.name, mininterval=1.0, dynamic_ncols=True)
    with progress:
        for item in source.rows(converter.columns(args), args.batch_size):
            progress.update(1)
            report.rows_in += 1
            row_id = _row_id(item, args.id_col, ids)
            if item.data is None:
                report.skip(item.reason, row_id)
                continue
            try:
                converted = converter.convert(item, row_id, args)
            except (SkipRow, ImageError) as skip:
                report.skip(skip.reason, row_id, str(skip))
                continue
            report.labels_in[converted.label] += 1
            if converted.label == "tie" and not args.keep_ties:
                report.skip("tie_dropped", row_id)
                continue
            if converted.digest in seen:
                same = seen[converted.digest] == converted.label
                report.skip("duplicate" if same else "duplicate_conflicting_label", row_id)
                continue
            seen[converted.digest] = converted.label
            if length is not None and _too_long(length, converted.row, args, report):
                report.skip("prompt_too_long", row_id)
                continue
            if converted.resized:
                report.resized_ids.append(row_id)
            outputs.add(converted, splitter.is_val(len(seen) - 1))


def _too_long(length: PromptLength, row: dict, args, report: Report) -> bool:
    """Measure the row under both length rules; only the authors' character rule drops it."""
    prompt = row["prompt"][0]["content"]
    over_chars = bool(args.max_prompt_chars) and length.chars(prompt) > args.max_prompt_chars
    tokens = length.tokens(prompt, row["images"])
    report.measured_length(over_chars, None if tokens is None else tokens > args.max_prompt_tokens)
    return over_chars


def _row_id(item: InputRow, id_col: str, ids: Counter) -> str:
    """The row's id column (made unique with ``#n`` when repeated), else its ``file:row`` reference."""
    value = (item.data or {}).get(id_col)
    row_id = str(value).strip() if value is not None and str(value).strip() else item.ref
    ids[row_id] += 1
    return row_id if ids[row_id] == 1 else f"{row_id}#{ids[row_id]}"


def _failure(report: Report, max_skip_frac: float) -> str | None:
    if report.bad_fraction() > max_skip_frac:
        share = f"{100 * report.bad_fraction():.2f}% > --max-skip-frac {100 * max_skip_frac:.2f}%"
        return f"{report.bad_input} of {report.rows_in} rows were bad input ({share}; {report.worst_bad_input()})"
    if not report.rows_out["train"]:
        return "no rows left for train.parquet"
    return None


def _options(args: argparse.Namespace) -> dict:
    return {k: v for k, v in sorted(vars(args).items())}
