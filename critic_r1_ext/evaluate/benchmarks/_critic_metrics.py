"""Metrics of pairwise critic benchmarks from judged records (``critic.judge_rows``'s format).

A record's ``picked`` lists, per judgment, the response the critic chose ("1"/"2" in the row's own
numbering) or None when no verdict could be read; ``correct`` says whether it was the better one.
"""

from __future__ import annotations


def judged(records: list[dict]) -> list[bool]:
    """Every judgment's correctness (an unread verdict counts as wrong)."""
    return [bool(c) for r in records for c in r.get("correct") or [False]]


def accuracy(records: list[dict]) -> float | None:
    values = judged(records)
    return sum(values) / len(values) if values else None


def unparsed(records: list[dict]) -> int:
    """Judgments whose verdict could not be read."""
    return sum(p is None for r in records for p in r.get("picked") or [None])
