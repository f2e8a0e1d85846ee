"""Does the CPU GRPO loop learn? The reward trend over several seeds on a critic task the tiny model can learn.

Runs ``critic_r1_ext.cpu.grpo_loop`` (verl's actor and reference engines, our recipe, dataset and
reward, HF-generate rollouts) with the tiny Qwen2.5-VL, one fresh process per seed.

Task ``text`` (default, critic_r1_ext/cpu/text_task.py): the bundled sample's strict pairs with the
worse answer replaced by the fixed non-answer "I cannot tell.", always second, so the right verdict
is always 1 and the model can learn it from the words alone (position balancing off on purpose: with
the refusal on either side, one seed of 40 steps stayed flat, reward 0.296 -> 0.293). Task
``sample``: the bundled sample itself, whose verdicts need the picture, which the tiny model cannot
read (acc stays about chance).

Each seed starts with a supervised warm start that teaches the think/boxed format with coin-flip
verdicts (never the labels), so acc starts near chance among the formatted answers and any rise is GRPO's. Printed:
per step reward, acc, format, response length, KL, clip fraction, seconds; per seed the mean reward
and acc of the first vs the last quarter of the steps; then the mean, standard deviation and range of
those across the seeds. A sign or masking error in the loop shows as a flat or falling line.

    python benchmarks/grpo_cpu.py                              # 3 seeds x 40 steps, task text
    python benchmarks/grpo_cpu.py --task sample --seeds 0      # the bundled sample
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COLUMNS = (
    ("reward", "reward"),
    ("acc", "acc"),
    ("format", "format"),
    ("response_length", "resp_len"),
    ("actor/kl_loss", "kl"),
    ("actor/pg_clipfrac", "clipfrac"),
    ("seconds", "seconds"),
)


def run_seed(seed: int, args: argparse.Namespace) -> dict:
    """One seed in its own process (verl's engine and the gloo group are process-wide): warm start, then GRPO."""
    from critic_r1_ext.cpu.grpo_loop import run
    from critic_r1_ext.cpu.text_task import write_text_task

    def on_step(step: int, metrics: dict) -> None:
        print(f"{seed:>4}  {step:>4}  " + "  ".join(f"{metrics[key]:>9.3f}" for key, _ in COLUMNS), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        train_file = write_text_task(Path(tmp) / "text_task") if args.task == "text" else None
        results = run(
            Path(tmp) / "work",
            args.steps,
            prompts=args.prompts,
            n=args.n,
            lr=args.lr,
            warm_steps=args.warm_steps,
            seed=seed,
            on_step=on_step,
            train_file=train_file,
        )
    return {"warm_start": results["warm_start"], "steps": results["steps"]}


def quarters(steps: list[dict], key: str) -> tuple[float, float]:
    """Mean of ``key`` over the first and over the last quarter of the steps."""
    q = max(1, len(steps) // 4)
    return statistics.fmean(s[key] for s in steps[:q]), statistics.fmean(s[key] for s in steps[-q:])


def spread(values: list[float]) -> str:
    """``mean ± std [min, max]`` across seeds (std 0 for one seed)."""
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):+.3f} ± {std:.3f} [{min(values):+.3f}, {max(values):+.3f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, width=110),
    )
    parser.add_argument("--task", choices=("text", "sample"), default="text", help="see below (default: text)")
    parser.add_argument("--steps", type=int, default=40, help="GRPO steps per seed (default: 40)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="(default: 0 1 2)")
    parser.add_argument("--prompts", type=int, default=4, help="prompts per step, two mini-batches (default: 4)")
    parser.add_argument("--n", type=int, default=4, help="rollouts per prompt (default: 4)")
    parser.add_argument("--lr", type=float, default=2e-4, help="actor lr; the recipe's 1e-6 barely moves a tiny model")
    parser.add_argument("--warm-steps", type=int, default=60, help="supervised format steps (default: 60)")
    args = parser.parse_args(argv)

    print("seed  step  " + "  ".join(f"{label:>9}" for _, label in COLUMNS), flush=True)
    start = time.perf_counter()
    per_seed = {}
    spawn = multiprocessing.get_context("spawn")
    for seed in args.seeds:
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            per_seed[seed] = pool.submit(run_seed, seed, args).result()
    total = time.perf_counter() - start

    changes = {"reward": [], "acc": []}
    for seed, result in per_seed.items():
        steps, warm = result["steps"], result["warm_start"]
        (r0, r1), (a0, a1), (f0, f1) = (quarters(steps, k) for k in ("reward", "acc", "format"))
        changes["reward"].append(r1 - r0)
        changes["acc"].append(a1 - a0)
        print(
            f"seed {seed}: warm start loss {warm['loss_first']:.2f} -> {warm['loss_last']:.2f}; first -> last quarter: "
            f"reward {r0:.3f} -> {r1:.3f} ({r1 - r0:+.3f}), acc {a0:.3f} -> {a1:.3f}, format {f0:.3f} -> {f1:.3f}"
        )
    step_seconds = statistics.fmean(s["seconds"] for r in per_seed.values() for s in r["steps"])
    peak_rss_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    print(
        f"summary: task {args.task}, {len(args.seeds)} seeds x {args.steps} steps x {args.prompts} prompts x "
        f"{args.n} rollouts, lr {args.lr:g}; change from the first to the last quarter, mean ± std [min, max] "
        f"over seeds: reward {spread(changes['reward'])}, acc {spread(changes['acc'])}; {step_seconds:.2f} s/step; "
        f"peak RSS {peak_rss_gb:.2f} GB; total {total:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
