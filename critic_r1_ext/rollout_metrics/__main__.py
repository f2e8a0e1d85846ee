"""``python -m critic_r1_ext.rollout_metrics DIR``: per-step acc, format and position bias of a verl run."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from critic_r1_ext.reward import MODES
from critic_r1_ext.rollout_metrics import COLUMNS, metrics_and_skips


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split(":", 1)[1].strip(), formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("dump_dir", help="the run's trainer.rollout_data_dir (holds <step>.jsonl)")
    parser.add_argument("--csv", help="also write the table as CSV here")
    parser.add_argument("--json", help="also write the table as a JSON list here")
    parser.add_argument("--acc-weight", type=float, default=0.9)
    parser.add_argument("--format-weight", type=float, default=0.1)
    parser.add_argument("--mode", choices=MODES, default="paper", help="the reward mode the run trained with")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        table, dumps = metrics_and_skips(args.dump_dir, args.acc_weight, args.format_weight, args.mode)
    except (OSError, ValueError) as err:
        print(f"rollout_metrics: error: {err}", file=sys.stderr)
        return 2
    print("  ".join(f"{c:>13}" for c in COLUMNS))
    for row in table:
        print("  ".join(f"{row[c]:>13}" if isinstance(row[c], int) else f"{row[c]:>13.3f}" for c in COLUMNS))
    if dumps.skipped:
        print(f"rollout_metrics: {dumps.skip_summary()}", file=sys.stderr)
    if args.csv:
        with Path(args.csv).open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(table)
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
