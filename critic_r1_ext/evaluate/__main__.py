"""Evaluate a checkpoint on the paper's benchmarks, the authors' way, beside the paper's numbers.

    python -m critic_r1_ext.evaluate --model PATH --benchmarks all --output runs/DIR [--baseline runs/BASE]

Every benchmark of ``critic_r1_ext.evaluate.benchmarks`` (one module each) runs with the protocol
of the authors' script for it: their prompt and answer-format suffix, the think/boxed
instruction, greedy, 2048 new tokens, the explicit system turn, images at the processor's own
resolution and vLLM's context length as that script sets it. Policy benchmarks get one greedy
answer per question and, with ``--best-of N``, self-critic Best-of-N; critic benchmarks are judged
pairwise. Results: one resumable JSONL per benchmark and stage in OUTPUT (raw outputs first, then
scores), then ``summary.json``, ``summary.md`` and one bar chart per Figure 1 category.
``--rescore`` rebuilds the summary from the JSONL files without a model. See docs/evaluate.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from critic_r1_ext.common.backends import add_backend_arguments, backend_from_args
from critic_r1_ext.evaluate import summary as summaries
from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.best_of_n import PRESETS, run_best_of_n
from critic_r1_ext.evaluate.charts import write_charts
from critic_r1_ext.evaluate.critic_benchmarks import run_critic
from critic_r1_ext.evaluate.judge_client import ChatJudge
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS
from critic_r1_ext.evaluate.policy import run_greedy

AUTHORS_SYSTEM_PROMPT = "You are a helpful assistant."  # every eval_llama32v script sends this system turn
DEFAULT_BENCHMARKS = "mmmu,mathvista,mathvision,mathverse,mmstar"


def _benchmark_help() -> str:
    return "; ".join(f"{b.name} ({b.task}, {b.category}: {b.hub_id}, split {b.split})" for b in REGISTRY.values())


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="critic-r1-evaluate",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", help="checkpoint folder or hub id (HF format); not needed with --rescore")
    parser.add_argument(
        "--benchmarks", default=DEFAULT_BENCHMARKS, help=f"comma-separated, or 'all'. Known: {_benchmark_help()}"
    )
    parser.add_argument("--output", required=True, help="results folder")
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="read benchmark NAME from a local copy (hub-layout folder or one file) instead of the hub",
    )
    parser.add_argument("--limit", type=int, help="only the first LIMIT rows of each benchmark (config) (a quick look)")
    parser.add_argument("--max-new-tokens", type=int, default=2048, help="per answer and per judgment")
    parser.add_argument(
        "--system-prompt",
        default=AUTHORS_SYSTEM_PROMPT,
        help="explicit system turn (the authors' scripts); pass '' to use the chat template's own default",
    )
    parser.add_argument(
        "--is-mimo-thinking",
        action="store_true",
        help="append <think> after the generation prompt, as the authors' --is-mimo-thinking (MiMo-VL)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=VARIANT",
        help="our protocol option for one benchmark instead of the authors' (e.g. mmmu=inline_images)",
    )
    parser.add_argument("--best-of", type=int, help="also run self-critic Best-of-N with N candidates")
    parser.add_argument(
        "--preset",
        default="paper",
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
        "--unparsed",
        choices=["wrong", "random"],
        default="wrong",
        help="critic verdicts no rule can read: count as wrong, or a seeded coin flip (lmms-eval-comparable)",
    )
    parser.add_argument("--judge-url", help="OpenAI-compatible server for metrics whose official definition needs one")
    parser.add_argument("--judge-model", help="model name on --judge-url")
    parser.add_argument("--baseline", help="another run's output folder (e.g. the base model): deltas in the summary")
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
    args = parser.parse_args(argv)
    names = list(REGISTRY) if args.benchmarks == "all" else [n.strip() for n in args.benchmarks.split(",") if n.strip()]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {', '.join(REGISTRY)}")
    args.benchmarks = names
    args.preset = [p.strip() for p in args.preset.split(",") if p.strip()]
    if any(p not in PRESETS for p in args.preset):
        parser.error(f"--preset takes {sorted(PRESETS)}, got {args.preset}")
    args.data = dict(_pair(parser, text, "--data") for text in args.data)
    args.variant = dict(_pair(parser, text, "--variant") for text in args.variant)
    for name, variant in args.variant.items():
        if variant not in REGISTRY[name].variants:
            parser.error(f"--variant {name}={variant}: {name} has variants {sorted(REGISTRY[name].variants) or 'none'}")
    if args.best_of is not None and args.best_of < 1:
        parser.error("--best-of must be at least 1")
    if bool(args.judge_url) != bool(args.judge_model):
        parser.error("--judge-url and --judge-model go together")
    if not args.rescore and not args.model:
        parser.error("--model is required (except with --rescore)")
    return args


def _pair(parser, text: str, option: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if name not in REGISTRY or not value:
        parser.error(f"{option} takes NAME=VALUE with NAME one of {', '.join(REGISTRY)}; got {text!r}")
    return name, value


def run_settings(args, name: str) -> dict:
    """Everything that decides which items run and what the model sees for benchmark ``name``: the resume key."""
    benchmark = REGISTRY[name]
    return {
        "model": args.model,
        "max_new_tokens": args.max_new_tokens,
        "min_pixels": args.min_pixels,
        "max_pixels": args.max_pixels,
        "min_image_side": args.min_image_side,
        "system_prompt": args.system_prompt or None,
        "generation_prefix": "<think>" if args.is_mimo_thinking else "",
        "variant": args.variant.get(name),
        "max_model_len": args.max_model_len or benchmark.max_model_len,
        "video_frames": benchmark.video_frames,
    }


class Backends:
    """Builds a backend on first use (a run with nothing left to do never loads the model), one per vLLM
    context length: switching to a benchmark with another ``max_model_len`` closes the previous engine."""

    def __init__(self, args):
        self.args, self.backend, self.key = args, None, None

    def for_benchmark(self, settings: dict):
        key = settings["max_model_len"] if self.args.backend == "vllm" else None

        def get():
            if self.backend is None or self.key != key:
                if self.backend is not None and hasattr(self.backend, "close"):
                    self.backend.close()
                # The authors' scripts allow 10 images and 10 videos per prompt (limit_mm_per_prompt).
                self.backend = backend_from_args(
                    self.args,
                    max_images=10,
                    max_videos=10,
                    max_model_len=key,
                    system_prompt=settings["system_prompt"],
                    generation_prefix=settings["generation_prefix"],
                )
                self.key = key
            return self.backend

        return get


def main(argv=None) -> dict:
    args = parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    if args.rescore:
        summaries.rescore(out, args.benchmarks, args.best_of)
    else:
        backends = Backends(args)
        # Benchmarks sharing a vLLM context length run together, so the engine is built as few times as possible.
        order = sorted(args.benchmarks, key=lambda n: run_settings(args, n)["max_model_len"])
        for name in order:
            benchmark, settings = REGISTRY[name], run_settings(args, name)
            paths = summaries.stage_paths(out, name, args.best_of)
            found, skipped = items(name, args.data.get(name), args.limit, args.variant.get(name))
            for reason, count in skipped.items():
                print(f"{name}: skipped {count} rows: {reason}")
            paths["rows"].write_text(json.dumps({"items": len(found), "skipped_rows": skipped}) + "\n")
            get_backend = backends.for_benchmark(settings)
            if benchmark.task == "policy":
                run_greedy(get_backend, name, found, paths["greedy"], args, settings)
                if args.best_of:
                    run_best_of_n(get_backend, name, found, paths["best_of_n"], args, settings)
            else:
                run_critic(get_backend, name, found, paths["critic"], args, settings)
    judge = (
        ChatJudge(args.judge_url, args.judge_model, cache_path=out / "judge_cache.jsonl") if args.judge_url else None
    )
    summary = summaries.build(
        out, args.benchmarks, args.best_of, args.model, judge=judge, unparsed=args.unparsed, seed=args.seed
    )
    if args.baseline:
        summaries.add_baseline(summary, Path(args.baseline))
    json_path, md_path = summaries.write(out, summary)
    charts = write_charts(out, summary)
    print("\n" + summaries.markdown(summary))
    print(f"summary: {json_path}, {md_path}; charts: {', '.join(str(p) for p in charts) or 'none'}")
    return summary


if __name__ == "__main__":
    main()
