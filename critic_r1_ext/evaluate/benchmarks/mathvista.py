"""MathVista (testmini), ``AI4Math/MathVista``, as ``eval_llama32v/model_mathvista_llama32v.py`` builds it.

The dataset's ``query`` (hint, question, choices) is the question; ``decoded_image`` before it.
Official metric: accuracy overall and per task (MathVista's ``calculate_score.py``). MathVista
extracts the answer with a GPT model before its exact match; ours reads the last ``\\boxed{}``.
"""

from __future__ import annotations

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


BENCHMARK = Benchmark(
    name="mathvista",
    hub_id="AI4Math/MathVista",
    split="testmini",
    task="policy",
    paper_name="MathVista (testmini)",
    category="Image reasoning",
    script="eval_llama32v/model_mathvista_llama32v.py",
    item=mathvista_item,
)
