"""Per-step critic metrics from the generations verl dumps under ``trainer.rollout_data_dir``.

verl 0.9.1 logs only the total score per training step; ``acc`` and ``format`` appear only at
validation. With ``trainer.rollout_data_dir=DIR`` its trainer writes one ``DIR/<step>.jsonl`` per
step, one line per rollout with ``input``, ``output``, ``gts``, ``score``, ``step`` (and ``uid``).
This module re-scores ``output`` against ``gts`` with our reward function and adds the critic's
position bias: the share of "1" verdicts against the share of "1" labels (a critic that always
answers "1" on balanced data has a bias of +0.5). Lines that cannot be scored (not JSON, not an
object, an output that is not text, a label missing or not a scalar) are skipped, counted per step
(``skipped``) and summarised by reason; a fractional step is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from critic_r1_ext.reward import compute_score
from critic_r1_ext.verdict import normalize_verdict

COLUMNS = (
    "step",
    "rollouts",
    "skipped",
    "score",
    "acc",
    "format",
    "verdict_1",
    "label_1",
    "position_bias",
    "no_verdict",
)


@dataclass
class Dumps:
    """Scorable rows by step, and the lines left out: ``(step or None, "file:line", why)``."""

    steps: dict[int, list[dict]] = field(default_factory=dict)
    skipped: list[tuple[int | None, str, str]] = field(default_factory=list)

    def skip_summary(self) -> str:
        """One line: how many lines were not scored, by reason, with the first places of each."""
        by_reason: dict[str, list[str]] = {}
        for _, where, why in self.skipped:
            by_reason.setdefault(why, []).append(where)
        parts = [
            f"{len(places)} {why} ({', '.join(places[:3])}{', ...' if len(places) > 3 else ''})"
            for why, places in by_reason.items()
        ]
        return f"not scored: {len(self.skipped)} lines: " + "; ".join(parts)


def _step(value, where: str) -> int:
    """A dump's step as an int; a fractional, boolean or non-numeric step is an error naming the line."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"{where}: step {value!r} is not a whole number")


def _problem(row) -> str | None:
    """Why a dump line cannot be scored, or None."""
    if not isinstance(row, dict):
        return f"not a JSON object (a {type(row).__name__})"
    if not isinstance(row.get("output"), str):
        return "output missing" if row.get("output") is None else f"output not text (a {type(row['output']).__name__})"
    label = row.get("gts")
    if label is None:
        return "label (gts) missing"
    if isinstance(label, bool) or not isinstance(label, (str, int, float)):
        return f"label (gts) not a scalar (a {type(label).__name__})"
    return None


def read_dumps(dump_dir: str | Path) -> Dumps:
    """Every ``<step>.jsonl`` in ``dump_dir``: scorable rows by step, and the lines that are not (with why).

    A line that is not JSON, not an object, or whose output is not text or whose label is missing or
    not a scalar is skipped and counted; a fractional step is an error (it cannot be placed).
    """
    dumps = Dumps()
    files = sorted(
        Path(dump_dir).glob("*.jsonl"), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0)
    )
    for path in files:
        file_step = int(path.stem) if path.stem.isdigit() else None
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                dumps.skipped.append((file_step, where, "not JSON"))
                continue
            step = row.get("step", file_step) if isinstance(row, dict) else file_step
            step = None if step is None else _step(step, f"{path}:{number}")
            problem = _problem(row) or (None if step is not None else "no step (neither in the line nor the file name)")
            if problem:
                dumps.skipped.append((step, where, problem))
            else:
                dumps.steps.setdefault(step, []).append(row)
    if not dumps.steps:
        detail = f"; {dumps.skip_summary()}" if dumps.skipped else ""
        raise ValueError(
            f"{dump_dir}: no <step>.jsonl rollout dumps with a scorable line (set trainer.rollout_data_dir){detail}"
        )
    return dumps


def step_metrics(rows: list[dict], acc_weight: float = 0.9, format_weight: float = 0.1, mode: str = "paper") -> dict:
    """Mean score (as dumped), re-scored acc/format, verdict and label shares of "1" and their difference.

    ``mode`` is the reward mode the run trained with; the verdict behind the position bias is the
    normalised reading of the deciding box in either mode ("Response 1" counts as a "1").

    >>> rows = [{"output": "<think>a</think> \\\\boxed{1}", "gts": "1", "score": 1.0},
    ...         {"output": "<think>b</think> \\\\boxed{1}", "gts": "2", "score": 0.1}]
    >>> m = step_metrics(rows)
    >>> m["acc"], m["format"], m["verdict_1"], m["label_1"], m["position_bias"]
    (0.5, 1.0, 1.0, 0.5, 0.5)
    """
    scored = [
        compute_score("", r["output"], r["gts"], acc_weight=acc_weight, format_weight=format_weight, mode=mode)
        for r in rows
    ]
    n = len(rows)
    verdicts = [normalize_verdict(s["pred"]) if s["pred"] else None for s in scored]
    verdict_1 = sum(v == "1" for v in verdicts) / n
    label_1 = sum(normalize_verdict(r["gts"]) == "1" for r in rows) / n
    return {
        "rollouts": n,
        "score": sum(float(r.get("score") or 0.0) for r in rows) / n,
        "acc": sum(s["acc"] for s in scored) / n,
        "format": sum(s["format"] for s in scored) / n,
        "verdict_1": verdict_1,
        "label_1": label_1,
        "position_bias": verdict_1 - label_1,
        "no_verdict": sum(v is None for v in verdicts) / n,
    }


def metrics_table(
    dump_dir: str | Path, acc_weight: float = 0.9, format_weight: float = 0.1, mode: str = "paper"
) -> list[dict]:
    """One row of :func:`step_metrics` per dumped step, in step order (``skipped``: its lines not scored)."""
    return metrics_and_skips(dump_dir, acc_weight, format_weight, mode)[0]


def metrics_and_skips(
    dump_dir: str | Path, acc_weight: float = 0.9, format_weight: float = 0.1, mode: str = "paper"
) -> tuple[list[dict], Dumps]:
    """:func:`metrics_table` and the dumps it read (for the summary of skipped lines)."""
    dumps = read_dumps(dump_dir)
    table = []
    for step, rows in sorted(dumps.steps.items()):
        skipped = sum(s == step for s, _, _ in dumps.skipped)
        metrics = step_metrics(rows, acc_weight, format_weight, mode)
        table.append({"step": step, "rollouts": metrics.pop("rollouts"), "skipped": skipped, **metrics})
    return table, dumps
