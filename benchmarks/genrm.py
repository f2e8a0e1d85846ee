"""The critic as a reward model: judge calls per mode, reward quality in simulation, and throughput.

    python benchmarks/genrm.py [--groups 300] [--seeds 0 1 2] [--latency-ms 50] [--rollouts 256]

1. Judge calls per group for each mode at n=8 and n=16, one order and both (counted by running the mode).
2. Reward quality in simulation: groups of n=8 candidates with true quality ~ U(0, 1) and a reference
   answer of quality 0.75; a judge that, with probability ``b``, answers "1" whatever it sees (position
   bias), and otherwise picks the better answer with probability ``p``. Printed: the Spearman correlation
   of each mode's reward with the true quality within a group (what GRPO's advantages use), averaged over
   groups, mean +- spread over seeds; a group whose rewards are all equal counts as 0 (no signal).
3. Rollouts scored per second by ``CriticGenRM`` in ``reference`` mode (both orders: 2 calls per rollout)
   against the loopback server (its own process) with injected latency, by the per-worker concurrency
   limit; and the manager's own CPU time per judge call (goal < 1 ms): with the real HTTP client, and
   with the HTTP call replaced by an instant reply (the manager alone).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import statistics
import time

import numpy as np
from tqdm import tqdm

from critic_r1_ext.genrm import modes

REFERENCE_QUALITY = 0.75


def calls_table() -> None:
    print("\n## Judge calls per group")
    print(f"{'mode':<12} {'n=8 both':>9} {'n=8 one':>8} {'n=16 both':>10} {'n=16 one':>9}")

    async def any_verdict(first, second):
        return "1" if first < second else "2"

    for mode in modes.MODES:
        row = [
            asyncio.run(modes.score(mode, n, any_verdict, both, anchor=0)).calls
            for n in (8, 16)
            for both in (True, False)
        ]
        print(f"{mode:<12} {row[0]:>9} {row[1]:>8} {row[2]:>10} {row[3]:>9}")


def _spearman(x: list[float], y: list[float]) -> float:
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def _ranks(values: list[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    order = arr.argsort()
    ranks = np.empty(len(arr))
    ranks[order] = np.arange(len(arr))
    for v in np.unique(arr):  # average ranks for ties
        ranks[arr == v] = ranks[arr == v].mean()
    return ranks


def simulate(mode: str, both: bool, p: float, b: float, groups: int, seed: int, n: int = 8) -> float:
    rng = random.Random(seed)

    async def one_group() -> float:
        quality = [rng.random() for _ in range(n)]

        async def judge(first: int, second: int) -> str:
            if rng.random() < b:
                return "1"
            qf, qs = (REFERENCE_QUALITY if i == modes.REFERENCE else quality[i] for i in (first, second))
            better = "1" if qf > qs else "2"
            return better if rng.random() < p else ("2" if better == "1" else "1")

        scored = await modes.score(mode, n, judge, both, anchor=rng.randrange(n))
        rewards = [0.5 if r is None else r for r in scored.rewards]
        return _spearman(rewards, quality)

    return statistics.fmean(asyncio.run(one_group()) for _ in range(groups))


def quality_table(groups: int, seeds: list[int]) -> None:
    tqdm.write(
        f"\n## Reward quality: Spearman(reward, true quality) within groups of 8 ({groups} groups x seeds {seeds})"
    )
    settings = [(p, b) for p in (0.7, 0.8, 0.9) for b in (0.0, 0.2)]
    tqdm.write(f"{'mode':<12} {'orders':<6} " + " ".join(f"{f'p={p} b={b}':>16}" for p, b in settings))
    jobs = [(m, both) for m in modes.MODES for both in (False, True)]
    for mode, both in tqdm(jobs, desc="simulating", leave=False):
        cells = []
        for p, b in settings:
            runs = [simulate(mode, both, p, b, groups, seed) for seed in seeds]
            spread = statistics.stdev(runs) if len(runs) > 1 else 0.0
            cells.append(f"{statistics.fmean(runs):.3f}+-{spread:.3f}")
        tqdm.write(f"{mode:<12} {'both' if both else 'one':<6} " + " ".join(f"{c:>16}" for c in cells))


def _server(latency_s: float, queue) -> None:
    from critic_r1_ext.genrm.loopback import serve

    def reply(payload: dict) -> str:
        time.sleep(latency_s)
        return "<think>compare</think> \\boxed{1}"

    with serve(reply) as url:
        queue.put(url)
        while True:
            time.sleep(3600)


def throughput(latency_ms: float, rollouts: int, concurrencies: list[int]) -> None:
    from verl.trainer.ppo.reward import load_reward_manager

    from critic_r1_ext.genrm.samples import sample
    from critic_r1_ext.preflight.__main__ import compose
    from critic_r1_ext.tiny_model import build_tokenizer

    queue = mp.get_context("spawn").Queue()
    server = mp.get_context("spawn").Process(target=_server, args=(latency_ms / 1000, queue), daemon=True)
    server.start()
    url = queue.get(timeout=120)
    tokenizer = build_tokenizer()
    samples = [sample(tokenizer, f"u{k}", 0, f"answer number {k}") for k in range(rollouts)]
    print(f"\n## Throughput: reference mode, both orders, judge latency {latency_ms:g} ms, {rollouts} rollouts")
    print(f"{'concurrency':>11} {'rollouts/s':>11} {'calls/s':>8} {'CPU ms/call':>12}")
    try:
        for concurrency in concurrencies:
            config = compose([
                "+recipe=critic_genrm", "reward.reward_model.enable=false",
                "reward.reward_model.enable_resource_pool=false",
                "reward.custom_reward_function.reward_kwargs.mode=reference",
                f"+reward.custom_reward_function.reward_kwargs.base_url={url}",
                f"+reward.custom_reward_function.reward_kwargs.max_concurrency={concurrency}",
            ])  # fmt: skip
            manager = load_reward_manager(config, tokenizer)
            seconds, cpu, calls = _score_all(manager, samples)
            print(f"{concurrency:>11} {rollouts / seconds:>11.1f} {calls / seconds:>8.1f} {1000 * cpu / calls:>12.3f}")

        async def instant(messages, **sampling):
            from critic_r1_ext.genrm.client import Reply

            return Reply("<think>x</think> \\boxed{1}", "", 1)

        manager.judge.client.chat = instant
        seconds, cpu, calls = _score_all(manager, samples)
        print(f"manager alone (instant judge): {1000 * cpu / calls:.3f} CPU ms per judge call (goal < 1 ms)")
    finally:
        server.kill()


def _score_all(manager, samples) -> tuple[float, float, int]:
    async def run():
        try:
            return await asyncio.gather(*(manager.run_single(s) for s in samples))
        finally:
            await manager.judge.client.close()

    wall, cpu = time.perf_counter(), time.process_time()
    out = asyncio.run(run())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls = sum(o["reward_extra_info"]["genrm_judge_calls"] for o in out)
    return wall, cpu, int(calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=300, help="simulated groups per setting and seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="injected judge latency per call")
    parser.add_argument("--rollouts", type=int, default=256)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    args = parser.parse_args()
    print(f"load (uptime): {os.getloadavg()}")
    calls_table()
    quality_table(args.groups, args.seeds)
    throughput(args.latency_ms, args.rollouts, args.concurrency)
    print(f"load (uptime): {os.getloadavg()}")


if __name__ == "__main__":
    main()
