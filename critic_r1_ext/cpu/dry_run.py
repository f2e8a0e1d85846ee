"""What the laptop run of the main job showed (``recipes/run_laptop.sh``), read from what verl printed and wrote.

verl's console logger prints one line per step, ``step:N - key:value - ...``
(``verl/utils/logger/aggregate_logger.py``, ``concat_dict_to_str``), from inside its Ray ``TaskRunner``
actor, so each line reaches the console behind Ray's ``(TaskRunnerV1 pid=...)`` prefix (coloured on a
terminal), and each value is ``pprint.pformat`` of the metric, which writes numpy scalars as
``np.float64(0.5)``. :func:`step_metrics` reads that; :func:`summarize` adds the checkpoints, the
resume and the export; ``python -m critic_r1_ext.cpu.dry_run OUT`` prints the summary, writes
``OUT/summary.json`` and exits 1 if any part of the run is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_RAY_PREFIX = re.compile(r"^\([^()]*pid=\d+[^()]*\)\s*")
_NUMBER = re.compile(r"^(?:np\.\w+\()?([-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|nan|inf))\)?$")
# verl's V1 trainer logs "Resuming from <dir>/global_step_N, setting global step to N" (trainer_base.py:877).
_RESUMED = re.compile(r"Resuming from (\S*?global_step_(\d+))")

# The step metrics the summary reports (verl's names: short labels); the run fails the summary if a step lacks one.
STEP_KEYS = {
    "critic/score/mean": "score",
    "actor/pg_loss": "pg_loss",
    "actor/kl_loss": "kl_loss",
    "response_length/mean": "response length",
    "timing_s/step": "seconds",
}


def console_lines(log: str) -> list[str]:
    """The log's lines as the process printed them: Ray's actor prefix and terminal colours removed."""
    return [_RAY_PREFIX.sub("", _ANSI.sub("", line)).strip() for line in log.splitlines()]


def step_metrics(log: str) -> dict[int, dict[str, float]]:
    """``{step: {metric: value}}`` from verl's console-logger lines; non-numeric values are left out."""
    steps: dict[int, dict[str, float]] = {}
    for line in console_lines(log):
        head, *pairs = line.split(" - ")
        if not re.fullmatch(r"step:\d+", head):
            continue
        metrics = steps.setdefault(int(head[5:]), {})
        for pair in pairs:
            key, _, value = pair.rpartition(":")
            number = _NUMBER.match(value.strip())
            if key and number:
                metrics[key] = float(number.group(1))
    return steps


def validation(metrics: dict[str, float], name: str) -> float | None:
    """verl's ``val-core``/``val-aux`` mean of reward field ``name`` (``acc``, ``format``) over the data sources."""
    values = [v for k, v in metrics.items() if re.fullmatch(rf"val-(?:core|aux)/.+/{name}/mean@\d+", k)]
    return sum(values) / len(values) if values else None


def summarize(out: str | Path) -> dict:
    """The run under ``out`` (train.log, resume.log, checkpoints/, hf/) as one dict, with the problems found."""
    out = Path(out)
    first = step_metrics((out / "train.log").read_text(errors="replace"))
    resume_log = (out / "resume.log").read_text(errors="replace")
    resumed = step_metrics(resume_log)
    resumed_from = _RESUMED.search("\n".join(console_lines(resume_log)))
    tracker = out / "checkpoints" / "latest_checkpointed_iteration.txt"
    last = (first | resumed).get(max(first | resumed, default=0), {})
    summary = {
        "steps": sorted(first),
        "resumed_steps": sorted(resumed),
        "resumed_from_step": int(resumed_from.group(2)) if resumed_from else None,
        "metrics": {step: {k: m.get(k) for k in STEP_KEYS} for step, m in sorted((first | resumed).items())},
        "val_acc": validation(first.get(max(first, default=0), {}), "acc"),
        "val_format": validation(first.get(max(first, default=0), {}), "format"),
        "checkpoints": sorted(p.name for p in (out / "checkpoints").glob("global_step_*")),
        "latest_checkpoint": tracker.read_text().strip() if tracker.is_file() else None,
        "export": str(out / "hf") if list((out / "hf").glob("*.safetensors")) else None,
        "last_step_keys": sorted(last),
    }
    summary["problems"] = problems(summary)
    return summary


def problems(summary: dict) -> list[str]:
    """What the run should have shown and did not: 2 steps, validation, a checkpoint, a resume to step 3, an export."""
    found = []
    if summary["steps"] != [1, 2]:
        found.append(f"first run logged steps {summary['steps']}, expected [1, 2]")
    if summary["resumed_from_step"] != 2 or summary["resumed_steps"] != [3]:
        found.append(f"resumed from step {summary['resumed_from_step']} and logged {summary['resumed_steps']}")
    for step, metrics in summary["metrics"].items():
        missing = [k for k, v in metrics.items() if v is None or not math.isfinite(v)]
        if missing:
            found.append(f"step {step}: no finite {', '.join(missing)}")
    if summary["val_acc"] is None or summary["val_format"] is None:
        found.append("no validation acc/format at the last step")
    if summary["checkpoints"] != ["global_step_2", "global_step_3"] or summary["latest_checkpoint"] != "3":
        found.append(f"checkpoints {summary['checkpoints']}, latest {summary['latest_checkpoint']}")
    if summary["export"] is None:
        found.append("no exported safetensors")
    return found


def report(summary: dict) -> str:
    """A few lines: what each step logged, the validation, the checkpoints, the resume and the export."""
    lines = ["summary of the laptop run (verl main_ppo, +recipe=critic_r1_smoke, tiny random model):"]
    for step, m in summary["metrics"].items():
        shown = ", ".join(f"{STEP_KEYS[k]} {_fmt(m[k])}" for k in m)
        lines.append(f"  step {step}: {shown}")
    lines.append(f"  validation after step 2: acc {_fmt(summary['val_acc'])}, format {_fmt(summary['val_format'])}")
    lines.append(
        f"  checkpoints {', '.join(summary['checkpoints']) or 'none'}; resumed from step "
        f"{summary['resumed_from_step']} to step {max(summary['resumed_steps'], default=None)}"
    )
    lines.append(f"  export (loaded back with transformers): {summary['export']}")
    if summary["problems"]:
        lines += [f"  MISSING: {p}" for p in summary["problems"]]
    else:
        lines.append("  verl's loop ran end to end: the plumbing works (learning: benchmarks/grpo_cpu.py)")
    if all(m.get("critic/score/mean") == 0 for m in summary["metrics"].values()):
        lines.append("  every score is 0 (the random model never writes \\boxed{}), so no advantage and no update")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the folder recipes/run_laptop.sh wrote (train.log, resume.log, checkpoints/, hf/)")
    args = parser.parse_args(argv)
    summary = summarize(args.out)
    (Path(args.out) / "summary.json").write_text(json.dumps(summary, indent=1))
    print(report(summary))
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
