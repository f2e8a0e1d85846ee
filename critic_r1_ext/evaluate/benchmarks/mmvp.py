"""MMVP, the public release ``MMVP/MMVP`` (``Questions.csv`` and ``MMVP Images/<Index>.jpg``).

``eval_llama32v/model_mmvp_llama32v.py`` reads ``MMVP/Questions.xlsx`` and ``MMVP Images/<Index>.jpg``
from a local copy of that hub dataset repository; here it is a snapshot of the repository (the
``datasets`` loader sees only its images), or ``--data mmvp=DIR`` with the same layout, or a table
with an ``image`` column in the same schema (``lmms-lab-eval/MMVP``, whose answers of questions
99/100 and 279/280 are corrected; ours are the original's). The question is ``Question`` and
``Options`` glued together as the authors do (no space), then " Please answer directly with only
the letter of the correct option."; the image goes first; images under 28 px on a side are skipped.

Official metric (tsb0601/MMVP ``scripts/gpt_grader.py``): a GPT-4 judge says yes or no to each
answer given the question and the correct option; questions come in pairs (1-2, 3-4, ...) about
two images and a pair counts only when both are graded yes. ``pair_accuracy`` is that with
``--judge-url`` (the judge sees the text after the thinking) and says it needs a judge otherwise
(also when the judge fails on any answer: ``judge_failures``); ``pair_accuracy_strict`` pairs our
strict scorer's verdicts instead. A pair with a skipped or missing question is left out
(``incomplete_pairs``); the official script would pair the wrong lines.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from critic_r1_ext.evaluate.benchmarks.base import LETTERS, NEEDS_JUDGE, Benchmark, Item, need
from critic_r1_ext.evaluate.benchmarks.loading import load_rows
from critic_r1_ext.verdict import answer_part

_OPTION = re.compile(r"\(([a-z])\)\s*(.*?)\s*(?=\([a-z]\)|$)", re.I | re.S)
# The official grader's prompts (tsb0601/MMVP scripts/gpt_grader.py), sent as they are.
JUDGE_SYSTEM = (
    "You are a helpful and precise assistant for checking the quality of the answer. Please answer in only yes or no."
)
JUDGE_PROMPT = (
    "Given the following question {question}, the correct answer is {answer}. "
    "Does the following answer correctly answers the question, answer:{response}?"
)


def mmvp_rows(benchmark, source: str | None = None, limit: int | None = None):
    """Rows of ``Questions.csv`` with their image path, or of a table that has an ``image`` column."""
    if source is None:
        from huggingface_hub import snapshot_download

        source = snapshot_download(repo_id=benchmark.hub_id, repo_type="dataset")
    table = Path(source) / "Questions.csv"
    if not table.is_file():
        yield from load_rows(benchmark, source, limit)
        return
    with table.open(newline="", encoding="utf-8-sig") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            if limit is not None and position >= limit:
                break
            index = str(row.get("Index", "")).strip()
            yield {**row, "image": str(Path(source) / "MMVP Images" / f"{index}.jpg")}


def mmvp_item(row: dict, where: str) -> Item:
    need(row, where, "Index", "Question", "Options", "Correct Answer", "image")
    try:
        index = int(str(row["Index"]).strip())
    except ValueError:
        raise ValueError(f"{where}: Index {row['Index']!r} is not a number") from None
    choices = [text for _, text in _OPTION.findall(str(row["Options"]))]
    answer = str(row["Correct Answer"]).strip().strip("()").upper()
    if len(answer) != 1 or answer not in LETTERS[: len(choices)]:
        raise ValueError(f"{where}: Correct Answer {row['Correct Answer']!r} names none of the options {choices}")
    question = (
        str(row["Question"])
        + str(row["Options"])
        + " Please answer directly with only the letter of the correct option."
    )
    extra = {
        "pair": (index - 1) // 2,
        "grader_question": f"{row['Question']} {row['Options']}",
        "grader_answer": str(row["Correct Answer"]).strip(),
    }
    return Item(str(index), question, [row["image"]], "choice", answer, choices=choices, extra=extra)


def _pairs(records: list[dict], verdicts: list[bool]) -> tuple[float | None, int]:
    """(share of complete pairs with both verdicts true, number of incomplete pairs)."""
    pairs: dict[int, list[bool]] = {}
    for record, verdict in zip(records, verdicts, strict=True):
        pairs.setdefault(record["reference"]["extra"]["pair"], []).append(verdict)
    complete = [v for v in pairs.values() if len(v) == 2]
    return (sum(all(v) for v in complete) / len(complete) if complete else None), len(pairs) - len(complete)


def judge_says_yes(judge, record: dict) -> bool | None:
    """The official grader's verdict on one answer (``None`` when the judge never answered)."""
    extra = record["reference"]["extra"]
    prompt = JUDGE_PROMPT.format(
        question=extra["grader_question"],
        answer=extra["grader_answer"],
        response=answer_part(str(record.get("output") or "")),
    )
    reply = judge.ask(prompt, system=JUDGE_SYSTEM)
    return None if reply is None else re.fullmatch(r"(yes|no)", reply, re.I) is not None and reply.lower() == "yes"


def metrics(records: list[dict], judge=None) -> dict:
    """Pair accuracy (judge) and pair accuracy from the strict verdicts (fractions), incomplete pairs."""
    pair_strict, incomplete = _pairs(records, [bool(r.get("correct")) for r in records])
    result = {"pair_accuracy_strict": pair_strict, "incomplete_pairs": incomplete}
    if judge is None:
        return {"pair_accuracy": NEEDS_JUDGE, **result}
    graded = [judge_says_yes(judge, r) for r in records]
    failed = sum(g is None for g in graded)
    if failed:
        return {"pair_accuracy": NEEDS_JUDGE, **result, "judge_failures": failed}
    return {"pair_accuracy": _pairs(records, graded)[0], **result}


BENCHMARK = Benchmark(
    name="mmvp",
    hub_id="MMVP/MMVP",
    split="train",
    task="policy",
    paper_name="MMVP",
    category="Perception & general VQA",
    script="eval_llama32v/model_mmvp_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mmvp_item,
    metrics=metrics,
    main_metric="pair_accuracy",
    stand_in="pair_accuracy_strict",
    rows=mmvp_rows,
    source_note="the authors read a local Questions.xlsx; here the hub dataset repository MMVP/MMVP "
    "(Questions.csv + MMVP Images/), downloaded whole, or a local copy of it",
)
