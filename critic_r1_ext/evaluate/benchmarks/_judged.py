"""Judge-based answer extraction, the step MathVista and MathVerse take before scoring (GPT-4 in theirs).

``judged_accuracy`` asks the judge to extract each response's final answer and grades that answer
with our scorer (as if boxed); ``judge_verdicts`` asks it to compare an extracted answer with the
reference (MathVerse's second step). Failed judge calls are counted and leave the item out.
The prompts state the official steps' instructions in our words; the official few-shot prompts are
cited in each benchmark module.
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy, accuracy_by
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE
from critic_r1_ext.evaluate.scoring import safe_score

EXTRACT = (
    "Read the question and a model's response below. Extract the model's final answer and reply with that "
    "answer only: an option letter for a multiple-choice question, a number for a numeric answer (no units), "
    "otherwise the answer text. Reply with nothing else.\n\nQuestion: {question}\n\nModel response: {response}"
    "\n\nExtracted answer:"
)
COMPARE = (
    "Decide whether the model's answer is equivalent to the standard answer of the question below. Reply 1 "
    "if it is, 0 if it is not, and nothing else.\n\nQuestion: {question}\n\nStandard answer: {answer}\n\n"
    "Model's answer: {extracted}\n\nJudgement:"
)


def with_stand_in(official: dict, records: list[dict], breakdown: str) -> dict:
    """The judged ``official`` values, then the rule-based stand-in ``accuracy_rule_based`` (our box scorer) and its
    accuracy per ``Item.category`` under the key ``breakdown``."""
    return {
        **official,
        "accuracy_rule_based": accuracy(records),
        breakdown: accuracy_by(records, lambda ref: ref.get("category")),
    }


def extracted_answers(records: list[dict], judge, question_of) -> list[str | None]:
    """The judge's extraction of each record's answer (None where the judge failed)."""
    return [judge.ask(EXTRACT.format(question=question_of(r), response=str(r.get("output", "")))) for r in records]


def judged_accuracy(records: list[dict], judge, question_of) -> dict:
    """{"accuracy": fraction over answered items, "judge_failures": n}, or NEEDS_JUDGE without a judge."""
    if judge is None:
        return {"accuracy": NEEDS_JUDGE}
    answers = extracted_answers(records, judge, question_of)
    graded = [
        safe_score(r["reference"], "\\boxed{" + a.strip() + "}")["correct"]
        for r, a in zip(records, answers, strict=True)
        if isinstance(a, str)
    ]
    return {
        "accuracy": sum(graded) / len(graded) if graded else NEEDS_JUDGE,
        "judge_failures": len(records) - len(graded),
    }


def compared_accuracy(records: list[dict], judge, question_of) -> dict:
    """Extraction then a judged equivalence verdict per item (MathVerse's two steps)."""
    if judge is None:
        return {"accuracy": NEEDS_JUDGE}
    answers = extracted_answers(records, judge, question_of)
    verdicts = []
    for record, answer in zip(records, answers, strict=True):
        if not isinstance(answer, str):
            continue
        reply = judge.ask(
            COMPARE.format(question=question_of(record), answer=record["reference"]["answer"], extracted=answer)
        )
        if isinstance(reply, str) and reply.strip()[:1] in ("0", "1"):
            verdicts.append(reply.strip()[:1] == "1")
    return {
        "accuracy": sum(verdicts) / len(verdicts) if verdicts else NEEDS_JUDGE,
        "judge_failures": len(records) - len(verdicts),
    }
