"""Accuracy versus N (first sample, majority vote, self-critic) from self-critic records, as a PNG.

Each record's ``scaling`` list holds the selections made among its first 1, 2, 4, ... N
candidates (a real knockout at every N, with verdicts shared through the judge cache), so the
curve is what the tool would have scored at each N, not an extrapolation.
"""

from __future__ import annotations

from pathlib import Path


def scaling_curves(records: list[dict]) -> dict[str, list]:
    """Accuracy per N over the graded records: keys ``n``, ``first``, ``majority``, ``self_critic``."""
    graded = [r for r in records if r["correct"] is not None]
    if not graded:
        raise ValueError("no graded questions (rows need a reference 'answer'): nothing to plot")
    sizes = sorted(set.intersection(*({point["n"] for point in r["scaling"]} for r in graded)))
    if not sizes:
        raise ValueError("records share no candidate counts; run with --scaling to record the curve")
    curves: dict[str, list] = {"n": sizes, "first": [], "majority": [], "self_critic": []}
    first = sum(r["correct"]["first"] for r in graded) / len(graded)
    for size in sizes:
        points = [next(p for p in r["scaling"] if p["n"] == size) for r in graded]
        curves["first"].append(first)
        curves["majority"].append(sum(p["correct_majority"] for p in points) / len(points))
        curves["self_critic"].append(sum(p["correct_self_critic"] for p in points) / len(points))
    return curves


def plot_scaling(records: list[dict], path: str | Path) -> dict[str, list]:
    """Write the accuracy-versus-N figure to ``path`` (PNG) and return the curves plotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = scaling_curves(records)
    graded = sum(r["correct"] is not None for r in records)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=150)
    styles = (
        ("first", "first sample", "--", "tab:gray"),
        ("majority", "majority vote", "-", "tab:blue"),
        ("self_critic", "self-critic (knockout)", "-", "tab:red"),
    )
    for key, label, line, color in styles:
        values = [100 * v for v in curves[key]]
        ax.plot(curves["n"], values, line, marker="o", color=color, label=label)
        ax.annotate(
            f"{values[-1]:.1f}",
            (curves["n"][-1], values[-1]),
            textcoords="offset points",
            xytext=(6, 0),
            va="center",
            color=color,
            fontsize=8,
        )
    values = [100 * v for key, *_ in styles for v in curves[key]]
    ax.set_ylim(max(0.0, min(values) - 5), min(100.0, max(values) + 5))
    ax.set_xscale("log", base=2)
    ax.set_xticks(curves["n"], [str(n) for n in curves["n"]])
    ax.set_xlabel("N (candidates per question)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"Best-of-N with the model as its own judge ({graded} questions)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return curves
