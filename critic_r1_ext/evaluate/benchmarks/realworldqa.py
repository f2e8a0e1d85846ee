"""RealWorldQA, ``visheratin/realworldqa`` (split ``test``), as ``eval_llama32v/model_realworldqa_llama32v.py``.

The row's ``question`` already holds the "A. ..." option lines and the answer-format line, and is
sent as it is; the image goes before it; images under 28 px on a side are skipped (the script's
rule, ``min_image_side``). The table has no id column: an item's id is its row position.

Official metric: xAI released RealWorldQA as data only (no scorer); its reported number is the
exact-match accuracy. Implemented as in lmms-eval's ``realworldqa`` task: a letter answer is
matched by the option letter the model gives, any other answer by case-insensitive equality after
stripping spaces and a final period; applied to the last ``\\boxed{}`` (the authors' answer
format). Our strict column also accepts an option given by its text and numbers written otherwise
("2.0" for "2").
"""

from __future__ import annotations

import re

from critic_r1_ext.common.answers import normalize_answer
from critic_r1_ext.evaluate.benchmarks._metrics import accuracy
from critic_r1_ext.evaluate.benchmarks._rows import numbered_rows
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, Benchmark, Item, free_form, need

_OPTION = re.compile(r"^([A-Z])\.\s+(.*?)\s*$", re.M)


def realworldqa_item(row: dict, where: str) -> Item:
    need(row, where, "_row", "question", "answer", "image")
    item_id, answer = str(row["_row"]), str(row["answer"]).strip()
    choices = [text for _, text in _OPTION.findall(row["question"])]
    if len(answer) == 1 and answer in LETTERS[: len(choices)]:
        return Item(item_id, row["question"], [row["image"]], "choice", answer, choices=choices)
    return free_form(item_id, row["question"], [row["image"]], answer, None, None)


def exact_match(reference: dict, extracted: str | None) -> bool:
    """The official exact match of one boxed answer (``None``: no box, wrong)."""
    if extracted is None:
        return False
    if reference["kind"] == "choice":  # the letter, bare or as "(C)" / "C." / "C. Right"
        return normalize_answer(extracted) == reference["answer"].lower()
    return extracted.strip().lower().rstrip(".").strip() == reference["answer"].strip().lower()


def metrics(records: list[dict], judge=None) -> dict:
    """Exact-match accuracy (fraction)."""
    return {"accuracy": accuracy([{"correct": exact_match(r["reference"], r.get("extracted"))} for r in records])}


BENCHMARK = Benchmark(
    name="realworldqa",
    hub_id="visheratin/realworldqa",
    split="test",
    task="policy",
    paper_name="RealWorldQA",
    category="Perception & general VQA",
    script="eval_llama32v/model_realworldqa_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=realworldqa_item,
    metrics=metrics,
    rows=numbered_rows,
)
