"""The evaluation summary: per benchmark, measured accuracies beside the paper's, as JSON and markdown.

Everything is computed from the stage files alone (``--rescore`` scores the stored outputs again
first), so a summary never needs the model or the data.
"""

from __future__ import annotations

import json
from pathlib import Path

from critic_r1_ext.common.answers import final_answer
from critic_r1_ext.evaluate import paper_values, stages
from critic_r1_ext.evaluate.critic import _SWAP
from critic_r1_ext.evaluate.critic_benchmarks import critic_summary
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.self_critic.selection import majority_vote
from critic_r1_ext.verdict import extract_verdict


def stage_paths(out: Path, name: str, best_of: int | None) -> dict[str, Path]:
    paths = {"greedy": out / f"{name}.greedy.jsonl", "critic": out / f"{name}.critic.jsonl"}
    if best_of:
        paths["best_of_n"] = out / f"{name}.best_of_{best_of}.jsonl"
    return paths


def _rate(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def greedy_summary(records: list[dict]) -> dict:
    scored = [r for r in records if "skipped" not in r]
    return {
        "items": len(scored),
        "skipped": len(records) - len(scored),
        "accuracy": _rate([r["correct"] for r in scored]),
        "accuracy_lenient": _rate([r["lenient"] for r in scored]),
        "no_answer_rate": _rate([r["extracted"] is None for r in scored]),
    }


def best_of_n_summary(records: list[dict]) -> dict:
    scored = [r for r in records if "skipped" not in r]
    presets = sorted({p for r in scored for p in r["presets"]})

    def picked(r, index):
        return index is not None and r["candidates"][index]["correct"]

    summary = {
        "items": len(scored),
        "n": scored[0]["settings"]["n"] if scored else None,
        "majority": _rate([picked(r, r["majority"]) for r in scored]),
        "pass_at_n": _rate([any(c["correct"] for c in r["candidates"]) for r in scored]),
        "model_judge_calls_per_item": _rate([r["model_judge_calls"] for r in scored]),
    }
    for preset in presets:
        summary[f"best_of_n_{preset}"] = _rate([picked(r, r["presets"][preset]["winner"]) for r in scored])
        summary[f"judge_calls_per_item_{preset}"] = _rate([r["presets"][preset]["judge_calls"] for r in scored])
    return summary


def rescore(out: Path, names: list[str], best_of: int | None) -> None:
    """Score the stored outputs again in place (after a scorer change), without a model."""
    for name in names:
        paths = stage_paths(out, name, best_of)
        for kind, path in paths.items():
            records = stages.read(path)
            if not records:
                continue
            path.write_text("".join(json.dumps(_rescored(kind, r)) + "\n" for r in records))


def _rescored(kind: str, record: dict) -> dict:
    if "skipped" in record:
        return record
    if kind == "greedy":
        return {**record, **score(record["reference"], record["output"])}
    if kind == "best_of_n":
        candidates = [
            {**c, "answer": final_answer(c["text"]), **score(record["reference"], c["text"])}
            for c in record["candidates"]
        ]
        return {**record, "candidates": candidates, "majority": majority_vote([c["answer"] for c in candidates])}
    verdicts = [v if v in _SWAP else None for v in (extract_verdict(t)[0] for t in record["outputs"])]
    picked = [v if first == "1" else _SWAP.get(v) for v, first in zip(verdicts, record["first_shown"], strict=True)]
    return {
        **record,
        "verdicts": verdicts,
        "picked": picked,
        "correct": [p == record["label"] for p in picked],
        "consistent": picked[0] is not None and picked[0] == picked[-1] if len(picked) == 2 else None,
    }


def build(out: Path, names: list[str], tasks: dict[str, str], best_of: int | None, model: str | None) -> dict:
    """The summary dict for the benchmarks ``names`` (``tasks`` maps each to "policy" or "critic")."""
    summary = {"model": model, "benchmarks": {}}
    for name in names:
        paths = stage_paths(out, name, best_of)
        if tasks[name] == "policy":
            entry = {"greedy": greedy_summary(stages.read(paths["greedy"]))}
            if best_of:
                entry["best_of_n"] = best_of_n_summary(stages.read(paths["best_of_n"]))
            entry["paper"] = paper_values.POLICY.get(name)
        else:
            entry = {"critic": critic_summary(stages.read(paths["critic"]))}
        summary["benchmarks"][name] = entry
    five = [summary["benchmarks"][n]["greedy"]["accuracy"] for n in paper_values.POLICY if n in summary["benchmarks"]]
    if len(five) == len(paper_values.POLICY) and None not in five:
        summary["policy_mean"] = {"greedy": sum(five) / len(five), "paper": paper_values.POLICY_MEAN}
    reward = [
        summary["benchmarks"][n]["critic"]["overall"]["accuracy"]
        for n in paper_values.REWARD_BENCHMARKS
        if n in summary["benchmarks"]
    ]
    if len(reward) == len(paper_values.REWARD_BENCHMARKS):
        summary["reward_category"] = {"measured": sum(reward) / len(reward), "paper": paper_values.REWARD_CATEGORY}
    return summary


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def markdown(summary: dict) -> str:
    """The summary as markdown tables: policy benchmarks, then critic benchmarks."""
    lines = [f"# Evaluation of `{summary['model']}`", ""]
    policy = {n: e for n, e in summary["benchmarks"].items() if "greedy" in e}
    if policy:
        lines += [
            "| benchmark | items | greedy | greedy (lenient) | majority@N | Best-of-N paper | Best-of-N ours "
            "| pass@N | judge calls/item paper, ours | paper base | paper R1 | paper R1 + Best-of-128 |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, entry in policy.items():
            greedy, bon, paper = entry["greedy"], entry.get("best_of_n") or {}, entry["paper"] or {}
            calls = ", ".join(
                "-" if bon.get(f"judge_calls_per_item_{p}") is None else f"{bon[f'judge_calls_per_item_{p}']:.1f}"
                for p in ("paper", "ours")
            )
            lines.append(
                f"| {name} | {greedy['items']} (+{greedy['skipped']} skipped) | {_pct(greedy['accuracy'])} "
                f"| {_pct(greedy['accuracy_lenient'])} | {_pct(bon.get('majority'))} "
                f"| {_pct(bon.get('best_of_n_paper'))} | {_pct(bon.get('best_of_n_ours'))} "
                f"| {_pct(bon.get('pass_at_n'))} "
                f"| {calls} | {paper.get('base', '-')} | {paper.get('r1', '-')} | {paper.get('r1_best_of_128', '-')} |"
            )
        lines.append("")
    critics = {n: e["critic"] for n, e in summary["benchmarks"].items() if "critic" in e}
    if critics:
        lines += [
            "| critic benchmark | rows | accuracy | macro accuracy | swap consistency | position-1 rate | no verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, c in critics.items():
            o = c["overall"]
            lines.append(
                f"| {name} | {o['rows']} (+{c['skipped']} skipped) | {_pct(o['accuracy'])} "
                f"| {_pct(c.get('macro_accuracy'))} | {_pct(o['swap_consistency'])} "
                f"| {_pct(o['position_1_rate'])} | {_pct(o['no_verdict_rate'])} |"
            )
            for subset, m in c["subsets"].items() if len(c["subsets"]) > 1 else ():
                lines.append(
                    f"| {name}: {subset} | {m['rows']} | {_pct(m['accuracy'])} | | "
                    f"{_pct(m['swap_consistency'])} | {_pct(m['position_1_rate'])} | {_pct(m['no_verdict_rate'])} |"
                )
        lines.append("")
    if "policy_mean" in summary:
        paper = summary["policy_mean"]["paper"]
        lines += [
            f"Mean of the five policy benchmarks, greedy: measured {_pct(summary['policy_mean']['greedy'])}; "
            f"paper (Figure 1): base {paper['base']}, R1 {paper['r1']}, R1 + Best-of-128 "
            f"{paper['r1_best_of_128']}.",
            "",
        ]
    if "reward_category" in summary:
        paper = summary["reward_category"]["paper"]
        lines += [
            f"Reward benchmarks, mean accuracy: measured {_pct(summary['reward_category']['measured'])}; "
            f"paper (Figure 1): base {paper['base']}, R1 {paper['r1']}, ThinkLite-VL-7B "
            f"{paper['thinklite_vl_7b']}, R1+ {paper['r1_plus']}.",
            "",
        ]
    return "\n".join(lines)


def write(out: Path, summary: dict) -> tuple[Path, Path]:
    json_path, md_path = out / "summary.json", out / "summary.md"
    json_path.write_text(json.dumps(summary, indent=2) + "\n")
    md_path.write_text(markdown(summary))
    return json_path, md_path
