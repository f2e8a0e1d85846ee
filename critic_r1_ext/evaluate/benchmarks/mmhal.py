"""MMHal-Bench (96 questions), ``Shengcao1006/MMHal-Bench``, as ``eval_llama32v/model_mmhal_llama32v.py``.

The hub repository is a loading script (which ``datasets`` no longer runs) beside
``response_template.json`` and ``images/``; the authors' script reads each row's ``image_path``
(the file the script downloaded). Here the repository snapshot (``snapshot_download``) or a local
folder with the same layout is read: the rows of ``response_template.json`` (``question_type``,
``question_topic``, ``image_id``, ``image_src``, ``image_content``, ``question``, ``gt_answer``)
and the image ``images/<file name of image_src>``. Prompt: the question alone.

Official metric (llava-rlhf/LLaVA-RLHF ``Eval/eval_gpt_mmhal.py``): a GPT-4 judge gets MMHal's
template (``_mmhal_judge``) with the image contents, the question, the human answer and the
response, and rates it 0-6; the rating is the one "rating: N" in its reply (none or several: 0).
Reported: the average rating (0-6 scale), the hallucination rate (share rated below 3) and the
average per question type; ``score_over_6`` (the average rating / 6, our scaling) is the value
Figure 1's category average takes, since the paper does not say how it averaged MMHal's 0-6 score.
Without a judge these need one, and having no rule-based stand-in (the rating weighs
informativeness and hallucination, which no rule reads), so do the category and overall means of
Figure 1. Our strict box scorer (shown beside it) compares the box with the human answer and means
little here.
"""

from __future__ import annotations

from pathlib import Path

from critic_r1_ext.evaluate.benchmarks._mmhal_judge import TEMPLATE
from critic_r1_ext.evaluate.benchmarks._prediction import ask_all, response, row_position
from critic_r1_ext.evaluate.benchmarks._release import release_rows
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE, Benchmark, Item, need

TABLE = "response_template.json"


def mmhal_rows(benchmark, source: str | None, limit: int | None):
    """Rows of ``response_template.json`` in the repository snapshot (or local folder), with ``_root``."""
    return release_rows(benchmark, source, limit, TABLE, [TABLE, "images/*"])


def mmhal_item(row: dict, where: str) -> Item:
    need(row, where, "question_type", "image_src", "image_content", "question", "gt_answer", "_root")
    image = Path(row["_root"]) / "images" / str(row["image_src"]).rsplit("/", 1)[-1]
    contents = row["image_content"] if isinstance(row["image_content"], list) else [str(row["image_content"])]
    extra = {
        "question_type": str(row["question_type"]),
        "image_content": ", ".join(str(c) for c in contents),
        "question": str(row["question"]),
    }
    item_id = row_position(where)
    return Item(
        item_id,
        str(row["question"]),
        [str(image)],
        "text",
        str(row["gt_answer"]),
        category=extra["question_type"],
        extra=extra,
    )


def rating(reply: str) -> int | None:
    """The judge's rating: the single "rating: N" (N in 0..6) in its reply, else None (scored 0, as MMHal does)."""
    text = reply.lower()
    found = [score for score in range(7) if f"rating: {score}" in text]
    return found[0] if len(found) == 1 else None


def judge_prompt(record: dict) -> str:
    """MMHal's judge request for one record."""
    ref = record["reference"]
    extra = ref["extra"]
    return TEMPLATE.format(extra["image_content"], extra["question"], ref["answer"], response(record))


def metrics(records: list[dict], judge=None) -> dict:
    """Average rating (0-6), the same divided by 6 (main), hallucination rate (fraction), per question type."""
    if judge is None:
        return dict.fromkeys(("score_over_6", "score", "hallucination_rate"), NEEDS_JUDGE)
    replies, failures = ask_all(judge, [(judge_prompt(r), None) for r in records])
    if failures:
        return {
            **dict.fromkeys(("score_over_6", "score", "hallucination_rate"), NEEDS_JUDGE),
            "judge_failures": failures,
        }
    ratings = [rating(reply) for reply in replies]
    scores = [value or 0 for value in ratings]
    per_type: dict[str, list[int]] = {}
    for record, score in zip(records, scores):
        per_type.setdefault(record["reference"]["extra"]["question_type"], []).append(score)
    average = sum(scores) / len(scores) if scores else None
    return {
        "score_over_6": None if average is None else average / 6,
        "score": average,
        "hallucination_rate": sum(s < 3 for s in scores) / len(scores) if scores else None,
        "per_question_type": {k: sum(v) / len(v) for k, v in sorted(per_type.items())},
        "unreadable_ratings": sum(value is None for value in ratings),
    }


BENCHMARK = Benchmark(
    name="mmhal",
    hub_id="Shengcao1006/MMHal-Bench",
    split="test",
    task="policy",
    paper_name="MMHal-Bench",
    category="Perception & general VQA",
    script="eval_llama32v/model_mmhal_llama32v.py",
    item=mmhal_item,
    metrics=metrics,
    main_metric="score_over_6",
    rows=mmhal_rows,
    source_note="the hub repository's response_template.json and images/ (the authors read image_path files)",
)
