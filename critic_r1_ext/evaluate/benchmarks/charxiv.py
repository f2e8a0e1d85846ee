"""CharXiv reasoning (validation), ``princeton-nlp/CharXiv``, as ``eval_llama32v/model_charxiv_llama32v.py``.

The authors run the reasoning question of each chart only (not the four descriptive ones) and send
``reasoning_q`` as it is: without the answer-type instructions CharXiv's own generation code adds,
and with no answer-format line. Rows: ``figure_path``, ``image``, ``reasoning_q``,
``reasoning_a``, ``reasoning_a_type`` (1 text-in-chart, 2 text-in-general, 3 number-in-chart, 4
number-in-general), ``reasoning_q_source`` (1 GPT-sourced, 2 GPT-inspired, 3 completely human) and
the descriptive columns. Official metric (princeton-nlp/CharXiv ``src/evaluate.py``,
``reasoning_utils.py``, ``get_stats.py``): a GPT-4o judge gets the grading prompt of the item's
answer type (``_charxiv_grading``) and replies in JSON with the extracted answer and a 0/1 score;
any other score counts 0 (and as invalid); reasoning accuracy overall, per answer type and per
question source. Without a judge it needs one; ``accuracy_rule_based`` (our box scorer) is the
flagged stand-in Figure 1 averages meanwhile.
"""

from __future__ import annotations

import json
import re

from critic_r1_ext.evaluate.benchmarks._charxiv_grading import INSTRUCTIONS, PREFIX
from critic_r1_ext.evaluate.benchmarks._metrics import accuracy
from critic_r1_ext.evaluate.benchmarks._prediction import ask_all, response
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE, Benchmark, Item, free_form, need

ANSWER_TYPES = {1: "Text-in-Chart", 2: "Text-in-General", 3: "Number-in-Chart", 4: "Number-in-General"}
SOURCES = {1: "GPT-Sourced", 2: "GPT-Inspired", 3: "Completely Human"}
_JSON_OBJECT = re.compile(r"\{.*\}", re.S)


def charxiv_item(row: dict, where: str) -> Item:
    need(row, where, "figure_path", "image", "reasoning_q", "reasoning_a", "reasoning_a_type", "reasoning_q_source")
    try:
        answer_type, source = int(row["reasoning_a_type"]), int(row["reasoning_q_source"])
    except (TypeError, ValueError):
        raise ValueError(f"{where}: reasoning_a_type and reasoning_q_source must be integers") from None
    if answer_type not in ANSWER_TYPES:
        raise ValueError(f"{where}: reasoning_a_type {answer_type} is not one of {sorted(ANSWER_TYPES)}")
    extra = {"question": str(row["reasoning_q"]), "answer_type": answer_type, "source": source}
    return free_form(
        str(row["figure_path"]),
        str(row["reasoning_q"]),
        [row["image"]],
        row["reasoning_a"],
        None,
        ANSWER_TYPES[answer_type],
        extra=extra,
    )


def judge_prompt(record: dict) -> str:
    """CharXiv's grading request for one record (the item's answer type picks the rules)."""
    ref = record["reference"]
    prompt = PREFIX + INSTRUCTIONS[ref["extra"]["answer_type"]]
    prompt = prompt.replace("<|question|>", ref["extra"]["question"]).replace("<|ground_truth|>", ref["answer"])
    return prompt.replace("<|response|>", response(record))


def judge_score(reply: str) -> int | None:
    """The judge's 0/1 score from its JSON reply, or None when it gives none (counted 0, as invalid)."""
    match = _JSON_OBJECT.search(reply)
    try:
        score = json.loads(match.group(0)).get("score") if match else None
    except (json.JSONDecodeError, AttributeError, RecursionError):
        return None
    return score if score in (0, 1) and not isinstance(score, bool) else None


def _share(scores: list[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None


def metrics(records: list[dict], judge=None) -> dict:
    """Reasoning accuracy (fractions) overall, per answer type and per question source (judge)."""
    stand_in = {"accuracy_rule_based": accuracy(records)}
    if judge is None:
        return {"reasoning_accuracy": NEEDS_JUDGE, **stand_in}
    replies, failures = ask_all(judge, [(judge_prompt(r), None) for r in records])
    if failures:
        return {"reasoning_accuracy": NEEDS_JUDGE, "judge_failures": failures, **stand_in}
    scores = [judge_score(reply) for reply in replies]
    by_type: dict[str, list[int]] = {}
    by_source: dict[str, list[int]] = {}
    for record, score in zip(records, scores):
        extra = record["reference"]["extra"]
        by_type.setdefault(ANSWER_TYPES[extra["answer_type"]], []).append(score or 0)
        by_source.setdefault(SOURCES.get(extra["source"], str(extra["source"])), []).append(score or 0)
    return {
        "reasoning_accuracy": _share([s or 0 for s in scores]),
        "per_answer_type": {k: _share(v) for k, v in sorted(by_type.items())},
        "per_source": {k: _share(v) for k, v in sorted(by_source.items())},
        "judge_invalid": sum(s is None for s in scores),
        **stand_in,
    }


BENCHMARK = Benchmark(
    name="charxiv",
    hub_id="princeton-nlp/CharXiv",
    split="validation",
    task="policy",
    paper_name="CharXiv (reasoning, validation)",
    category="Chart understanding",
    script="eval_llama32v/model_charxiv_llama32v.py",
    item=charxiv_item,
    metrics=metrics,
    main_metric="reasoning_accuracy",
    stand_in="accuracy_rule_based",
)
