"""Judge calls and selection accuracy of the self-critic knockout variants, on a simulated pool.

No model: each question gets N sampled final answers with realistic duplication (half multiple
choice with four options, half free-form numeric answers with a few attractive wrong values and a
tail of one-off mistakes, 3% of samples without an answer), and a simulated judge that is noisy
(prefers the correct answer with probability ``--skill`` when exactly one side is correct, else
flips a coin), position-biased (answers "1" regardless with probability ``--bias``) and sometimes
gives no verdict. Compares, for N = 8, 32, 128:

* plain   - the paper's knockout over all N candidates, one order per match (N - 1 calls);
* merged  - candidates merged by final answer, one order per match;
* merged+both - merged, every match judged in both orders (the tool's default).

Run: ``python benchmarks/self_critic.py [--questions 4000] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import random

from critic_r1_ext.self_critic.selection import entrants, knockout, majority_vote, run

VARIANTS = {"plain": (False, False), "merged": (True, False), "merged+both": (True, True)}


def sample_pool(rng: random.Random, n: int) -> tuple[list[str | None], str]:
    """N final answers for one simulated question and its reference answer."""
    p_correct = rng.betavariate(1.5, 1.5)
    if rng.random() < 0.5:
        wrong_pool, weights = ["b", "c", "d"], [0.6, 0.3, 0.1]
        correct, fresh_rate = "a", 0.0
    else:
        wrong_pool, weights = ["w1", "w2", "w3", "w4"], [0.5, 0.25, 0.15, 0.1]
        correct, fresh_rate = "42", 0.4
    answers: list[str | None] = []
    for k in range(n):
        draw = rng.random()
        if draw < 0.03:
            answers.append(None)
        elif draw < 0.03 + 0.97 * p_correct:
            answers.append(correct)
        elif rng.random() < fresh_rate:
            answers.append(f"fresh{k}")
        else:
            answers.append(rng.choices(wrong_pool, weights)[0])
    return answers, correct


def simulated_judge(
    rng: random.Random, answers, correct, skill: float, bias: float, no_verdict: float, consistency: float
):
    """A judge callable over ordered candidate pairs: noisy, biased towards position 1, maybe consistent."""
    preference: dict[frozenset, float] = {}

    def judge(pairs):
        verdicts = []
        for first, second in pairs:
            draw = rng.random()
            if draw < no_verdict:
                verdicts.append(None)
                continue
            if draw < no_verdict + bias:
                verdicts.append("1")
                continue
            key = frozenset((answers[first], answers[second]))
            fixed = preference.setdefault(key, rng.random())
            u = fixed if rng.random() < consistency else rng.random()
            good = (answers[first] == correct, answers[second] == correct)
            if good[0] != good[1]:
                first_wins = good[0] == (u < skill)
            else:  # both right or both wrong: an arbitrary but (if consistent) stable preference
                first_wins = (str(answers[first]) < str(answers[second])) == (u < 0.5)
            verdicts.append("1" if first_wins else "2")
        return verdicts

    return judge


def evaluate(n: int, args) -> dict:
    """Accuracy and mean judge calls per question of every variant, plus first-sample and majority vote."""
    pools = random.Random(args.seed)
    totals = {name: [0, 0] for name in VARIANTS}  # [correct, judge calls]
    first = majority = 0
    for question in range(args.questions):
        answers, correct = sample_pool(pools, n)
        first += answers[0] == correct
        vote = majority_vote(answers)
        majority += vote is not None and answers[vote] == correct
        for name, (merge, both) in VARIANTS.items():
            rng = random.Random(f"{args.seed}:{n}:{question}:{name}")  # same judge noise whatever runs before
            judge = simulated_judge(rng, answers, correct, args.skill, args.bias, args.no_verdict, args.consistency)
            selection = run(knockout(entrants(answers, merge), both, args.max_looks), judge)
            totals[name][0] += selection.winner is not None and answers[selection.winner] == correct
            totals[name][1] += selection.judge_calls
    row = {"first": first / args.questions, "majority": majority / args.questions}
    for name, (hits, calls) in totals.items():
        row[name] = (hits / args.questions, calls / args.questions)
    return row


def print_table(args) -> None:
    header = f"{'N':>4} {'first':>6} {'major':>6}" + "".join(f" | {name:>11} acc calls" for name in VARIANTS)
    print(header)
    print("-" * len(header))
    for n in (8, 32, 128):
        row = evaluate(n, args)
        cells = "".join(f" | {row[name][0]:15.3f} {row[name][1]:5.1f}" for name in VARIANTS)
        print(f"{n:>4} {row['first']:6.3f} {row['majority']:6.3f}{cells}")
    plain, both = row["plain"], row["merged+both"]
    print(
        f"N=128: merged+both makes {plain[1] / both[1]:.1f}x fewer judge calls than plain knockout; "
        f"selection accuracy {both[0]:.3f} vs {plain[0]:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skill", type=float, default=0.7)
    parser.add_argument("--bias", type=float, default=0.2)
    parser.add_argument("--no-verdict", type=float, default=0.05)
    parser.add_argument("--max-looks", type=int, default=3, help="as self_critic --max-looks")
    parser.add_argument("--consistency", type=float, default=0.5, help="for the consistent judge")
    args = parser.parse_args()
    print(
        f"{args.questions} simulated questions per N, seed {args.seed}; judge skill {args.skill}, "
        f"position-1 bias {args.bias}, no verdict {args.no_verdict}; up to {args.max_looks} looks per merged match"
    )
    consistency = args.consistency
    for label, args.consistency in (("independent judge", 0.0), (f"consistent judge ({consistency})", consistency)):
        print(f"\n{label}")
        print_table(args)


if __name__ == "__main__":
    main()
