"""HallusionBench (image questions), ``lmms-lab/HallusionBench``, as ``eval_llama32v/model_hallbench_llama32v.py``.

The authors run the ``image`` split only (the 178 questions without a figure, split ``non_image``,
are not run). Rows: ``category`` (VD visual-dependent, VS visual-supplement), ``subcategory``,
``visual_input``, ``set_id``, ``figure_id``, ``question_id``, ``question``, ``gt_answer_details``,
``gt_answer`` ("1" yes, "0" no), ``image``. Prompt: the question and " Answer with 'Yes' or 'No'
directly." Official metrics (tianyi-lab/HallusionBench ``evaluation.py``/``utils.py``): a GPT-4
judge reads question, reference answer (``gt_answer_details``) and prediction and says correct,
incorrect or unclear (unclear counts as right only for VS questions without a figure); aAcc is the
share of questions right, fAcc the share of figures (category, subcategory, set, figure; VS without
a figure excluded) with every question right, qAcc the share of question pairs (category,
subcategory, set, question: the same question over its figures) with every one right. Without a
judge these three need one; the same three from our box yes/no reading are reported as
``*_rule_based`` (our stand-in; ``aAcc_rule_based`` enters Figure 1, flagged, while aAcc needs a judge).
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._prediction import ask_all, response
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE, Benchmark, Item, need

SUFFIX = " Answer with 'Yes' or 'No' directly."
# tianyi-lab/HallusionBench utils.py, evaluate_by_chatgpt (protocol constant, reproduced as published).
JUDGE_PROMPT = (
    "Imagine you are an intelligent teacher. Thoroughly read the question, reference answer and the prediction "
    "answer to ensure a clear understanding of the information provided. Assess the correctness of the "
    "predictions. If the prediction answer does not conflict with the reference answer, please generate "
    "\u201ccorrect\u201d. If the prediction answer conflict with the reference answer, please generate "
    '\u201cincorrect\u201d. If the prediction answer is unclear about the answer, please generate "unclear". '
    "\n\n Question:{question}\nReference answer: {reference}\nPrediction answer:{prediction}\nOutput:"
)
_KEYS = ("category", "subcategory", "visual_input", "set_id", "figure_id", "question_id")


def hallusionbench_item(row: dict, where: str) -> Item:
    need(row, where, *_KEYS, "question", "gt_answer_details", "gt_answer", "image")
    if str(row["gt_answer"]) not in ("0", "1"):
        raise ValueError(f"{where}: gt_answer must be '0' or '1', got {row['gt_answer']!r}")
    extra = {key: str(row[key]) for key in _KEYS}
    extra.update(question=str(row["question"]), details=str(row["gt_answer_details"]))
    item_id = "_".join(extra[key] for key in ("category", "subcategory", "set_id", "figure_id", "question_id"))
    answer = "Yes" if str(row["gt_answer"]) == "1" else "No"
    question = str(row["question"]) + SUFFIX
    return Item(item_id, question, [row["image"]], "text", answer, category=extra["category"], extra=extra)


def judge_code(verdict: str) -> int:
    """The official reading of the judge's reply: 0 incorrect, 1 correct, 2 unclear."""
    text = verdict.lower()
    return 0 if "incorrect" in text else 1 if "correct" in text else 2


def _right(extra: dict, code: int) -> bool:
    if extra["category"] == "VS" and extra["figure_id"] == "0":
        return code in (1, 2)
    return code == 1


def group_accuracies(rows: list[tuple[dict, bool]]) -> dict:
    """aAcc, fAcc and qAcc (fractions) over ``(extra, right)`` pairs."""
    figures: dict[tuple, list[bool]] = {}
    pairs: dict[tuple, list[bool]] = {}
    for extra, right in rows:
        base = (extra["category"], extra["subcategory"], extra["set_id"])
        if not (extra["category"] == "VS" and extra["figure_id"] == "0"):
            figures.setdefault((*base, extra["figure_id"]), []).append(right)
        pairs.setdefault((*base, extra["question_id"]), []).append(right)

    def share(groups: dict) -> float | None:
        return sum(all(v) for v in groups.values()) / len(groups) if groups else None

    return {
        "aAcc": sum(right for _, right in rows) / len(rows) if rows else None,
        "fAcc": share(figures),
        "qAcc": share(pairs),
    }


def judge_prompt(record: dict) -> str:
    """The official judge request for one record."""
    extra = record["reference"]["extra"]
    return JUDGE_PROMPT.format(question=extra["question"], reference=extra["details"], prediction=response(record))


def metrics(records: list[dict], judge=None) -> dict:
    """Official aAcc/fAcc/qAcc (fractions; judge) and the same three from our box reading (``*_rule_based``)."""
    ours = group_accuracies([(r["reference"]["extra"], bool(r.get("correct"))) for r in records])
    result = {f"{name}_rule_based": value for name, value in ours.items()}
    if judge is None:
        return {**dict.fromkeys(("aAcc", "fAcc", "qAcc"), NEEDS_JUDGE), **result}
    replies, failures = ask_all(judge, [(judge_prompt(r), None) for r in records])
    if failures:
        return {**dict.fromkeys(("aAcc", "fAcc", "qAcc"), NEEDS_JUDGE), **result, "judge_failures": failures}
    extras = [r["reference"]["extra"] for r in records]
    return {**group_accuracies([(e, _right(e, judge_code(reply))) for e, reply in zip(extras, replies)]), **result}


BENCHMARK = Benchmark(
    name="hallusionbench",
    hub_id="lmms-lab/HallusionBench",
    split="image",
    task="policy",
    paper_name="HallusionBench",
    category="Perception & general VQA",
    script="eval_llama32v/model_hallbench_llama32v.py",
    item=hallusionbench_item,
    metrics=metrics,
    main_metric="aAcc",
    stand_in="aAcc_rule_based",
)
