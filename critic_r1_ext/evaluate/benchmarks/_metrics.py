"""Metric helpers the benchmark modules share: accuracy overall and per group of a reference field."""

from __future__ import annotations


def accuracy(records: list[dict]) -> float | None:
    """Fraction of ``records`` whose ``correct`` is true (None when there are none)."""
    return sum(bool(r.get("correct")) for r in records) / len(records) if records else None


def accuracy_by(records: list[dict], key) -> dict[str, float]:
    """Accuracy per group; ``key(reference)`` names a record's group (None: not grouped)."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        group = key(record.get("reference") or {})
        if group is not None:
            groups.setdefault(str(group), []).append(record)
    return {group: accuracy(members) for group, members in sorted(groups.items())}


def by_category(records: list[dict], judge=None) -> dict:
    """Overall accuracy and accuracy per ``Item.category`` (the benchmark's reported breakdown)."""
    return {"accuracy": accuracy(records), "per_category": accuracy_by(records, lambda ref: ref.get("category"))}
