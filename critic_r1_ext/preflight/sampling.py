"""Data helpers for the preflight's data checks: columns, row shape, labels, and prompt lengths as verl measures them.

Only a random sample of rows goes through the dataset (our ``data.custom_cls`` built by verl's
``create_rl_dataset``), so a 40k-row parquet with images costs seconds, not minutes; labels are
read for every row (one column).
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from omegaconf import OmegaConf
from tqdm import tqdm

from critic_r1_ext.dataset import PAIRWISE_COLUMNS, rows_without_image
from critic_r1_ext.verdict import normalize_verdict

SHAPES = {
    "pairwise": set(PAIRWISE_COLUMNS),
    "released": {"question", "answer"},
    "verl": {"prompt", "reward_model"},
}
LABEL_COLUMN = {"pairwise": "label", "released": "answer", "verl": "reward_model"}


@dataclass
class SampleReport:
    """Prompt lengths of sampled rows (by file row index), rows that could not be rendered, rows without image."""

    rows: int
    lengths: dict[int, int] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    no_image: list[int] = field(default_factory=list)

    def overlong(self, limit: int) -> list[int]:
        return sorted(i for i, n in self.lengths.items() if n > limit)


def as_list(files) -> list[str]:
    if files is None:
        return []
    return [str(files)] if isinstance(files, str) else [str(f) for f in files]


def read_columns(path: str) -> list[str]:
    """Column names of a parquet or json(l) file."""
    if path.endswith(".parquet"):
        return pq.read_schema(path).names
    return _read_json(path).column_names


def row_shape(columns: list[str]) -> str | None:
    """Which row shape the columns carry: pairwise, released, verl, or None."""
    present = set(columns)
    for shape, needed in SHAPES.items():
        if needed <= present:
            return shape
    return None


def label_counts(path: str, shape: str) -> Counter:
    """Normalised labels of every row ("1", "2", "tie", or "invalid:<raw>")."""
    column = LABEL_COLUMN[shape]
    table = pq.read_table(path, columns=[column]) if path.endswith(".parquet") else _read_json(path).select([column])
    counts: Counter = Counter()
    for value in table.column(column).to_pylist():
        raw = value.get("ground_truth") if isinstance(value, dict) else value
        label = normalize_verdict(raw)
        counts[label if label in ("1", "2", "tie") else f"invalid:{raw!r}"] += 1
    return counts


def sample_file(path: str, n: int, seed: int, out_dir: Path) -> tuple[Path, list[int], int]:
    """Write ``n`` random rows of ``path`` (same schema) to a parquet in ``out_dir``; return it, indices, total."""
    table_or_file = pq.ParquetFile(path) if path.endswith(".parquet") else _read_json(path)
    total = table_or_file.metadata.num_rows if isinstance(table_or_file, pq.ParquetFile) else table_or_file.num_rows
    picked = sorted(random.Random(seed).sample(range(total), min(n, total)))
    if isinstance(table_or_file, pa.Table):
        sample = table_or_file.take(picked)
    else:
        sample = _take_from_row_groups(table_or_file, picked)
    out = out_dir / f"sample_{Path(path).stem}.parquet"
    pq.write_table(sample, out)
    return out, picked, total


def _take_from_row_groups(parquet: pq.ParquetFile, picked: list[int]) -> pa.Table:
    """Read only the row groups that hold picked rows (memory stays at one row group)."""
    parts, start = [], 0
    for group in range(parquet.num_row_groups):
        size = parquet.metadata.row_group(group).num_rows
        local = [i - start for i in picked if start <= i < start + size]
        if local:
            parts.append(parquet.read_row_group(group).take(local))
        start += size
    return pa.concat_tables(parts)


def _read_json(path: str) -> pa.Table:
    import datasets

    return datasets.load_dataset("json", data_files=path, split="train").data.table


def measure_sample(path: str, cfg, tokenizer, processor, n: int) -> SampleReport:
    """Build the dataset on a sample of ``path`` (length filter off) and measure every sampled prompt.

    Text-only rows are let through here (and listed in ``no_image``) so that the rest still gets measured.
    """
    from verl.trainer.ppo.utils import create_rl_dataset

    data_cfg = OmegaConf.merge(cfg.data, {"filter_overlong_prompts": False})
    OmegaConf.set_struct(data_cfg, False)  # the recipe adds allow_text_only; a plain verl config has no such key
    data_cfg.allow_text_only = True
    with tempfile.TemporaryDirectory() as tmp:
        sample, picked, total = sample_file(path, n, cfg.data.get("seed") or 0, Path(tmp))
        dataset = create_rl_dataset(str(sample), data_cfg, tokenizer, processor, is_train=False)
        report = SampleReport(rows=total)
        no_image = rows_without_image(dataset.dataframe, cfg.data.image_key, cfg.data.prompt_key)
        report.no_image = [picked[position] for position in no_image]
        for position, row_index in enumerate(tqdm(picked, desc=f"tokenizing {Path(path).name}", unit="row")):
            try:
                report.lengths[row_index] = prompt_length(dataset, dataset.dataframe[position])
            except Exception as err:  # any failure here would stop or silently drop the row in training
                report.errors[row_index] = f"{type(err).__name__}: {err}"
    return report


def prompt_length(dataset, row: dict) -> int:
    """Prompt tokens of ``row`` counted as verl's overlong filter and rollout count them.

    The same calls as ``RLHFDataset.maybe_filter_out_long_prompts``: our dataset renders the
    messages, the processor's chat template adds the turn markers, qwen-vl-utils resizes images
    (within ``data.min_pixels``/``max_pixels``), and the processor expands each image into its tokens.
    """
    from verl.utils.tokenizer import build_multimodal_processor_inputs

    messages = dataset._build_messages(row, key=dataset.prompt_key)
    raw = dataset.processor.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False, **dataset.apply_chat_template_kwargs
    )
    images, videos, audios = dataset._process_multi_modal_info(messages, dataset.image_patch_size, dataset.config)
    if images is None and videos is None and audios is None:
        ids = dataset.processor.tokenizer(text=raw, add_special_tokens=False, return_attention_mask=False)["input_ids"]
        return len(ids)
    inputs = build_multimodal_processor_inputs(
        dataset.processor,
        text=[raw],
        images=images,
        videos=videos,
        audio=audios,
        mm_processor_kwargs=dataset.mm_processor_kwargs,
    )
    return len(inputs["input_ids"][0])
