"""OCRBench (test, 1000 items), ``echo840/OCRBench``, as ``eval_llama32v/model_ocrbench_llama32v.py`` builds it.

Rows: ``dataset`` (the source set), ``question``, ``question_type`` (one of the ten types below),
``answer`` (a list of accepted answers), ``image``; no id column, so an item's id is its row
position. Prompt: the question alone. Official metric (Yuliang-Liu/MultimodalOCR,
``OCRBench/example.py``): an item scores 1 when any accepted answer occurs inside the prediction;
for HME100k (handwritten formulas) after removing spaces and line breaks from both, for the rest
after lower-casing, trimming and turning line breaks into spaces. The score is the count of items
scored (out of 1000 on the full set), per question type, with the six recognition types summed as
"Text Recognition".
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._prediction import prediction, row_position
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, need

RECOGNITION = (
    "Regular Text Recognition",
    "Irregular Text Recognition",
    "Artistic Text Recognition",
    "Handwriting Recognition",
    "Digit String Recognition",
    "Non-Semantic Text Recognition",
)
QUESTION_TYPES = RECOGNITION + (
    "Scene Text-centric VQA",
    "Doc-oriented VQA",
    "Key Information Extraction",
    "Handwritten Mathematical Expression Recognition",
)


def ocrbench_item(row: dict, where: str) -> Item:
    need(row, where, "dataset", "question", "question_type", "answer", "image")
    answers = [str(a) for a in row["answer"]] if isinstance(row["answer"], list) else [str(row["answer"])]
    if not answers:
        raise ValueError(f"{where}: no accepted answer")
    return Item(
        row_position(where),
        str(row["question"]),
        [row["image"]],
        "text",
        answers[0],
        alternatives=answers[1:],
        category=str(row["question_type"]),
        extra={"dataset": str(row["dataset"])},
    )


def official_correct(predicted: str, answers: list[str], dataset: str) -> bool:
    """OCRBench's substring rule for one prediction."""
    if dataset == "HME100k":

        def clean(text: str) -> str:
            return text.strip().replace("\n", " ").replace(" ", "")
    else:

        def clean(text: str) -> str:
            return text.lower().strip().replace("\n", " ")

    got = clean(predicted)
    return any(clean(answer) in got for answer in answers)


def metrics(records: list[dict], judge=None) -> dict:
    """``score``: items scored (count, out of the items run); ``accuracy``: score / items; per type counts."""
    per_type = {name: 0 for name in QUESTION_TYPES}
    score = 0
    for r in records:
        ref = r["reference"]
        hit = official_correct(prediction(r), [ref["answer"], *ref.get("alternatives", [])], ref["extra"]["dataset"])
        score += hit
        per_type[ref.get("category")] = per_type.get(ref.get("category"), 0) + hit
    return {
        "score": score,
        "accuracy": score / len(records) if records else None,
        "text_recognition": sum(per_type[name] for name in RECOGNITION),
        "per_type": per_type,
    }


BENCHMARK = Benchmark(
    name="ocrbench",
    hub_id="echo840/OCRBench",
    split="test",
    task="policy",
    paper_name="OCRBench",
    category="Chart understanding",
    script="eval_llama32v/model_ocrbench_llama32v.py",
    item=ocrbench_item,
    metrics=metrics,
)
