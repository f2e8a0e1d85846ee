"""One bar chart per Figure 1 category, written beside the summary: ours, the baseline run, the paper.

For each category that ran: one group of bars per benchmark (its main value) and one for the
category mean; bars for this run, the ``--baseline`` run and the paper's base and R1 values where
Figure 1 gives them (missing values are left out, never drawn as zero).
"""

from __future__ import annotations

import re
from pathlib import Path

SERIES = (("ours", "this run"), ("baseline", "baseline run"), ("paper_base", "paper: base"), ("paper_r1", "paper: R1"))


def _value(value) -> float | None:
    return 100 * value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def category_bars(summary: dict, category: str) -> dict[str, dict[str, float | None]]:
    """{group label: {series: value in percent or None}} for one category of ``summary``."""
    groups = {}
    for name, entry in summary["benchmarks"].items():
        if entry["category"] == category:
            paper = entry.get("paper") or {}
            groups[name] = {
                "ours": _value(entry["stand_in"]["value"] if "stand_in" in entry else entry["main"]),
                "baseline": _value(entry.get("baseline")),
                "paper_base": paper.get("base"),
                "paper_r1": paper.get("r1"),
            }
    mean = summary["categories"][category]
    paper = mean.get("paper") or {}
    groups["category mean"] = {
        "ours": _value(mean["measured"]),
        "baseline": _value(mean.get("baseline")),
        "paper_base": paper.get("base"),
        "paper_r1": paper.get("r1"),
    }
    return groups


def write_charts(out: Path, summary: dict) -> list[Path]:
    """``chart_<category>.png`` per category of ``summary``; returns the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for category in summary["categories"]:
        groups = category_bars(summary, category)
        figure, axes = plt.subplots(figsize=(max(4.0, 1.6 * len(groups)), 3.6))
        width = 0.8 / len(SERIES)
        for k, (key, label) in enumerate(SERIES):
            xs = [g + k * width for g, values in enumerate(groups.values()) if values[key] is not None]
            ys = [values[key] for values in groups.values() if values[key] is not None]
            if ys:
                axes.bar(xs, ys, width, label=label)
        axes.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], list(groups), rotation=20, ha="right")
        axes.set_ylabel("main metric (%)")
        axes.set_title(category)
        axes.legend(fontsize="small")
        figure.tight_layout()
        path = out / f"chart_{re.sub(r'[^a-z0-9]+', '_', category.lower()).strip('_')}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        paths.append(path)
    return paths
