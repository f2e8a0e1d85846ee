"""ChartQA (test), ``lmms-lab/ChartQA``, as ``eval_llama32v/model_chartqa_llama32v.py`` builds it.

Rows: ``type`` (``human_test`` or ``augmented_test``), ``question``, ``answer``, ``image``; no id
column, so an item's id is its row position. Prompt: the question and "Answer the question using a
single word or number." Official metric: ChartQA's relaxed accuracy (Masry et al. 2022, section
5.1, following Methani et al. 2020; the rule as lmms-eval and Qwen-VL implement it): when both the
prediction and the answer read as numbers (a trailing "%" divides by 100) and the answer is not
zero, the prediction may be off by up to 5% of the answer; otherwise the two must be equal ignoring
case. Reported overall and on the human and augmented halves.
"""

from __future__ import annotations

import math

from critic_r1_ext.evaluate.benchmarks._prediction import prediction, row_position
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, free_form, need

SUFFIX = "\nAnswer the question using a single word or number."
TOLERANCE = 0.05


def chartqa_item(row: dict, where: str) -> Item:
    need(row, where, "type", "question", "answer", "image")
    question = str(row["question"]) + SUFFIX
    return free_form(row_position(where), question, [row["image"]], row["answer"], None, str(row["type"]))


def _number(text: str) -> float | None:
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def relaxed_correct(predicted: str, answer: str) -> bool:
    """ChartQA's relaxed match of one prediction against one answer."""
    got, want = _number(predicted), _number(answer)
    if got is not None and want:
        return abs(got - want) / abs(want) <= TOLERANCE
    return predicted.lower() == answer.lower()


def _relaxed(records: list[dict]) -> float | None:
    hits = [relaxed_correct(prediction(r), r["reference"]["answer"]) for r in records]
    return sum(hits) / len(hits) if hits else None


def metrics(records: list[dict], judge=None) -> dict:
    """Relaxed accuracy overall, on ``human_test`` and on ``augmented_test`` (fractions)."""
    human = [r for r in records if r["reference"].get("category") == "human_test"]
    augmented = [r for r in records if r["reference"].get("category") == "augmented_test"]
    return {
        "relaxed_accuracy": _relaxed(records),
        "relaxed_human": _relaxed(human),
        "relaxed_augmented": _relaxed(augmented),
    }


BENCHMARK = Benchmark(
    name="chartqa",
    hub_id="lmms-lab/ChartQA",
    split="test",
    task="policy",
    paper_name="ChartQA (test)",
    category="Chart understanding",
    script="eval_llama32v/model_chartqa_llama32v.py",
    item=chartqa_item,
    metrics=metrics,
    main_metric="relaxed_accuracy",
)
