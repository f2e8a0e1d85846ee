"""VLMs are Blind (BlindTest), ``XAI/vlmsareblind`` (split ``valid``), as ``model_blind_llama32v.py`` builds it.

The row's ``prompt`` (which already asks for its answer format, e.g. "{3}" or "Yes/No") is the
question; the image goes before it; images under 28 px on a side are skipped, as the authors'
script does (``min_image_side``; their script then pairs later outputs with the wrong
rows, which is not reproduced). The table has no id column: an item's id is its row position.

Official metric: the BlindTest paper (Rahmanzadehgervi et al., arXiv 2407.06581) reports accuracy
per task and their mean; its authors released no scorer. The public implementation is lmms-eval's
``vlmsareblind`` task, whose semantics are followed here: a task-specific reading of the answer
(yes/no; the first integer, braces optional; a single letter; a row/column pair written as
"{r}{c}", "(r,c)" or "rows={r} columns={c}"), lower-case equality with ``groundtruth``, and the two
counting-grid tasks merged into one, as the paper's Table 1 groups them. The reading is applied to
the last ``\\boxed{}`` (the authors' answer format), or to the text after the thinking when there is
no box. ``task_mean`` (the unweighted mean over tasks) is the headline value.
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy, accuracy_by_extra, group_mean
from critic_r1_ext.evaluate.benchmarks._rows import numbered_rows
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, need, numeric
from critic_r1_ext.verdict import answer_part

_COUNTS = {
    "line plot intersections",
    "subway connections",
    "olympic counting - circles",
    "olympic counting - pentagons",
    "nested squares",
}
_GRID_PATTERNS = (
    re.compile(r"\{(\d+)\}\s*\{(\d+)\}"),
    re.compile(r"\((\d+)\s*,\s*(\d+)\)"),
    re.compile(r"rows=\{(\d+)\}\scolumns=\{(\d+)\}"),
)


def task_group(task: str) -> str:
    """The task a result counts for: the two counting-grid tasks are one (the paper's Table 1)."""
    task = task.strip().lower()
    return "counting grid" if task.startswith("counting grid") else task


def blind_item(row: dict, where: str) -> Item:
    need(row, where, "_row", "task", "prompt", "groundtruth", "image")
    task, truth = str(row["task"]), str(row["groundtruth"]).strip()
    extra = {"task": task_group(task)}
    if task_group(task) == "counting grid":
        numbers = re.findall(r"\d+", truth)
        if len(numbers) != 2:
            raise ValueError(f"{where}: counting-grid groundtruth {truth!r} is not a row/column pair")
        rows, cols = numbers
        spellings = [f"({rows},{cols})", f"rows={rows} columns={cols}", f"rows={{{rows}}} columns={{{cols}}}"]
        return Item(
            str(row["_row"]),
            row["prompt"],
            [row["image"]],
            "text",
            f"{rows},{cols}",
            alternatives=spellings,
            category=task,
            extra=extra,
        )
    kind = "number" if numeric(truth) and "," not in truth else "text"
    return Item(str(row["_row"]), row["prompt"], [row["image"]], kind, truth, category=task, extra=extra)


def official_reading(task: str, text: str) -> str | None:
    """What the official task-specific parser reads from ``text`` (``None``: not in the expected format)."""
    text, task = text.strip().lower(), task_group(task)
    if task == "touching circles":
        return text if text in ("yes", "no") else None
    if task in _COUNTS:
        match = re.search(r"\{?(\d+)\}?", text)
        return match.group(1) if match else None
    if task == "circled letter":
        match = re.search(r"\{?([a-z])\}?", text)
        return match.group(1) if match else None
    if task == "counting grid":
        for pattern in _GRID_PATTERNS:
            if match := pattern.search(text):
                return f"{match.group(1)},{match.group(2)}"
    return None


def official_correct(record: dict) -> bool:
    """One result under the official reading: the box's content (else the text after the thinking)."""
    reference = record["reference"]
    extracted = record.get("extracted")
    text = extracted if extracted is not None else answer_part(str(record.get("output") or ""))
    reading = official_reading(reference["extra"]["task"], text)
    return reading is not None and reading == reference["answer"].strip().lower()


def metrics(records: list[dict], judge=None) -> dict:
    """Accuracy per task (counting grids merged), their unweighted mean and the overall accuracy (fractions)."""
    scored = [{**r, "correct": official_correct(r)} for r in records]
    per_task = accuracy_by_extra(scored, "task")
    return {
        "task_mean": group_mean(per_task),
        "per_task": per_task,
        "accuracy": accuracy(scored),
    }


BENCHMARK = Benchmark(
    name="blind",
    hub_id="XAI/vlmsareblind",
    split="valid",
    task="policy",
    paper_name="VLMs are Blind",
    category="Image reasoning",
    script="eval_llama32v/model_blind_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=blind_item,
    metrics=metrics,
    main_metric="task_mean",
    rows=numbered_rows,
)
