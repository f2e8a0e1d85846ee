"""Data checks for the preflight: file existence, row shape, labels, rendering, prompt lengths, steps per epoch.

The reading, sampling and token counting live in ``preflight.sampling``; this module turns their
results into ``Check`` records with fixes.
"""

from __future__ import annotations

from pathlib import Path

from critic_r1_ext.dataset import IMAGE_COLUMN
from critic_r1_ext.preflight import sampling
from critic_r1_ext.preflight.checks import FAIL, PASS, WARN, Check

OUR_DATASET = "pkg://critic_r1_ext.dataset"


def load_processor(cfg, processor_path: str | None):
    """(tokenizer, processor, note, exact): the model's own when on disk, else ``--processor``, else the tiny one."""
    from verl.utils import hf_processor, hf_tokenizer

    model_path = cfg.actor_rollout_ref.model.path
    for path, note in ((model_path, "the model's processor"), (processor_path, "--processor")):
        if path and Path(path).is_dir():
            return hf_tokenizer(path), hf_processor(path), f"{note} at {path}", True
    from critic_r1_ext.tiny_model import build_processor

    # Qwen2.5-VL's own image-processor bounds, so image token counts come out exactly as Qwen's.
    processor = build_processor(min_pixels=56 * 56, max_pixels=28 * 28 * 16384)
    note = (
        "the tiny offline processor: text token counts are approximate (its tokenizer is not Qwen's), "
        "image token counts are exact"
    )
    return processor.tokenizer, processor, note, False


def check_data(cfg, processor_path: str | None, sample: int) -> list[Check]:
    checks = []
    files = [("train", f) for f in sampling.as_list(cfg.data.train_files)]
    files += [("val", f) for f in sampling.as_list(cfg.data.val_files)]
    tokenizer = processor = None
    limit = cfg.data.max_prompt_length
    for split, path in files:
        if "://" in path:
            checks.append(
                Check(f"{split} data", WARN, f"{path}: remote, not checked", "copy a local sample to check it.")
            )
            continue
        if not Path(path).is_file():
            checks.append(
                Check(
                    f"{split} data",
                    FAIL,
                    f"{path}: no such file",
                    "run the data-prep step (python -m data_prep.llava_critic_grpo ... --out DIR) "
                    f"or fix data.{split}_files.",
                )
            )
            continue
        columns = sampling.read_columns(path)
        shape = sampling.row_shape(columns)
        if shape is None:
            checks.append(
                Check(
                    f"{split} data",
                    FAIL,
                    f"{path}: unknown row shape, columns {columns}",
                    "write rows with question/response_1/response_2/label/images (data_prep does).",
                )
            )
            continue
        checks.append(_label_check(split, path, shape, cfg))
        column_check = _image_column_check(split, path, shape, columns, cfg)
        if column_check is not None:
            checks.append(column_check)
        if tokenizer is None:
            tokenizer, processor, note, exact = load_processor(cfg, processor_path)
            checks.append(
                Check(
                    "processor",
                    PASS if exact else WARN,
                    note,
                    "" if exact else "pass --processor DIR (a local Qwen2.5-VL checkpoint) for exact counts.",
                )
            )
        report = sampling.measure_sample(path, cfg, tokenizer, processor, sample)
        if column_check is None and shape != "verl":
            checks.append(_sampled_images_check(split, path, report, cfg))
        checks += _sample_checks(split, path, shape, report, limit, cfg)
    return checks


def _image_column_check(split: str, path: str, shape: str, columns: list[str], cfg) -> Check | None:
    """FAIL when the file's pictures sit in a column the configured dataset does not read, or there is none."""
    if shape == "verl":
        return None
    ours = (cfg.data.get("custom_cls") or {}).get("path") == OUR_DATASET
    read = {cfg.data.image_key, IMAGE_COLUMN} if ours else {cfg.data.image_key}
    if read & set(columns):
        return None
    unread = [c for c in (IMAGE_COLUMN, "images") if c in columns]
    if unread:
        return Check(
            f"{split} images",
            FAIL,
            f"{path}: pictures in column {unread[0]!r}, but the dataset reads data.image_key={cfg.data.image_key!r}: "
            "every row would train without its image",
            f"set data.image_key={unread[0]}, or use the recipe's dataset (data.custom_cls.path={OUR_DATASET}).",
        )
    if cfg.data.get("allow_text_only", False):
        return Check(f"{split} images", WARN, f"{path}: no image column; text-only critic rows (data.allow_text_only)")
    return Check(
        f"{split} images",
        FAIL,
        f"{path}: no image column ({cfg.data.image_key!r} or {IMAGE_COLUMN!r}) in {columns}",
        "write the pictures in data prep (data_prep writes 'images'), or set data.allow_text_only=true.",
    )


def _sampled_images_check(split: str, path: str, report, cfg) -> Check:
    sampled = len(report.lengths) + len(report.errors)
    if not report.no_image:
        return Check(f"{split} images", PASS, f"{path}: every sampled row has its image ({sampled} sampled)")
    rows = ", ".join(str(i) for i in report.no_image[:5])
    detail = f"{path}: {len(report.no_image)}/{sampled} sampled rows have no image (rows {rows})"
    if cfg.data.get("allow_text_only", False):
        return Check(f"{split} images", WARN, detail + "; trained text-only (data.allow_text_only=true)")
    return Check(
        f"{split} images",
        FAIL,
        detail + "; training stops on the first one",
        "give every row its picture in data prep, or set data.allow_text_only=true to train them text-only.",
    )


def _label_check(split: str, path: str, shape: str, cfg) -> Check:
    counts = sampling.label_counts(path, shape)
    total = sum(counts.values())
    shown = ", ".join(f"{k}: {v} ({v / total:.0%})" for k, v in counts.most_common(6))
    invalid = sum(v for k, v in counts.items() if k.startswith("invalid:"))
    ties = counts.get("tie", 0)
    if invalid:
        return Check(
            f"{split} labels",
            FAIL,
            f"{path}: {invalid} rows with an unusable label; {shown}",
            "drop or fix those rows in data prep: a critic label must be 1 or 2 (or tie).",
        )
    if ties and shape == "pairwise" and not cfg.data.get("allow_tie", False):
        return Check(
            f"{split} labels",
            FAIL,
            f"{path}: {ties} tie rows but data.allow_tie=false; {shown}",
            "set data.allow_tie=true or drop the tie rows in data prep.",
        )
    majority = max(counts.values()) / total
    swapped = shape == "pairwise" and cfg.data.get("swap_prob", 0) > 0
    if majority > 0.6 and not swapped:
        return Check(
            f"{split} labels",
            WARN,
            f"{path}: unbalanced positions; {shown}",
            "balance the labels in data prep (swap the responses of some rows) or the critic learns a position bias.",
        )
    redraw = "drawn once: validation keeps one order" if split == "val" else "re-drawn each epoch"
    note = f" (positions swapped by data.swap_prob, {redraw})" if swapped else ""
    return Check(f"{split} labels", PASS, f"{path}: {total} rows; {shown}{note}")


def _sample_checks(split, path, shape, report, limit, cfg) -> list[Check]:
    checks = []
    measured = len(report.lengths) + len(report.errors)
    if report.errors:
        first = "; ".join(f"row {i}: {msg}" for i, msg in list(report.errors.items())[:3])
        checks.append(
            Check(
                f"{split} rows",
                FAIL,
                f"{len(report.errors)}/{measured} sampled rows fail to render: {first}",
                "fix those rows in data prep (each <image> marker needs one image, labels 1/2).",
            )
        )
    else:
        checks.append(Check(f"{split} rows", PASS, f"{shape} rows; {measured} sampled of {report.rows} render"))
    if not report.lengths:
        return checks
    over = report.overlong(limit)
    longest = max(report.lengths, key=report.lengths.get)
    detail = (
        f"{len(over)}/{len(report.lengths)} sampled rows over max_prompt_length={limit} "
        f"(~{len(over) / len(report.lengths) * report.rows:.0f} of {report.rows}); "
        f"longest row {longest}: {report.lengths[longest]} tokens"
    )
    if over and not cfg.data.filter_overlong_prompts:
        checks.append(
            Check(
                f"{split} prompt length",
                FAIL,
                detail,
                "set data.filter_overlong_prompts=true or raise data.max_prompt_length: an overlong "
                "multimodal prompt stops the run mid-way.",
            )
        )
    elif len(over) > 0.05 * len(report.lengths):
        checks.append(
            Check(
                f"{split} prompt length",
                WARN,
                detail + "; they will be filtered out",
                "raise data.max_prompt_length or lower data.max_pixels to keep them.",
            )
        )
    else:
        checks.append(Check(f"{split} prompt length", PASS, detail))
    if split == "train":
        kept = report.rows * (1 - len(over) / len(report.lengths))
        steps = int(kept // cfg.data.train_batch_size)
        status = PASS if steps > 0 else FAIL
        checks.append(
            Check(
                "steps",
                status,
                f"~{steps} steps/epoch x {cfg.trainer.total_epochs} epochs = ~{steps * cfg.trainer.total_epochs} steps",
                "" if steps else "use more data or a smaller data.train_batch_size.",
            )
        )
    return checks
