"""MMStar (val), ``Lin-Chen/MMStar``, as ``eval_llama32v/model_mmstar_llama32v.py`` builds it.

The question (options inline, "A: ..., B: ...") plus the authors' answer-format line. Official
metric: accuracy overall and per core capability (``category``).
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, need

_OPTION = re.compile(r"(?:^|\s)([A-F]): (.*?)(?=,\s*[A-F]: |\n|$)", re.S)


def mmstar_item(row: dict, where: str) -> Item:
    need(row, where, "index", "question", "answer", "image")
    options_text = row["question"].split("Options:")[-1] if "Options:" in row["question"] else ""
    choices = [m.group(2).strip() for m in _OPTION.finditer(options_text)]
    question = row["question"] + "\nAnswer with the option's letter from the given choices."
    answer = str(row["answer"]).strip()
    return Item(
        str(row["index"]), question, [row["image"]], "choice", answer, choices=choices, category=row.get("category")
    )


BENCHMARK = Benchmark(
    name="mmstar",
    hub_id="Lin-Chen/MMStar",
    split="val",
    task="policy",
    paper_name="MMStar (val)",
    category="Perception & general VQA",
    script="eval_llama32v/model_mmstar_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mmstar_item,
)
