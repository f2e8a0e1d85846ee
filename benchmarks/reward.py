"""Judgments/second of the critic reward vs verl's geo3k reward (EasyR1's format+accuracy reward).

    python benchmarks/reward.py [--n 10000] [--timeout 60]

The baseline is ``verl.utils.reward_score.geo3k.compute_score`` itself: format by
``re.fullmatch(r"<think>.*</think>.*\\boxed\\{.*\\}.*", DOTALL)``, accuracy by mathruler's
``extract_boxed_content`` + ``grade_answer`` (``pip install mathruler``). It runs in a child process
with a time limit, since on adversarial input it backtracks for minutes.
Prints a table; goal: never slower on realistic input, >= 10x faster on adversarial input, and our
time per KiB flat as the input grows (linear).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import time

from verl.utils.reward_score.geo3k import compute_score as geo3k_score

from critic_r1_ext.reward import compute_score

WORDS = ("the first answer counts circles correctly while the second one misses a triangle in the lower left "
         "corner so its description of the image is wrong and also hallucinates a dog response image").split()
VERDICTS = ["2", "1", "Response 2", "\\text{Response 1}", "[[2]]", "Answer 1", "1 or 2", ""]


def realistic(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """Rollout-like critic outputs: 100-900 words of thinking with some LaTeX, then a boxed verdict."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(100, 900))]
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randrange(len(words)), "$\\frac{%d}{%d}$" % (rng.randint(1, 9), rng.randint(1, 9)))
        thinking = " ".join(words)
        verdict = rng.choice(VERDICTS)
        style = rng.random()
        if style < 0.8:
            text = f"<think>\n{thinking}\n</think>\nTherefore the better response is \\boxed{{{verdict}}}."
        elif style < 0.9:
            text = f"{thinking} so \\boxed{{{verdict}}}"
        else:
            text = f"<think>{thinking}"  # ran out of tokens
        out.append((text, rng.choice("12")))
    return out


def adversarial(size: int, kind: str) -> str:
    """``size`` bytes of unclosed think/boxed fragments; ``nested`` is balanced boxes, our slowest path."""
    if kind == "nested":
        return "\\boxed{" * (size // 8) + "}" * (size - size // 8 * 7)
    piece = {
        "think": "<think>",
        "boxed": "\\boxed{",
        "close-boxed": "</think>\\boxed{",
        "mixed": "<think></think>\\boxed{<think>\\boxed{ ",
    }[kind]
    return ("<think>" + piece * (size // len(piece)))[:size]


def ours(text: str, truth: str) -> float:
    return compute_score("critic", text, truth)["score"]


def geo3k(text: str, truth: str) -> float:
    return geo3k_score(text, truth)


def _rate(fn, samples, seconds: float = 0.0) -> float:
    """Judgments per second over ``samples`` (repeated until ``seconds`` have passed, if given)."""
    done, start = 0, time.perf_counter()
    while True:
        for text, truth in samples:
            fn(text, truth)
        done += len(samples)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def _child(name, samples, seconds, queue):
    fn = {"ours": ours, "geo3k": geo3k}[name]
    fn("<think>warm-up</think> \\boxed{1}", "1")  # lazy imports and regex compilation stay out of the timing
    queue.put(_rate(fn, samples, seconds))


def rate_with_timeout(name: str, samples, timeout: float, seconds: float = 0.0) -> float | None:
    """Judgments/s in a child process, or None when it did not finish within ``timeout`` seconds."""
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_child, args=(name, samples, seconds, queue))
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None
    return queue.get()


def fmt(rate: float | None, timeout: float) -> str:
    if rate is None:
        return f"< {1 / timeout:.4f}"
    return f"{rate:,.1f}" if rate >= 1 else f"{rate:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="realistic responses")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a baseline run is stopped")
    args = parser.parse_args()

    samples = realistic(args.n)
    mean_kib = sum(len(t) for t, _ in samples) / len(samples) / 1024
    print(f"realistic: {args.n} responses, mean {mean_kib:.1f} KiB")
    print(f"{'input':<28}{'ours judg/s':>14}{'geo3k judg/s':>16}{'speed-up':>14}")
    r_ours = rate_with_timeout("ours", samples, args.timeout * 10)
    r_base = rate_with_timeout("geo3k", samples, args.timeout * 10)
    print(f"{'realistic':<28}{fmt(r_ours, args.timeout):>14}{fmt(r_base, args.timeout):>16}"
          f"{(r_ours / r_base if r_base else float('inf')):>13.1f}x")

    for kind in ("think", "boxed", "close-boxed", "mixed", "nested"):
        sample = [(adversarial(64 * 1024, kind), "1")]
        r_ours = rate_with_timeout("ours", sample, args.timeout, seconds=1.0)
        r_base = rate_with_timeout("geo3k", sample, args.timeout, seconds=0.0)
        speedup = f"{r_ours / r_base:,.1f}x" if r_base else f"> {r_ours * args.timeout:,.0f}x"
        print(f"{'adversarial 64 KiB ' + kind:<28}{fmt(r_ours, args.timeout):>14}{fmt(r_base, args.timeout):>16}{speedup:>14}")

    print("\nscaling: ms per judgment ('mixed' as above; 'nested' = balanced \\boxed{ nesting, our slowest path)")
    print(f"{'size':>8}{'ours mixed':>12}{'ours nested':>13}{'nested us/KiB':>15}{'geo3k mixed':>13}")
    for kib in (4, 8, 16, 32, 64, 128, 256):
        mixed = [(adversarial(kib * 1024, "mixed"), "1")]
        nested = [(adversarial(kib * 1024, "nested"), "1")]
        r_mixed = rate_with_timeout("ours", mixed, args.timeout, seconds=0.5)
        r_nested = rate_with_timeout("ours", nested, args.timeout, seconds=0.5)
        r_base = rate_with_timeout("geo3k", mixed, args.timeout / 4) if kib <= 16 else None
        base = f"{1000 / r_base:,.1f}" if r_base else ("timeout" if kib <= 16 else "not run")
        print(f"{kib:>6}Ki{1000 / r_mixed:>12.3f}{1000 / r_nested:>13.3f}{1e6 / r_nested / kib:>15.1f}{base:>13}")


if __name__ == "__main__":
    main()
