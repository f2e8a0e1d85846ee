"""MathVista (testmini), ``AI4Math/MathVista``, as ``eval_llama32v/model_mathvista_llama32v.py`` builds it.

The dataset's ``query`` (hint, question, choices) is the question; ``decoded_image`` before it.
Official metric: accuracy overall and per task (MathVista's ``evaluation/calculate_score.py``)
after a GPT answer extraction (``evaluation/extract_answer.py`` with the few-shot prompt of
``evaluation/prompts/ext_ans.py``): ``accuracy`` needs a judge (``--judge-url``; extraction with
``_judged.EXTRACT``, then our matching by answer type and precision). Without one, the
rule-based stand-in ``accuracy_rule_based`` (the last ``\\boxed{}``) is reported under its own name.
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._judged import judged_accuracy, with_stand_in
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, Benchmark, Item, need


def mathvista_item(row: dict, where: str) -> Item:
    need(row, where, "pid", "query", "answer", "question_type", "answer_type", "decoded_image")
    images = [row["decoded_image"]]
    meta = row.get("metadata") or {}
    category = meta.get("task") if isinstance(meta, dict) else None
    item_id, query = str(row["pid"]), row["query"]
    if row["question_type"] == "multi_choice":
        choices = list(row.get("choices") or [])
        if row["answer"] not in choices:
            raise ValueError(f"{where}: answer {row['answer']!r} is not one of the choices {choices}")
        letter = LETTERS[choices.index(row["answer"])]
        return Item(item_id, query, images, "choice", letter, choices=choices, category=category)
    unit = row.get("unit") or None
    if row["answer_type"] in ("integer", "float"):
        precision = None if row["answer_type"] == "integer" else int(row.get("precision") or 0)
        return Item(
            item_id, query, images, "number", str(row["answer"]), precision=precision, unit=unit, category=category
        )
    return Item(item_id, query, images, "text", str(row["answer"]), unit=unit, category=category)


def metrics(records: list[dict], judge=None) -> dict:
    """Judged accuracy (official; needs a judge), the rule-based stand-in, and per task (rule-based)."""
    return with_stand_in(
        judged_accuracy(records, judge, lambda r: r.get("question", "")), records, "per_task_rule_based"
    )


BENCHMARK = Benchmark(
    name="mathvista",
    hub_id="AI4Math/MathVista",
    split="testmini",
    task="policy",
    paper_name="MathVista (testmini)",
    category="Image reasoning",
    script="eval_llama32v/model_mathvista_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mathvista_item,
    metrics=metrics,
    stand_in="accuracy_rule_based",
)
