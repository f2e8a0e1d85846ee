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


def accuracy_by_extra(records: list[dict], field: str) -> dict[str, float]:
    """Accuracy per value of ``reference["extra"][field]`` (a task, subject or tag the official metric reports)."""
    return accuracy_by(records, lambda ref: (ref.get("extra") or {}).get(field))


def group_mean(per_group: dict[str, float]) -> float | None:
    """Unweighted mean over groups (e.g. tasks), as benchmarks that average per-task accuracies report it."""
    return sum(per_group.values()) / len(per_group) if per_group else None


def by_extra(records: list[dict], field: str) -> dict:
    """Overall accuracy and accuracy per ``reference["extra"][field]``, under ``"per_<field>"``."""
    return {"accuracy": accuracy(records), f"per_{field}": accuracy_by_extra(records, field)}


def by_category(records: list[dict], judge=None) -> dict:
    """Overall accuracy and accuracy per ``Item.category`` (the benchmark's reported breakdown)."""
    return {"accuracy": accuracy(records), "per_category": accuracy_by(records, lambda ref: ref.get("category"))}
