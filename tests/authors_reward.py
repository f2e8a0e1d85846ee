"""Test-only reference: the authors' reward as their ``examples/reward_function/math.py`` computes it.

Written from the description in shared/spec/paper.md ("The authors' code, read line by line"): the
whitespace squeeze, the DOTALL full-match format rule, mathruler's last-box extraction and grader,
``overall = (1 - format_weight) * accuracy + format_weight * format``. Its regexes backtrack, so only
short inputs go through it.
"""

from __future__ import annotations

import re

from mathruler.grader import extract_boxed_content, grade_answer


def authors_score(predict: str, ground_truth: str, format_weight: float = 0.1) -> dict:
    predict = re.sub(r"\s*(<|>|/)\s*", r"\1", predict)
    fmt = 1.0 if re.fullmatch(r"<think>.*</think>.*\\boxed\{.*\}.*", predict, re.DOTALL) else 0.0
    acc = 1.0 if grade_answer(extract_boxed_content(predict), ground_truth) else 0.0
    return {"overall": (1 - format_weight) * acc + format_weight * fmt, "format": fmt, "accuracy": acc}
