"""Evaluate a checkpoint on the paper's benchmarks, the authors' way, beside the paper's numbers.

    python -m critic_r1_ext.evaluate --model PATH --benchmarks mmmu,mathvista --output runs/DIR [--best-of 8]

Policy benchmarks get a greedy single answer per question (the authors' prompts, think/boxed
instruction, 2048 new tokens, answer = last ``\\boxed{}``) and, with ``--best-of N``, self-critic
Best-of-N. Critic benchmarks are judged pairwise. Results: one resumable JSONL per benchmark and
stage in OUTPUT, then ``summary.json`` and ``summary.md`` with the paper's values beside ours.
``--rescore`` rebuilds the summary from the JSONL files without a model. See docs/evaluate.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from critic_r1_ext.common.backends import add_backend_arguments, backend_from_args
from critic_r1_ext.evaluate import summary as summaries
from critic_r1_ext.evaluate.benchmarks import BENCHMARKS, policy_items
from critic_r1_ext.evaluate.best_of_n import PRESETS, run_best_of_n
from critic_r1_ext.evaluate.critic_benchmarks import critic_pairs, run_critic
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS
from critic_r1_ext.evaluate.policy import run_greedy

# The authors' evaluation scripts resize images to this range (224*224 .. 1280*28*28 pixels).
AUTHORS_MIN_PIXELS, AUTHORS_MAX_PIXELS = 224 * 224, 1280 * 28 * 28


def _benchmark_help() -> str:
    return "; ".join(f"{b.name} ({b.task}: {b.hub_id}, split {b.split})" for b in BENCHMARKS.values())


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="critic-r1-evaluate",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", help="checkpoint folder or hub id (HF format); not needed with --rescore")
    parser.add_argument(
        "--benchmarks",
        default="mmmu,mathvista,mathvision,mathverse,mmstar",
        help=f"comma-separated, or 'all'. Known: {_benchmark_help()}",
    )
    parser.add_argument("--output", required=True, help="results folder")
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="read benchmark NAME from a local copy (hub-layout folder or one file) instead of the hub",
    )
    parser.add_argument("--limit", type=int, help="only the first LIMIT rows of each benchmark (a quick look)")
    parser.add_argument("--max-new-tokens", type=int, default=2048, help="per answer and per judgment")
    parser.add_argument("--best-of", type=int, help="also run self-critic Best-of-N with N candidates")
    parser.add_argument(
        "--preset",
        default="ours",
        help=f"Best-of-N selection presets, comma-separated: {sorted(PRESETS)}"
        " (paper: plain knockout, one order; ours: merged, both orders)",
    )
    parser.add_argument("--bon-temperature", type=float, default=1.0, help="candidate sampling temperature")
    parser.add_argument("--bon-top-p", type=float, default=1.0)
    parser.add_argument(
        "--judge-prompt",
        choices=sorted(JUDGE_PROMPTS),
        default="authors",
        help="critic benchmarks and Best-of-N judging",
    )
    parser.add_argument(
        "--orders",
        choices=["one", "both"],
        default="one",
        help="critic benchmarks: one seeded random order per row (authors) or both orders",
    )
    parser.add_argument(
        "--items-per-call", type=int, default=0, help="items per generate call (0: a whole benchmark in one call)"
    )
    parser.add_argument(
        "--min-image-side",
        type=int,
        default=28,
        help="skip (and count) items with an image side below this, as the authors' scripts do",
    )
    parser.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip items already in the results (--no-resume starts over)",
    )
    parser.add_argument("--rescore", action="store_true", help="score stored outputs again and rebuild the summary")
    parser.add_argument("--seed", type=int, default=0)
    add_backend_arguments(parser)
    parser.set_defaults(min_pixels=AUTHORS_MIN_PIXELS, max_pixels=AUTHORS_MAX_PIXELS)
    args = parser.parse_args(argv)
    names = (
        list(BENCHMARKS) if args.benchmarks == "all" else [n.strip() for n in args.benchmarks.split(",") if n.strip()]
    )
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")
    args.benchmarks = names
    args.preset = [p.strip() for p in args.preset.split(",") if p.strip()]
    if any(p not in PRESETS for p in args.preset):
        parser.error(f"--preset takes {sorted(PRESETS)}, got {args.preset}")
    args.data = dict(_pair(parser, text) for text in args.data)
    if args.best_of is not None and args.best_of < 1:
        parser.error("--best-of must be at least 1")
    if not args.rescore and not args.model:
        parser.error("--model is required (except with --rescore)")
    return args


def _pair(parser, text: str) -> tuple[str, str]:
    name, _, path = text.partition("=")
    if name not in BENCHMARKS or not path:
        parser.error(f"--data takes NAME=PATH with NAME one of {', '.join(BENCHMARKS)}; got {text!r}")
    return name, path


class LazyBackend:
    """Builds the backend on first use, so a run with nothing left to do never loads the model."""

    def __init__(self, args):
        self.args, self.backend = args, None

    def __call__(self):
        if self.backend is None:
            # Qwen2.5-VL's processor takes any number of images; vLLM needs the per-prompt limit up front.
            self.backend = backend_from_args(self.args, max_images=10)
        return self.backend


def main(argv=None) -> dict:
    args = parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    tasks = {name: BENCHMARKS[name].task for name in args.benchmarks}
    if args.rescore:
        summaries.rescore(out, args.benchmarks, args.best_of)
    else:
        get_backend = LazyBackend(args)
        for name in args.benchmarks:
            paths = summaries.stage_paths(out, name, args.best_of)
            source = args.data.get(name)
            if tasks[name] == "policy":
                items = policy_items(name, source, args.limit)
                run_greedy(get_backend, name, items, paths["greedy"], args)
                if args.best_of:
                    run_best_of_n(get_backend, name, items, paths["best_of_n"], args)
            else:
                pairs, skipped = critic_pairs(name, source, args.limit)
                for reason, count in skipped.items():
                    print(f"{name}: skipped {count} rows: {reason}")
                run_critic(get_backend, name, pairs, paths["critic"], args)
    summary = summaries.build(out, args.benchmarks, tasks, args.best_of, args.model)
    json_path, md_path = summaries.write(out, summary)
    print("\n" + summaries.markdown(summary))
    print(f"summary: {json_path}, {md_path}")
    return summary


def cli(argv=None) -> int:
    """:func:`main` for the shell: bad input (a ``--data`` path, a row) is one line on stderr and exit 2."""
    try:
        main(argv)
    except (OSError, ValueError, KeyError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"critic-r1-evaluate: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(cli())
