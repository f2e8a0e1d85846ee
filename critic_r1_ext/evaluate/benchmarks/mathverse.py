"""MathVerse (testmini), ``AI4Math/MathVerse`` config testmini, as ``eval_llama32v/model_mathverse_llama32v.py``.

``query_wo`` is the question as the authors send it; options are parsed from
``question_for_eval``'s "Choices:" block. Official metric: accuracy overall and per problem
version after GPT-4 answer extraction and GPT-4 judging (MathVerse's ``evaluation/extract_answer_s1.py``
and ``score_answer_s2.py``): ``accuracy`` needs a judge (``--judge-url``; ``_judged.EXTRACT`` then
``_judged.COMPARE``). Without one, the rule-based stand-in ``accuracy_rule_based`` (the last
``\\boxed{}``) is reported under its own name.
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks._judged import compared_accuracy, with_stand_in
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, free_form, need

_CHOICE = re.compile(r"^\(?([A-Z])\)?\s*[:.]\s*(.*)$")


def mathverse_item(row: dict, where: str) -> Item:
    need(row, where, "sample_index", "query_wo", "answer", "question_type", "image")
    images, category = [row["image"]], row.get("problem_version")
    item_id, query, answer = str(row["sample_index"]), row["query_wo"], str(row["answer"]).strip()
    if row["question_type"] == "multi-choice":
        block = str(row.get("question_for_eval") or query).split("Choices:")[-1]
        choices = [m.group(2).strip() for line in block.splitlines() if (m := _CHOICE.match(line.strip()))]
        letters = re.findall(r"[A-Z]", answer)
        if not letters:
            raise ValueError(f"{where}: multiple-choice answer {answer!r} names no option letter")
        return Item(item_id, query, images, "choice", ",".join(letters), choices=choices, category=category)
    return free_form(item_id, query, images, answer, 2, category)


def metrics(records: list[dict], judge=None) -> dict:
    """Judged accuracy (official; needs a judge), the rule-based stand-in, and per problem version (rule-based)."""
    return with_stand_in(
        compared_accuracy(records, judge, lambda r: r.get("question", "")), records, "per_version_rule_based"
    )


BENCHMARK = Benchmark(
    name="mathverse",
    hub_id="AI4Math/MathVerse",
    configs=("testmini",),
    split="testmini",
    task="policy",
    paper_name="MathVerse (testmini)",
    category="Image reasoning",
    script="eval_llama32v/model_mathverse_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mathverse_item,
    metrics=metrics,
    stand_in="accuracy_rule_based",
)
