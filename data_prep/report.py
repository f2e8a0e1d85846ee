"""Account for every input row: written (train/val) or skipped with a reason, and say so in ``report.json``.

Skip reasons fall in two kinds. *Bad input* (corrupt images, missing fields, unknown labels, ...) counts
against ``--max-skip-frac``; *dropped by rule* (exact duplicates, ties without ``--keep-ties``) is a
deliberate choice and does not. ``rows_in == rows_out + rows_skipped`` always holds, or the run fails.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

RULE_REASONS = frozenset({"duplicate", "tie_dropped", "prompt_too_long"})


class Report:
    """Counters for one conversion; ``to_dict`` is what lands in ``report.json``."""

    def __init__(self, converter: str, source: str, options: dict):
        self.converter = converter
        self.source = source
        self.options = options
        self.rows_in = 0
        self.rows_out: Counter = Counter()
        self.skipped_ids: dict[str, list[str]] = defaultdict(list)
        self.resized_ids: list[str] = []
        self.labels_in: Counter = Counter()
        self.labels_out: dict[str, Counter] = defaultdict(Counter)
        self.flipped: Counter = Counter()
        self.data_sources: Counter = Counter()
        self.length: dict = {}
        self.first_detail: dict[str, str] = {}  # reason -> "row_id: what was wrong" of its first row

    def length_rules(self, max_chars: int, max_tokens: int, template: str | None, counts_tokens: bool) -> None:
        """Which prompt-length rules this run measures; ``measured_length`` then counts each row."""
        self.length = {
            "applied": f"chat-template characters <= {max_chars} (the authors' rule)" if max_chars else "none",
            "chat_template": template,
            "rows_measured": 0,
            "max_prompt_chars": max_chars or None,
            "over_max_prompt_chars": 0,
            "max_prompt_tokens": max_tokens,
            "over_max_prompt_tokens": 0 if counts_tokens else None,
            "token_rule": (
                "counted, not dropped here: verl's data.filter_overlong_prompts drops these at train time"
                if counts_tokens
                else "not measured: pass --processor DIR (a local checkpoint) to count rows over it"
            ),
        }

    def measured_length(self, over_chars: bool, over_tokens: bool | None) -> None:
        self.length["rows_measured"] += 1
        self.length["over_max_prompt_chars"] += over_chars
        if over_tokens is not None:
            self.length["over_max_prompt_tokens"] += over_tokens

    def skip(self, reason: str, row_id: str, detail: str = "") -> None:
        self.skipped_ids[reason].append(row_id)
        if detail and reason not in self.first_detail:
            self.first_detail[reason] = f"{row_id}: {detail}"

    def worst_bad_input(self) -> str:
        """The most frequent bad-input reason, with its first row and what was wrong there."""
        bad = {r: ids for r, ids in self.skipped_ids.items() if r not in RULE_REASONS and ids}
        if not bad:
            return ""
        reason = max(bad, key=lambda r: len(bad[r]))
        return f"{reason} x{len(bad[reason])}, first {self.first_detail.get(reason, bad[reason][0])}"

    def wrote(self, split: str, label: str, data_source: str, flipped: bool) -> None:
        self.rows_out[split] += 1
        self.labels_out[split][label] += 1
        self.flipped[split] += flipped
        self.data_sources[data_source] += 1

    @property
    def rows_skipped(self) -> int:
        return sum(len(ids) for ids in self.skipped_ids.values())

    @property
    def bad_input(self) -> int:
        return sum(len(ids) for reason, ids in self.skipped_ids.items() if reason not in RULE_REASONS)

    def bad_fraction(self) -> float:
        return self.bad_input / self.rows_in if self.rows_in else 0.0

    def check_accounting(self) -> None:
        """Every row is written or skipped exactly once; anything else is a bug, so stop loudly."""
        out = sum(self.rows_out.values())
        if self.rows_in != out + self.rows_skipped:
            raise RuntimeError(
                f"row accounting broken: rows_in={self.rows_in} != rows_out={out} + skipped={self.rows_skipped}"
            )

    def to_dict(self) -> dict:
        splits = sorted(self.labels_out)
        total = sum((self.labels_out[s] for s in splits), Counter())
        return {
            "converter": self.converter,
            "source": self.source,
            "options": self.options,
            "rows_in": self.rows_in,
            "rows_out": {"total": sum(self.rows_out.values()), **{s: self.rows_out[s] for s in sorted(self.rows_out)}},
            "rows_skipped": self.rows_skipped,
            "rows_skipped_bad_input": self.bad_input,
            "rows_skipped_by_rule": self.rows_skipped - self.bad_input,
            "skipped_by_reason": {r: len(ids) for r, ids in sorted(self.skipped_ids.items())},
            "skipped_ids": {r: ids for r, ids in sorted(self.skipped_ids.items())},
            "images_resized": len(self.resized_ids),
            "images_resized_row_ids": self.resized_ids,
            "labels_in": dict(sorted(self.labels_in.items())),
            "labels_out": {s: dict(sorted(self.labels_out[s].items())) for s in splits},
            "position_balance": {
                **{s: balance(self.labels_out[s]) for s in splits},
                "total": balance(total),
            },
            "positions_flipped": {s: self.flipped[s] for s in sorted(self.flipped)},
            "data_sources": dict(sorted(self.data_sources.items())),
            "prompt_length": self.length,
        }

    def summary(self, seconds: float) -> str:
        """The one-line summary printed at the end of a run."""
        out = sum(self.rows_out.values())
        total = balance(sum(self.labels_out.values(), Counter()))
        share = "n/a" if total["first_better"] is None else f"{100 * total['first_better']:.2f}%"
        rate = self.rows_in / seconds if seconds > 0 else float("inf")
        return (
            f"{self.converter}: rows_in={self.rows_in} == rows_out={out} "
            f"(train={self.rows_out['train']}, val={self.rows_out['val']}) + rows_skipped={self.rows_skipped} "
            f"[bad input {self.bad_input} = {100 * self.bad_fraction():.2f}%, "
            f"by rule {self.rows_skipped - self.bad_input}]; "
            f"response 1 better in {share} of non-tie rows; {seconds:.1f}s, {rate:.0f} rows/s"
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"


def balance(labels: Counter) -> dict:
    """Share of non-tie rows whose better response sits in position 1."""
    decided = labels.get("1", 0) + labels.get("2", 0)
    return {
        "first_better": labels.get("1", 0) / decided if decided else None,
        "rows": decided,
        "ties": labels.get("tie", 0),
    }
