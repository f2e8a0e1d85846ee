"""EMMA-mini, ``luckychao/EMMA-mini`` (configs Chemistry, Coding, Math, Physics; split ``test``).

As ``eval_llama32v/model_emmamini_llama32v.py`` builds it: ``question``; when the row has options,
" Options:", "A. ..." lines and "Answer with the option's letter from the given choices."; every
non-empty ``image_1`` .. ``image_5`` before the text; no skip rule; vLLM context 32768.

Official metric (hychaochao/EMMA ``evaluation/evaluate.py``, ``utils.py``, ``calculate_acc.py``,
rule-based, its default): the answer read from the response is a bare option letter (or one
followed by ":"), else a bare number, else the last ``\\boxed{}`` (its last ``\\text{...}`` when it
has one), else what follows "final answer is" / "correct answer is" / "answer should be" /
"answer is" up to the line's first period, else the whole response; it is right when it equals
the answer or the option's text (``gt_content``) case-insensitively, or, as LaTeX, has the same
value to 2 decimals or a zero symbolic difference. Accuracy overall and per subject (config).
Here the response is the text after the thinking; EMMA's ``latex2sympy2`` (not a dependency of
ours) is replaced by our number reading (``\\frac``, thousands separators) for the 2-decimal test
and mathruler's ``grade_answer`` for the symbolic one.
"""

from __future__ import annotations

import re

from critic_r1_ext.common.answers import normalize_answer
from critic_r1_ext.evaluate.benchmarks._metrics import by_extra
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, Benchmark, Item, free_form, need, options_block
from critic_r1_ext.reward_paper import graded
from critic_r1_ext.verdict import answer_part, boxed_spans

SUBJECTS = ("Chemistry", "Coding", "Math", "Physics")
_FLAGS = ("final answer is", "correct answer is", "answer should be", "answer is")
_TEXT = re.compile(r"\\text\{(.*?)\}")
# Longer answers are not compared symbolically: mathruler parses about 10 characters per ms, and no
# EMMA answer is this long.
_MAX_SYMBOLIC_CHARS = 256


def emma_item(row: dict, where: str) -> Item:
    need(row, where, "pid", "question", "options", "answer")
    subject = row.get("_config") or row.get("subject")
    images = [row[f"image_{n}"] for n in range(1, 6) if row.get(f"image_{n}") is not None]
    options = [str(o) for o in (row["options"] or [])]
    question = row["question"]
    item_id = f"{subject}/{row['pid']}"
    answer = str(row["answer"]).strip()
    if options:
        question += options_block(options) + "\nAnswer with the option's letter from the given choices."
        if len(answer) != 1 or answer.upper() not in LETTERS[: len(options)]:
            raise ValueError(f"{where}: answer {answer!r} names none of the {len(options)} options")
        answer = answer.upper()
        extra = {"subject": subject, "gt_content": options[LETTERS.index(answer)]}
        return Item(item_id, question, images, "choice", answer, choices=options, category=subject, extra=extra)
    extra = {"subject": subject, "gt_content": answer}
    return free_form(item_id, question, images, answer, 2, subject, extra=extra)


def _value(text: str) -> float | None:
    """The number a text (LaTeX allowed: ``\\frac``, separators, "x = ") stands for, or ``None``."""
    try:
        return float(normalize_answer(text) or "")
    except (ValueError, OverflowError):
        return None


def official_answer(response: str) -> str:
    """The answer EMMA's rule-based extractor reads from a response."""
    response = response.strip()
    for letter in LETTERS[:8]:
        if response.upper() == letter or response.startswith(f"{letter}:"):
            return letter
    try:
        float(response)
        return response
    except ValueError:
        pass
    boxes = boxed_spans(response)
    if boxes:
        texts = _TEXT.findall(boxes[-1])
        return (texts[-1] if texts else boxes[-1]).strip()
    lower = response.lower()
    for flag in _FLAGS:
        if flag in lower:
            return lower.split(flag)[-1].strip().split("\n")[0].split(".")[0]
    return response


def official_equal(given: str, truth: str) -> bool:
    """EMMA's equality: same text ignoring case and outer spaces, same value to 2 decimals, or same expression."""
    given, truth = given.strip().lower(), truth.strip().lower()
    if given == truth:
        return True
    a, b = _value(given), _value(truth)
    if a is not None and b is not None:
        return round(a, 2) == round(b, 2)
    return len(given) <= _MAX_SYMBOLIC_CHARS and graded(given, truth)[0]


def official_correct(record: dict) -> bool:
    reference = record["reference"]
    given = official_answer(answer_part(str(record.get("output") or "")))
    return official_equal(given, reference["answer"]) or official_equal(given, reference["extra"]["gt_content"])


def metrics(records: list[dict], judge=None) -> dict:
    """Overall accuracy and accuracy per subject (fractions), as EMMA's ``calculate_acc.py`` reports."""
    scored = [{**r, "correct": official_correct(r)} for r in records]
    return by_extra(scored, "subject")


BENCHMARK = Benchmark(
    name="emma_mini",
    hub_id="luckychao/EMMA-mini",
    split="test",
    task="policy",
    paper_name="EMMA-mini",
    category="Image reasoning",
    script="eval_llama32v/model_emmamini_llama32v.py",
    min_image_side=0,  # the script has no small-image rule
    item=emma_item,
    metrics=metrics,
    configs=SUBJECTS,
    max_model_len=32768,
)
