"""Judge calls, pair yield and pair precision of the preference strategies, on simulated candidates.

No model. Each prompt gets N answers of known quality (independent standard normal draws; ties have
probability zero). The simulated critic answers each ordered pair (first, second) independently:
with probability ``b`` (position bias) it says "1" whatever the answers, otherwise it picks the truly
better answer with probability ``p`` (accuracy) and the worse one with ``1 - p``. The strategies are
the real generators of ``critic_r1_ext.preferences.strategies``, driven by ``selection.run_batched``.
Printed per strategy, for each (p, b): judge calls per prompt, pairs per prompt, pairs per judge
call, and precision: the share of pairs whose chosen answer really is the better one, as the mean
and standard deviation over seeds.

Run: ``python benchmarks/preferences.py [--n 8] [--prompts 300] [--seeds 5]``.
"""

from __future__ import annotations

import argparse
import random
import statistics

from critic_r1_ext.preferences import strategies
from critic_r1_ext.self_critic.selection import run_batched

SETTINGS = [(0.9, 0.0), (0.8, 0.1), (0.7, 0.2), (0.65, 0.3)]
VARIANTS = [
    ("best_vs_worst", 0),
    ("agree", 0),
    ("round_robin", 1),
    ("round_robin", 2),
    ("round_robin", 4),
    ("round_robin", 6),
]


def simulate(strategy: str, margin: int, n: int, prompts: int, p: float, b: float, seed: int) -> dict:
    """Calls, pairs and correct pairs of one strategy over ``prompts`` simulated prompts."""
    rng = random.Random(f"{seed}:{p}:{b}")
    qualities = [[rng.gauss(0, 1) for _ in range(n)] for _ in range(prompts)]

    def judge(requests):
        verdicts = []
        for k, first, second in requests:
            if rng.random() < b:
                verdicts.append("1")
                continue
            better = first if qualities[k][first] > qualities[k][second] else second
            picked = better if rng.random() < p else (second if better == first else first)
            verdicts.append("1" if picked == first else "2")
        return verdicts

    outcomes = run_batched([strategies.make(strategy, n, margin) for _ in range(prompts)], judge)
    pairs = [(k, pair) for k, outcome in enumerate(outcomes) for pair in outcome.pairs]
    correct = sum(qualities[k][pair.chosen] > qualities[k][pair.rejected] for k, pair in pairs)
    return {"calls": sum(o.calls for o in outcomes), "pairs": len(pairs), "correct": correct}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="answers per prompt")
    parser.add_argument("--prompts", type=int, default=300, help="prompts per seed")
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"N={args.n}, {args.prompts} prompts x {args.seeds} seeds; precision = mean +- sd over seeds")
    header = (
        f"{'p':>5} {'b':>4}  {'strategy':<16} {'calls/prompt':>12} {'pairs/prompt':>12} {'pairs/call':>10} "
        f"{'precision':>16}"
    )
    print(header + "\n" + "-" * len(header))
    for p, b in SETTINGS:
        for strategy, margin in VARIANTS:
            runs = [simulate(strategy, margin, args.n, args.prompts, p, b, seed) for seed in range(args.seeds)]
            calls = sum(r["calls"] for r in runs) / (args.prompts * args.seeds)
            assert calls == strategies.judge_calls(strategy, args.n), "the budget formula must match the calls made"
            pairs = sum(r["pairs"] for r in runs) / (args.prompts * args.seeds)
            precision = [r["correct"] / r["pairs"] for r in runs if r["pairs"]]
            spread = statistics.stdev(precision) if len(precision) > 1 else 0.0
            name = strategy if strategy != "round_robin" else f"round_robin m={margin}"
            shown = f"{100 * statistics.mean(precision):.1f}% +- {100 * spread:.1f}" if precision else "n/a"
            print(f"{p:>5} {b:>4}  {name:<16} {calls:>12.0f} {pairs:>12.2f} {pairs / calls:>10.3f} {shown:>16}")
        print()


if __name__ == "__main__":
    main()
