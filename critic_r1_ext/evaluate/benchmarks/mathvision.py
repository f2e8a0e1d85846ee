"""MathVision (testmini), ``MathLLMs/MathVision``, as ``eval_llama32v/model_mathvision_llama32v.py`` builds it.

The authors append " Options:" and "A. ..." lines (the header even without options); vLLM context
32768 as their script sets it. Official metric: accuracy overall and per subject.
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, free_form, need, options_block


def mathvision_item(row: dict, where: str) -> Item:
    need(row, where, "id", "question", "options", "answer", "decoded_image")
    options = list(row["options"] or [])
    question = row["question"] + options_block(options)
    images, category = [row["decoded_image"]], row.get("subject")
    if options:
        answer = str(row["answer"]).strip()
        return Item(str(row["id"]), question, images, "choice", answer, choices=options, category=category)
    return free_form(str(row["id"]), question, images, row["answer"], 2, category)


BENCHMARK = Benchmark(
    name="mathvision",
    hub_id="MathLLMs/MathVision",
    split="testmini",
    task="policy",
    paper_name="MathVision (testmini)",
    category="Image reasoning",
    script="eval_llama32v/model_mathvision_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mathvision_item,
    max_model_len=32768,
)
