"""AI2D (test), ``lmms-lab/ai2d``, as ``eval_llama32v/model_ai2d_llama32v.py`` builds it.

Rows: ``question``, ``options`` (list), ``answer`` (the right option's index as a string),
``image``; no id column, so an item's id is its row position. Prompt: the question, " Options:" and
"A. ..." lines, then "Answer with the option's letter from the given choices." Official metric:
accuracy as lmms-eval's ``ai2d`` task scores it (AI2D's authors publish no scorer for generated
answers): a prediction that starts with "X." counts as letter X, any other is compared whole, and it
must equal the right letter ignoring case, punctuation and surrounding spaces.
"""

from __future__ import annotations

import re
import string

from critic_r1_ext.evaluate.benchmarks._prediction import prediction, row_position
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, Benchmark, Item, need, options_block

SUFFIX = "\nAnswer with the option's letter from the given choices."
_LEADING_LETTER = re.compile(r"^\s*([A-Z])\.")
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def ai2d_item(row: dict, where: str) -> Item:
    need(row, where, "question", "options", "answer", "image")
    options = [str(option) for option in row["options"]]
    try:
        index = int(str(row["answer"]).strip())
    except ValueError:
        raise ValueError(f"{where}: answer {row['answer']!r} is not an option index") from None
    if not 0 <= index < len(options):
        raise ValueError(f"{where}: answer index {index} is outside the {len(options)} options")
    question = str(row["question"]) + options_block(options) + SUFFIX
    return Item(row_position(where), question, [row["image"]], "choice", LETTERS[index], choices=options)


def official_correct(predicted: str, letter: str) -> bool:
    """lmms-eval's AI2D rule: a leading "X." gives letter X; equality ignoring case, punctuation and spaces."""
    match = _LEADING_LETTER.match(predicted)
    value = match.group(1) if match else predicted
    return value.translate(_PUNCTUATION).strip().lower() == letter.lower()


def metrics(records: list[dict], judge=None) -> dict:
    """``accuracy``: the official rule (a fraction)."""
    official = [official_correct(prediction(r), r["reference"]["answer"]) for r in records]
    return {"accuracy": sum(official) / len(official) if official else None}


BENCHMARK = Benchmark(
    name="ai2d",
    hub_id="lmms-lab/ai2d",
    split="test",
    task="policy",
    paper_name="AI2D (test)",
    category="Chart understanding",
    script="eval_llama32v/model_ai2d_llama32v.py",
    item=ai2d_item,
    metrics=metrics,
)
