"""Per-step critic metrics from the generations verl dumps under ``trainer.rollout_data_dir``.

verl 0.9.1 logs only the total score per training step; ``acc`` and ``format`` appear only at
validation. With ``trainer.rollout_data_dir=DIR`` its trainer writes one ``DIR/<step>.jsonl`` per
step, one line per rollout with ``input``, ``output``, ``gts``, ``score``, ``step`` (and ``uid``).
This module re-scores ``output`` against ``gts`` with our reward function and adds the critic's
position bias: the share of "1" verdicts against the share of "1" labels (a critic that always
answers "1" on balanced data has a bias of +0.5).
"""

from __future__ import annotations

import json
from pathlib import Path

from critic_r1_ext.reward import compute_score
from critic_r1_ext.verdict import normalize_verdict

COLUMNS = ("step", "rollouts", "score", "acc", "format", "verdict_1", "label_1", "position_bias", "no_verdict")


def read_dumps(dump_dir: str | Path) -> dict[int, list[dict]]:
    """The rows of every ``<step>.jsonl`` in ``dump_dir``, by step; a line that is not JSON names its file."""
    steps: dict[int, list[dict]] = {}
    files = sorted(
        Path(dump_dir).glob("*.jsonl"), key=lambda p: (not p.stem.isdigit(), int(p.stem) if p.stem.isdigit() else 0)
    )
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not a JSON line ({err.msg})") from None
            step = row.get("step", int(path.stem) if path.stem.isdigit() else None)
            if step is None or "output" not in row or "gts" not in row:
                raise ValueError(f"{path}:{number}: not a verl rollout dump line (needs output, gts and step)")
            steps.setdefault(int(step), []).append(row)
    if not steps:
        raise ValueError(f"{dump_dir}: no <step>.jsonl rollout dumps (set trainer.rollout_data_dir)")
    return steps


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
        compute_score("", str(r["output"]), r["gts"], acc_weight=acc_weight, format_weight=format_weight, mode=mode)
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
    """One row of :func:`step_metrics` per dumped step, in step order."""
    return [
        {"step": step, **step_metrics(rows, acc_weight, format_weight, mode)}
        for step, rows in sorted(read_dumps(dump_dir).items())
    ]
