"""V* Bench, ``russwang/vstarbench`` (split ``train``), as ``eval_llama32v/model_vstar_llama32v.py`` builds it.

The row's ``text`` (question, "(A) ..." option lines and its own answer-format line) is the whole
question; ``decoded_image`` holds the encoded image bytes, sent before the text. The authors skip
images under 28 px on a side (``min_image_side``).

Official metric (penghao-wu/vstar ``vstar_bench_eval.py``): accuracy per question type
(``direct_attributes``, ``relative_position``) and overall accuracy over all questions. The official
script picks the option by likelihood; a generative model names its option, read here from the
last ``\\boxed{}`` (the strict scorer), so official and strict columns agree by construction.
The item id is the row's ``question_id`` (its position when the table has none).
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy, accuracy_by
from critic_r1_ext.evaluate.benchmarks._rows import numbered_rows
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, Benchmark, Item, need

_OPTION = re.compile(r"^\(([A-Z])\)\s*(.*?)\s*$", re.M)


def vstar_item(row: dict, where: str) -> Item:
    need(row, where, "text", "decoded_image", "label")
    choices = [text for _, text in _OPTION.findall(row["text"])]
    label = str(row["label"]).strip().strip("()").upper()
    if len(label) != 1 or label not in LETTERS[: len(choices)]:
        raise ValueError(f"{where}: label {row['label']!r} names none of the {len(choices)} options in the text")
    image = row["decoded_image"]
    if isinstance(image, bytes | bytearray):
        image = {"bytes": bytes(image), "path": None}
    category = row.get("category")
    item_id = str(row["question_id"] if row.get("question_id") is not None else row["_row"])
    return Item(item_id, row["text"], [image], "choice", label, choices=choices, category=category)


def metrics(records: list[dict], judge=None) -> dict:
    """Overall accuracy and accuracy per category (fractions), as ``vstar_bench_eval.py`` prints them."""
    return {"accuracy": accuracy(records), "per_category": accuracy_by(records, lambda ref: ref.get("category"))}


BENCHMARK = Benchmark(
    name="vstar",
    hub_id="russwang/vstarbench",
    split="train",
    task="policy",
    paper_name="V* Bench",
    category="Image reasoning",
    script="eval_llama32v/model_vstar_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=vstar_item,
    metrics=metrics,
    rows=numbered_rows,
)
