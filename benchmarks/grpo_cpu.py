"""Watch the CPU GRPO loop learn: per-step reward, acc, format, response length, KL and seconds.

Runs ``critic_r1_ext.cpu.grpo_loop`` (verl's actor and reference engines, our recipe, dataset and
reward, HF-generate rollouts) on the bundled sample with the tiny Qwen2.5-VL. The model first gets a
short supervised **warm start** (teacher forcing on think/boxed answers built from the sample's
labels; a random-init model never writes ``\\boxed{}``), reported on its own line; every number
after it is GRPO. The last line: seconds per step, peak RSS, mean reward of the first vs the last
quarter of the steps. The tiny model cannot see much in a 4x4-patch image: a rising reward mostly
means better format and fewer hedges, not a better critic.

    python benchmarks/grpo_cpu.py --steps 40        # a few minutes on 2 cores
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--prompts", type=int, default=2, help="prompts per step (two mini-batches)")
    parser.add_argument("--n", type=int, default=4, help="rollouts per prompt")
    parser.add_argument("--lr", type=float, default=2e-4, help="actor lr (the recipe's 1e-6 barely moves a tiny model)")
    parser.add_argument("--warm-steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from critic_r1_ext.cpu.grpo_loop import run

    print("step  " + "  ".join(f"{label:>9}" for _, label in COLUMNS), flush=True)

    def on_step(step: int, metrics: dict) -> None:
        print(f"{step:>4}  " + "  ".join(f"{metrics[key]:>9.3f}" for key, _ in COLUMNS), flush=True)

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        results = run(
            tmp,
            args.steps,
            prompts=args.prompts,
            n=args.n,
            lr=args.lr,
            warm_steps=args.warm_steps,
            seed=args.seed,
            on_step=on_step,
        )
    total = time.perf_counter() - start
    warm = results["warm_start"]
    steps = results["steps"]
    quarter = max(1, len(steps) // 4)
    first, last = (sum(s["reward"] for s in part) / quarter for part in (steps[:quarter], steps[-quarter:]))
    fmt_first, fmt_last = (sum(s["format"] for s in part) / quarter for part in (steps[:quarter], steps[-quarter:]))
    step_seconds = sum(s["seconds"] for s in steps) / len(steps)
    peak_rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"warm start (supervised, before GRPO): {warm['steps']} steps, loss {warm['loss_first']:.3f} -> "
        f"{warm['loss_last']:.3f}"
    )
    print(
        f"engine vs HF log-prob mean abs diff {results['log_prob_mean_abs_diff']:.2e}; "
        f"vision placeholders sampled: {len(results['banned_tokens_sampled'])}"
    )
    print(
        f"summary: {len(steps)} steps x {args.prompts} prompts x {args.n} rollouts; {step_seconds:.2f} s/step; "
        f"peak RSS {peak_rss_gb:.2f} GB; mean reward first quarter {first:.3f} -> last quarter {last:.3f} "
        f"({last - first:+.3f}); format {fmt_first:.3f} -> {fmt_last:.3f}; "
        f"total {total:.0f} s incl. start-up and warm start"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
