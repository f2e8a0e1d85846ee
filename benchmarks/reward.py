"""Judgments/second of the critic reward, both modes, vs verl's geo3k reward (EasyR1's format+accuracy reward).

    python benchmarks/reward.py [--n 10000] [--timeout 60] [--fuzz 400] [--fuzz-timeout 10] [--only-fuzz]

The baseline is ``verl.utils.reward_score.geo3k.compute_score`` itself: format by
``re.fullmatch(r"<think>.*</think>.*\\boxed\\{.*\\}.*", DOTALL)``, accuracy by mathruler's
``extract_boxed_content`` + ``grade_answer``; the authors' reward is the same plus a whitespace
squeeze. Each run is a child process with a time limit, since on adversarial input the baseline
backtracks for minutes. Prints a table; goal: both modes at least as fast as the baseline on every
row (>= 1x), and time per KiB flat as the input grows (linear).

The fuzz section boxes random math expressions (huge numbers, power towers, factorials, scientific
notation, polynomials) and grades them against integer, decimal, fraction and symbolic labels in each
mode; it prints the slowest case per mode (a case over ``--fuzz-timeout`` is stopped and shown as such).
Goal: every mode's worst case far below a second, where the baseline (mathruler as the authors call it)
runs into the time-out.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import queue
import random
import time

from verl.utils.reward_score.geo3k import compute_score as geo3k_score

from critic_r1_ext.reward import compute_score

WORDS = (
    "the first answer counts circles correctly while the second one misses a triangle in the lower left "
    "corner so its description of the image is wrong and also hallucinates a dog response image"
).split()
VERDICTS = ["2", "1", "Response 2", "\\text{Response 1}", "[[2]]", "Answer 1", "1 or 2", ""]


def realistic(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """Rollout-like critic outputs: 100-900 words of thinking with some LaTeX, then a boxed verdict."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(100, 900))]
        for _ in range(rng.randint(0, 4)):
            words.insert(rng.randrange(len(words)), f"$\\frac{{{rng.randint(1, 9)}}}{{{rng.randint(1, 9)}}}$")
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


KINDS = ("think", "boxed", "close-boxed", "mixed", "nested", "spaces")


def adversarial(size: int, kind: str) -> str:
    """``size`` characters of unclosed think/boxed fragments; ``nested`` is balanced boxes, ``spaces`` a
    whitespace run (which the authors' whitespace squeeze rescans from every position)."""
    if kind == "nested":
        return "\\boxed{" * (size // 8) + "}" * (size - size // 8 * 7)
    if kind == "spaces":
        return "<think>x" + " " * (size - 9) + "x"
    piece = {
        "think": "<think>",
        "boxed": "\\boxed{",
        "close-boxed": "</think>\\boxed{",
        "mixed": "<think></think>\\boxed{<think>\\boxed{ ",
    }[kind]
    return ("<think>" + piece * (size // len(piece)))[:size]


def paper(text: str, truth: str) -> float:
    return compute_score("critic", text, truth, mode="paper")["score"]


def robust(text: str, truth: str) -> float:
    return compute_score("critic", text, truth, mode="robust")["score"]


def geo3k(text: str, truth: str) -> float:
    return geo3k_score(text, truth)


SCORERS = {"paper": paper, "robust": robust, "geo3k": geo3k}


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
    fn = SCORERS[name]
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


def speedup(rate: float, base: float | None, timeout: float) -> str:
    return f"{rate / base:,.1f}x" if base else f"> {rate * timeout:,.0f}x"


FUZZ_LABELS = ["1", "2", "1.5", "0.5", "\\frac{1}{2}", "x", "-3.25", "\\pi", "x^2+1"]


def fuzz_expression(rng: random.Random, depth: int = 0) -> str:
    """A random math answer; deep or large ones are what sympy chokes on."""
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(
            [
                str(rng.randint(0, 10 ** rng.randint(1, 12))),
                f"{rng.randint(1, 9)}.{rng.randint(0, 99)}",
                f"{rng.randint(1, 9)}.5e{rng.choice([3, 40, 400, 40000, 9999999])}",
                "x",
                "y",
                "\\pi",
                "\\sqrt{2}",
            ]
        )
    a, b = fuzz_expression(rng, depth + 1), fuzz_expression(rng, depth + 1)
    return rng.choice(
        [
            f"{a}+{b}",
            f"{a}-{b}",
            f"({a})({b})",
            f"\\frac{{{a}}}{{{b}}}",
            f"({a})**{rng.randint(2, 2000)}",
            f"({a})**({b})",
            f"{rng.randint(2, 9)}**{rng.randint(2, 9)}**{rng.randint(2, 9)}",
            f"{a}^{{{b}}}",
            f"({rng.randint(2, 10 ** rng.randint(1, 8))})!",
            "*".join(f"(x+{i})" for i in range(rng.randint(2, 40))),
            "+".join(f"x**{i}" for i in range(rng.randint(2, 40))),
        ]
    )


def fuzz_cases(n: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(f"<think>x</think> \\boxed{{{fuzz_expression(rng)}}}", rng.choice(FUZZ_LABELS)) for _ in range(n)]


def _fuzz_child(name, cases, start, out):
    fn = SCORERS[name]
    fn("<think>warm-up</think> \\boxed{x^2}", "1.5")
    for i in range(start, len(cases)):
        began = time.perf_counter()
        fn(*cases[i])
        out.put((i, time.perf_counter() - began))
    out.put(None)


def worst_case(name: str, cases, timeout: float) -> tuple[float | None, int]:
    """The slowest case (seconds, or None when it ran past ``timeout``) and its index; a child runs the
    cases in order and is restarted after the one it is stopped on."""
    ctx = mp.get_context("fork")
    worst, worst_at, start = 0.0, 0, 0
    while start < len(cases):
        out = ctx.Queue()
        proc = ctx.Process(target=_fuzz_child, args=(name, cases, start, out))
        proc.start()
        while True:
            try:
                item = out.get(timeout=timeout + 30 * (start == 0))
            except queue.Empty:  # the case at ``start`` is still running: stop it and go on after it
                proc.kill()
                proc.join()
                if worst is not None:
                    worst, worst_at = None, start
                start += 1
                break
            if item is None:
                proc.join()
                start = len(cases)
                break
            i, seconds = item
            start = i + 1
            if worst is not None and seconds > worst:
                worst, worst_at = seconds, i
    return worst, worst_at


def fuzz_report(n: int, timeout: float) -> None:
    cases = fuzz_cases(n)
    print(f"\nfuzz: {n} boxed math expressions (seed 0) against labels {FUZZ_LABELS}; slowest case per mode")
    for name in SCORERS:
        seconds, at = worst_case(name, cases, timeout)
        text, label = cases[at]
        shown = f"> {timeout:.0f} s (stopped)" if seconds is None else f"{seconds:.3f} s"
        print(f"{name:<8}{shown:>20}  box {text[text.find('{') + 1 : -1][:70]!r} label {label!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="realistic responses")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a baseline run is stopped")
    parser.add_argument("--fuzz", type=int, default=400, help="fuzzed math answers")
    parser.add_argument("--fuzz-timeout", type=float, default=10.0, help="seconds before a fuzz case is stopped")
    parser.add_argument("--only-fuzz", action="store_true", help="run the fuzz section only")
    args = parser.parse_args()
    if args.only_fuzz:
        fuzz_report(args.fuzz, args.fuzz_timeout)
        return

    samples = realistic(args.n)
    mean_kib = sum(len(t) for t, _ in samples) / len(samples) / 1024
    print(f"realistic: {args.n} responses, mean {mean_kib:.1f} KiB; judgments/s (higher is better)")
    print(f"{'input':<30}{'paper':>12}{'robust':>12}{'geo3k':>12}{'paper x':>15}{'robust x':>15}")
    rows = [("realistic", samples, args.timeout * 10, 0.0)]
    rows += [(f"adversarial 64 KiB {kind}", [(adversarial(64 * 1024, kind), "1")], args.timeout, 1.0) for kind in KINDS]
    for label, data, timeout, seconds in rows:
        best: dict[str, float | None] = {}
        for _ in range(3):  # interleaved repeats, best kept: other jobs on the machine skew single runs
            for name in SCORERS:
                if name not in best or best[name] is not None:
                    rate = rate_with_timeout(name, data, timeout, seconds)
                    best[name] = None if rate is None else max(rate, best.get(name) or 0.0)
        r_paper, r_robust, r_base = best["paper"], best["robust"], best["geo3k"]
        print(
            f"{label:<30}{fmt(r_paper, timeout):>12}{fmt(r_robust, timeout):>12}{fmt(r_base, timeout):>12}"
            f"{speedup(r_paper, r_base, timeout):>15}{speedup(r_robust, r_base, timeout):>15}"
        )

    print("\nscaling: microseconds per judgment per KiB (flat = linear); 'nested' = balanced \\boxed{ nesting")
    print(f"{'size':>8}{'paper mixed':>13}{'paper nested':>14}{'robust mixed':>14}{'robust nested':>15}")
    for kib in (4, 16, 64, 256, 1024):
        cells = []
        for name in ("paper", "robust"):
            for kind in ("mixed", "nested"):
                rate = rate_with_timeout(name, [(adversarial(kib * 1024, kind), "1")], args.timeout, seconds=0.5)
                cells.append(f"{1e6 / rate / kib:.2f}")
        print(f"{kib:>6}Ki{cells[0]:>13}{cells[1]:>14}{cells[2]:>14}{cells[3]:>15}")
    fuzz_report(args.fuzz, args.fuzz_timeout)


if __name__ == "__main__":
    main()
