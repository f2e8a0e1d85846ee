"""verl dataset adapter: turns critic rows into the paper's RL prompt, optionally swapping positions.

Selected by the recipe with ``data.custom_cls``; verl's ``create_rl_dataset`` builds it and the
AgentLoop workers reload it. Three row shapes are accepted:

* **pairwise** (what ``data_prep`` writes, and ``data_prep.pairwise``'s raw input): ``question``,
  ``response_1``, ``response_2``, ``label`` ("1", "2" or "tie"), and the picture(s) in ``images``
  (``data.image_key``) or ``image``; the prompt is rendered here (replacing any stored ``prompt``,
  which stays there for stock ``RLHFDataset`` users), and with probability
  ``data.swap_prob`` the responses trade places (the label follows). The draw is a pure function of
  ``(data.seed, row id, epoch)``, so a run is reproducible and each epoch sees fresh positions;
* **released** (``lmms-lab/LLaVA-Critic-GRPO-dataset``): ``question`` already holds the whole critic
  prompt, ``answer`` the label, ``image`` or ``images`` the picture(s);
* **verl** (``prompt`` present): passed through unchanged.

A critic row without any image is an error naming the row (raised when the files are loaded, before
verl's length filter could swallow it), unless ``data.allow_text_only=true``.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
from PIL import Image
from torch.utils.data import get_worker_info
from verl.utils.dataset.rl_dataset import RLHFDataset

from critic_r1_ext.prompt import pairwise_prompt, with_suffix
from critic_r1_ext.verdict import normalize_verdict

logger = logging.getLogger(__name__)

PAIRWISE_COLUMNS = ("question", "response_1", "response_2", "label")
RELEASED_DATA_SOURCE = "lmms-lab/LLaVA-Critic-GRPO-dataset"
PAIRWISE_DATA_SOURCE = "critic_r1/pairwise"
# The data.* keys this adapter reads (documented in the README beside the recipe keys).
DATA_KEYS = ("swap_prob", "allow_tie", "allow_text_only", "min_pixels", "max_pixels")
IMAGE_COLUMN = "image"  # data_prep.pairwise's raw input layout and the released set's column
_SWAPPED_LABEL = {"1": "2", "2": "1", "tie": "tie"}


def swap_positions(seed: int, row_id: str, epoch: int, swap_prob: float) -> bool:
    """Whether the two responses trade places for this row in this epoch (stable across processes)."""
    return swap_prob > 0 and random.Random(f"{seed}:{row_id}:{epoch}").random() < swap_prob


class CriticPairDataset(RLHFDataset):
    """``RLHFDataset`` that renders pairwise critic rows into the think/boxed critic prompt."""

    def __init__(self, data_files, tokenizer, config, processor=None, max_samples: int = -1):
        self.swap_prob = float(config.get("swap_prob", 0.0))
        if not 0.0 <= self.swap_prob <= 1.0:
            raise ValueError(f"data.swap_prob must be in [0, 1], got {self.swap_prob}")
        self.allow_tie = bool(config.get("allow_tie", False))
        self.allow_text_only = bool(config.get("allow_text_only", False))
        self.pixel_bounds = {k: int(config[k]) for k in ("min_pixels", "max_pixels") if config.get(k)}
        self._visits: Counter = Counter()
        self._epoch = 0
        self._warned_workers = False
        super().__init__(data_files, tokenizer, config, processor=processor, max_samples=max_samples)
        # Validation files keep one fixed order so that validation scores compare across steps.
        val_files, train_files = _file_list(config.get("val_files")), _file_list(config.get("train_files"))
        self.fixed_order = bool(val_files) and _file_list(self.original_data_files) == val_files != train_files

    def __getitem__(self, item):
        """Serve row ``item``; the number of earlier visits to it is its epoch for the swap draw."""
        if get_worker_info() is not None and self.swap_prob > 0 and not self._warned_workers:
            logger.warning(
                "CriticPairDataset runs in a DataLoader worker: swaps are drawn for epoch 0 every epoch. "
                "Set data.dataloader_num_workers=0 (the recipe default) to re-draw them each epoch."
            )
            self._warned_workers = True
        self._epoch = 0 if self.fixed_order else self._visits[item]
        self._visits[item] += 1
        return super().__getitem__(item)

    def state_dict(self) -> dict:
        """Visit counts, saved by verl's StatefulDataLoader so a resumed run draws the same swaps."""
        return {"visits": dict(self._visits)}

    def load_state_dict(self, state: dict) -> None:
        self._visits = Counter(state.get("visits", {}))

    def maybe_filter_out_long_prompts(self, dataframe=None):
        """Fail on critic rows without an image before verl's length filter, which drops rows that raise."""
        if not self.allow_text_only:
            self._check_images(dataframe)
        return super().maybe_filter_out_long_prompts(dataframe)

    def _check_images(self, dataframe) -> None:
        """Raise naming the first critic row with no image in ``data.image_key`` nor ``image``."""
        missing = rows_without_image(dataframe, self.image_key, self.prompt_key)
        if missing:
            raise ValueError(
                f"row {_row_id(dataframe[missing[0]])}: no image in '{self.image_key}' or '{IMAGE_COLUMN}' "
                f"({len(missing)} of {len(dataframe)} rows); a critic row needs its picture, "
                "or set data.allow_text_only=true to train on text-only rows"
            )

    def _build_messages(self, example: dict, key: str):
        """Render critic rows into verl's row shape in place, bound image sizes, then let verl place the images."""
        if key == self.prompt_key and (key not in example or _is_pairwise(example)):
            self._take_image_column(example)
            self._render(example)
        if self.pixel_bounds and example.get(self.image_key):
            example[self.image_key] = [self._bounded(image) for image in example[self.image_key]]
        return super()._build_messages(example, key)

    def _bounded(self, image):
        """The image as a dict carrying ``data.min_pixels``/``max_pixels``; a per-image cap only lowers them.

        qwen-vl-utils reads these keys at resize time, in the length filter and in rollout alike.
        """
        if isinstance(image, dict):
            bounded = {**self.pixel_bounds, **image}
            if "max_pixels" in self.pixel_bounds and image.get("max_pixels"):
                bounded["max_pixels"] = min(self.pixel_bounds["max_pixels"], int(image["max_pixels"]))
            return bounded
        if isinstance(image, Image.Image):
            return {**self.pixel_bounds, "image": image.convert("RGB")}
        return image

    def _take_image_column(self, example: dict) -> None:
        """Move an ``image`` column (one image or a list) into ``data.image_key`` when that holds none."""
        image = example.pop(IMAGE_COLUMN, None) if self.image_key != IMAGE_COLUMN else None
        if not example.get(self.image_key) and image is not None:
            example[self.image_key] = list(image) if isinstance(image, list | tuple) else [image]

    def _render(self, example: dict) -> None:
        row_id = _row_id(example)
        if not example.get(self.image_key) and not self.allow_text_only:
            raise ValueError(
                f"row {row_id}: no image in '{self.image_key}' or '{IMAGE_COLUMN}'; a critic row needs its picture, "
                "or set data.allow_text_only=true to train on text-only rows"
            )
        if _is_pairwise(example):
            self._render_pairwise(example, row_id)
        elif example.get("question") is not None and example.get("answer") is not None:
            self._render_released(example, row_id)
        else:
            present = sorted(k for k, v in example.items() if v is not None)
            raise ValueError(
                f"row {row_id}: not a critic row; expected {list(PAIRWISE_COLUMNS)} (pairwise), "
                f"question+answer (released) or '{self.prompt_key}' (verl); got columns {present}"
            )

    def _render_pairwise(self, example: dict, row_id: str) -> None:
        label = normalize_verdict(example.pop("label"))
        if label not in _SWAPPED_LABEL or (label == "tie" and not self.allow_tie):
            allowed = "1, 2 or tie" if self.allow_tie else "1 or 2 (set data.allow_tie=true for ties)"
            raise ValueError(f"row {row_id}: label must be {allowed}, got {label!r}")
        first, second = example.pop("response_1"), example.pop("response_2")
        swapped = swap_positions(self.config.get("seed") or 0, row_id, self._epoch, self.swap_prob)
        if swapped:
            first, second, label = second, first, _SWAPPED_LABEL[label]
        images = example.get(self.image_key) or []
        try:
            text = pairwise_prompt(example.pop("question"), first, second, len(images), allow_tie=self.allow_tie)
        except ValueError as err:
            raise ValueError(f"row {row_id}: {err}") from None
        self._finish(example, text, label, PAIRWISE_DATA_SOURCE, row_id, swapped=swapped)

    def _render_released(self, example: dict, row_id: str) -> None:
        label = str(example.pop("answer")).strip()
        self._finish(example, with_suffix(example.pop("question")), label, RELEASED_DATA_SOURCE, row_id)

    def _finish(self, example: dict, text: str, label: str, default_source: str, row_id: str, swapped: bool = False):
        example[self.prompt_key] = [{"role": "user", "content": text}]
        example["reward_model"] = {"style": "rule", "ground_truth": label}
        example["data_source"] = example.get("data_source") or default_source
        extra = dict(example.get("extra_info") or {})
        extra.setdefault("id", row_id)
        extra["swapped"] = swapped
        example["extra_info"] = extra


def _file_list(files) -> list[str]:
    if not files:
        return []
    return [str(files)] if isinstance(files, str) else [str(f) for f in files]


def rows_without_image(dataframe, image_key: str, prompt_key: str = "prompt") -> list[int]:
    """Positions of critic rows (not verl rows) with no image in ``image_key`` nor ``image`` (Arrow, no decoding)."""
    names = set(dataframe.column_names)
    if prompt_key in names or "question" not in names:
        return []
    columns = [c for c in (image_key, IMAGE_COLUMN) if c in names]
    table = dataframe.select_columns(columns).with_format("arrow")[:] if columns else None
    has_image = pa.chunked_array([pa.array([False] * len(dataframe))])
    for column in columns:
        has_image = pc.or_(has_image, _non_empty(table.column(column)))
    return pc.indices_nonzero(pc.invert(has_image)).to_pylist()


def _non_empty(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Per row: does the column hold an image (a non-null value; for a list column, a non-empty list)?"""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        return pc.fill_null(pc.greater(pc.list_value_length(column), 0), False)
    return pc.is_valid(column)


def _is_pairwise(example: dict) -> bool:
    return all(example.get(c) is not None for c in PAIRWISE_COLUMNS)


def _row_id(example: dict) -> str:
    """A stable id: ``extra_info.id``, an ``id`` column, ``extra_info.index``, else a hash of the texts."""
    extra = example.get("extra_info") or {}
    for value in (extra.get("id"), example.get("id"), extra.get("index")):
        if value is not None:
            return str(value)
    texts = "\x00".join(str(example.get(c)) for c in (*PAIRWISE_COLUMNS, "answer"))
    return "sha1:" + hashlib.sha1(texts.encode()).hexdigest()[:16]
