"""ZeroBench sub-questions, ``jonathan-roberts1/zerobench`` (split ``zerobench_subquestions``).

As ``eval_llama32v/model_zerobenchsub_llama32v.py`` builds it: ``question_text`` as the question,
every image of ``question_images_decoded`` before it, no skip rule, vLLM context 32768. (That script
exists but is not in the authors' ``evaluation_llama32v.sh`` list.)

Official metric (the evaluation snippet of the ZeroBench dataset card, arXiv 2502.09696): the
answer is the content of the last ``{...}`` in the lower-cased response (no nesting: the first
``}`` closes it) and is right when it equals the lower-cased, stripped ground truth exactly;
accuracy over the sub-questions. ZeroBench asks for the answer in curly braces, the authors' prompt
for ``\\boxed{}``: the last ``{...}`` of "\\boxed{42}" is "42", so the rule reads boxed answers too,
but not nested ones ("\\boxed{\\frac{1}{2}}"). It is applied to the text after the thinking. Our
strict column reads the balanced last box and compares numbers by value ("11.9" for "11.90").
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, need
from critic_r1_ext.verdict import answer_part

_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_BRACED = re.compile(r"\{(.*?)\}")


def zerobench_item(row: dict, where: str) -> Item:
    need(row, where, "question_id", "question_text", "question_images_decoded", "question_answer")
    images = list(row["question_images_decoded"] or [])
    if not images:
        raise ValueError(f"{where}: question_images_decoded is empty")
    answer = str(row["question_answer"]).strip()
    kind = "number" if _PLAIN_NUMBER.fullmatch(answer) else "text"
    return Item(str(row["question_id"]), row["question_text"], images, kind, answer)


def official_correct(record: dict) -> bool:
    """The dataset card's rule on one output: last ``{...}`` equals the ground truth (case-insensitive)."""
    found = _BRACED.findall(answer_part(str(record.get("output") or "")).strip().lower())
    return bool(found) and found[-1] == record["reference"]["answer"].strip().lower()


def metrics(records: list[dict], judge=None) -> dict:
    """Sub-question accuracy (fraction)."""
    return {"accuracy": accuracy([{"correct": official_correct(r)} for r in records])}


BENCHMARK = Benchmark(
    name="zerobench_sub",
    hub_id="jonathan-roberts1/zerobench",
    split="zerobench_subquestions",
    task="policy",
    paper_name="ZeroBench (sub-questions)",
    category="Image reasoning",
    script="eval_llama32v/model_zerobenchsub_llama32v.py",
    min_image_side=0,  # the script has no small-image rule
    item=zerobench_item,
    metrics=metrics,
    max_model_len=32768,
)
