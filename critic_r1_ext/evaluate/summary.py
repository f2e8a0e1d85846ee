"""The evaluation summary: per benchmark and per Figure 1 category, ours beside the paper's and a baseline's.

Everything is computed from the stage files alone (``--rescore`` scores the stored outputs again
first), so a summary never needs the model or the data. Per benchmark: the official metric(s) of
its module (``Benchmark.metrics``; "needs a judge" where one is needed and none was given), our
strict scorer's accuracy beside them, the paper's value where Figure 1 gives one and the delta to a
baseline run. Per category: the mean of its benchmarks' main values (only when every benchmark of
the category ran and has a number), with Figure 1's category average beside it, and a partial mean
over the members that have a value, labelled as such with what is missing and why (never in place
of the mean). The overall average gets the same partial mean beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

from critic_r1_ext.common.answers import final_answer
from critic_r1_ext.evaluate import paper_values, stages
from critic_r1_ext.evaluate.benchmarks import CATEGORIES, NEEDS_JUDGE, REGISTRY
from critic_r1_ext.evaluate.critic import judgment_fields
from critic_r1_ext.evaluate.critic_benchmarks import critic_summary, fill_unparsed, parse_with_judge
from critic_r1_ext.evaluate.policy import scored
from critic_r1_ext.evaluate.scoring import safe_score
from critic_r1_ext.self_critic.selection import majority_vote


def stage_paths(out: Path, name: str, best_of: int | None) -> dict[str, Path]:
    paths = {
        "rows": out / f"{name}.rows.json",
        "greedy": out / f"{name}.greedy.jsonl",
        "critic": out / f"{name}.critic.jsonl",
    }
    if best_of:
        paths["best_of_n"] = out / f"{name}.best_of_{best_of}.jsonl"
    return paths


def _rate(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def greedy_summary(records: list[dict]) -> dict:
    """Our strict scorer over the greedy answers (and the lenient substring rule beside it)."""
    done = [scored(r) if "correct" not in r else r for r in records if "skipped" not in r]
    return {
        "items": len(done),
        "skipped": len(records) - len(done),
        "accuracy": _rate([r["correct"] for r in done]),
        "accuracy_lenient": _rate([r["lenient"] for r in done]),
        "no_answer_rate": _rate([r["extracted"] is None for r in done]),
        "score_errors": sum("score_error" in r for r in done),
    }


def best_of_n_summary(records: list[dict]) -> dict:
    done = [r for r in records if "skipped" not in r]
    presets = sorted({p for r in done for p in r["presets"]})

    def picked(r, index):
        return index is not None and r["candidates"][index]["correct"]

    summary = {
        "items": len(done),
        "n": done[0]["settings"]["n"] if done else None,
        "majority": _rate([picked(r, r["majority"]) for r in done]),
        "pass_at_n": _rate([any(c["correct"] for c in r["candidates"]) for r in done]),
        "model_judge_calls_per_item": _rate([r["model_judge_calls"] for r in done]),
    }
    for preset in presets:
        summary[f"best_of_n_{preset}"] = _rate([picked(r, r["presets"][preset]["winner"]) for r in done])
        summary[f"judge_calls_per_item_{preset}"] = _rate([r["presets"][preset]["judge_calls"] for r in done])
    return summary


def rescore(out: Path, names: list[str], best_of: int | None) -> None:
    """Score the stored outputs again in place (after a scorer change), without a model.

    Refuses, in one line, a folder without results for a benchmark; a record that cannot be
    rescored (fields missing) is kept as it was and counted, never dropped."""
    for name in names:
        paths = stage_paths(out, name, best_of)
        kinds = ["greedy", "best_of_n"] if REGISTRY[name].task == "policy" else ["critic"]
        present = [kind for kind in kinds if kind in paths and paths[kind].exists()]
        if not present:
            expected = ", ".join(str(paths[k]) for k in kinds if k in paths)
            raise SystemExit(f"error: --rescore: {out} has no results for {name} (expected {expected})")
        for kind in present:
            kept = [0]

            def again(record, kind=kind, kept=kept):
                try:
                    return _rescored(kind, record)
                except (KeyError, TypeError, ValueError, IndexError):
                    kept[0] += 1
                    return record

            stages.update(paths[kind], again)
            if kept[0]:
                print(f"{paths[kind]}: {kept[0]} record(s) lack what rescoring needs; kept as they were")


def _rescored(kind: str, record: dict) -> dict:
    if "skipped" in record:
        return record
    if kind == "greedy":
        return {**record, **safe_score(record["reference"], record["output"])}
    if kind == "best_of_n":
        candidates = [
            {**c, "answer": final_answer(c["text"]), **safe_score(record["reference"], c["text"])}
            for c in record["candidates"]
        ]
        return {**record, "candidates": candidates, "majority": majority_vote([c["answer"] for c in candidates])}
    return {**record, **judgment_fields(record["outputs"], record["first_shown"], record["label"])}


def _official(name: str, records: list[dict], judge) -> dict:
    """The benchmark module's metrics; a failing metric is reported, never raised."""
    try:
        return REGISTRY[name].metrics(records, judge)
    except Exception as err:  # noqa: BLE001 - one benchmark's metric bug must not lose the whole summary
        return {"metrics_error": f"{type(err).__name__}: {err}"}


def _rows(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        value = json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def benchmark_entry(out: Path, name: str, best_of: int | None, judge=None, unparsed="wrong", seed=0) -> dict:
    """One benchmark's summary entry (see the module docstring)."""
    benchmark, paths = REGISTRY[name], stage_paths(out, name, best_of)
    entry = {
        "task": benchmark.task,
        "category": benchmark.category,
        "paper_name": benchmark.paper_name,
        "skipped_rows": _rows(paths["rows"]).get("skipped_rows", {}),
    }
    if benchmark.task == "policy":
        records = stages.read(paths["greedy"])
        entry["strict"] = greedy_summary(records)
        done = [scored(r) if "correct" not in r else r for r in records if "skipped" not in r]
        if best_of:
            entry["best_of_n"] = best_of_n_summary(stages.read(paths["best_of_n"]))
    else:
        records = stages.read(paths["critic"])
        if judge is not None:
            records = parse_with_judge(records, judge)
        if unparsed == "random":
            records = fill_unparsed(records, seed)
            entry["random_filled"] = sum(r.get("random_filled", 0) for r in records)
        entry["strict"] = critic_summary(records)
        done = [r for r in records if "skipped" not in r]
    entry["official"] = _official(name, done, judge) if done else {}
    entry["main_metric"] = benchmark.main_metric
    entry["main"] = entry["official"].get(benchmark.main_metric)
    if entry["main"] == NEEDS_JUDGE and benchmark.stand_in:
        entry["stand_in"] = {"metric": benchmark.stand_in, "value": entry["official"].get(benchmark.stand_in)}
    entry["paper"] = paper_values.BENCHMARKS.get(name)
    return entry


def _number(value) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _figure_value(entry: dict) -> float | None:
    """The value Figure 1 averages: the main metric, or its flagged rule-based stand-in while it needs a judge."""
    if "stand_in" in entry:
        return _number(entry["stand_in"]["value"])
    return _number(entry["main"])


def partial_mean(names: list[str], entries: dict[str, dict]) -> dict:
    """The mean of the Figure 1 values of those ``names`` that have one, how many, and why each other one has none
    (``missing``: name -> "not run", "needs a judge" or "no value"). Shown beside the strict mean, never for it."""
    values, missing = [], {}
    for name in names:
        entry = entries.get(name)
        value = None if entry is None else _figure_value(entry)
        if value is not None:
            values.append(value)
        elif entry is None:
            missing[name] = "not run"
        else:
            missing[name] = "needs a judge" if entry["main"] == NEEDS_JUDGE else "no value"
    mean = sum(values) / len(values) if values else None
    return {"value": mean, "with_value": len(values), "of": len(names), "missing": missing}


def build(
    out: Path, names: list[str], best_of: int | None, model: str | None, judge=None, unparsed="wrong", seed=0
) -> dict:
    """The summary dict for the benchmarks ``names`` (see the module docstring)."""
    summary = {"model": model, "unparsed": unparsed, "benchmarks": {}, "categories": {}}
    for name in names:
        summary["benchmarks"][name] = benchmark_entry(out, name, best_of, judge, unparsed, seed)
    for category in CATEGORIES:
        members = [n for n, b in REGISTRY.items() if b.category == category]
        ran = [n for n in members if n in summary["benchmarks"]]
        if not ran:
            continue
        values = [_figure_value(summary["benchmarks"][n]) for n in ran]
        complete = len(ran) == len(members) and None not in values
        summary["categories"][category] = {
            "benchmarks": ran,
            "of": len(members),
            "measured": sum(values) / len(values) if complete else None,
            "partial": partial_mean(members, summary["benchmarks"]),
            "stand_ins": [n for n in ran if "stand_in" in summary["benchmarks"][n]],
            "paper": paper_values.CATEGORIES.get(category),
        }
    mains = [_figure_value(e) for e in summary["benchmarks"].values()]
    summary["average"] = sum(mains) / len(mains) if mains and None not in mains else None
    summary["average_partial"] = partial_mean(list(summary["benchmarks"]), summary["benchmarks"])
    if judge is not None:
        summary["judge"] = {"calls": judge.calls, "failures": judge.failures}
    return summary


def add_baseline(summary: dict, baseline_dir: Path) -> None:
    """Put a baseline run's main values (from its ``summary.json``) and our deltas beside ours."""
    path = baseline_dir / "summary.json"
    if not path.exists():
        raise SystemExit(f"error: --baseline {baseline_dir}: no summary.json there (run the evaluation on it first)")
    base = json.loads(path.read_text())
    summary["baseline"] = {"path": str(baseline_dir), "model": base.get("model")}
    for name, entry in summary["benchmarks"].items():
        other_entry = base.get("benchmarks", {}).get(name)
        other = _figure_value(other_entry) if isinstance(other_entry, dict) and "main" in other_entry else None
        entry["baseline"] = other
        ours = _figure_value(entry)
        entry["delta"] = ours - other if other is not None and ours is not None else None
    for category, entry in summary["categories"].items():
        other = _number(base.get("categories", {}).get(category, {}).get("measured"))
        entry["baseline"] = other
        entry["delta"] = entry["measured"] - other if other is not None and entry["measured"] is not None else None
    other = _number(base.get("average"))
    summary["baseline"]["average"] = other
    ours = summary["average"]
    summary["delta_average"] = ours - other if other is not None and ours is not None else None


def _pct(value) -> str:
    if value == NEEDS_JUDGE:
        return NEEDS_JUDGE
    value = _number(value)
    return "—" if value is None else f"{100 * value:.1f}"


def _signed(value) -> str:
    value = _number(value)
    return "—" if value is None else f"{100 * value:+.1f}"


def _paper(values: dict | None, key: str) -> str:
    return "—" if not values or key not in values else f"{values[key]:.1f}"


def _partial(partial: dict | None) -> str:
    """``58.1 (6 of 7; MMHal-Bench needs a judge)``; empty when nothing is missing (the strict mean is given)."""
    if not partial or not partial["missing"]:
        return ""
    why = "; ".join(f"{REGISTRY[n].paper_name.split(' (')[0]} {reason}" for n, reason in partial["missing"].items())
    return f"{_pct(partial['value'])} ({partial['with_value']} of {partial['of']}; {why})"


def markdown(summary: dict) -> str:
    """The summary as markdown: benchmarks by category, categories, Best-of-N and critic details."""
    lines = [f"# Evaluation of `{summary['model']}`", ""]
    lines += [
        "| category | benchmark | items | official metric | value | strict accuracy | paper base | paper R1 "
        "| baseline | delta |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in sorted(summary["benchmarks"].items(), key=lambda kv: (CATEGORIES.index(kv[1]["category"]), kv[0])):
        strict = e["strict"]
        count = strict["items"] if "items" in strict else strict["overall"]["rows"]
        skipped = strict.get("skipped", 0) + sum(e.get("skipped_rows", {}).values())
        accuracy = strict["accuracy"] if "accuracy" in strict else strict["overall"]["accuracy"]
        value = _pct(e["main"])
        if "stand_in" in e:
            value += f"; {e['stand_in']['metric']} {_pct(e['stand_in']['value'])}"
        lines.append(
            f"| {e['category']} | {name} | {count} (+{skipped} skipped) | {e['main_metric']} | {value} "
            f"| {_pct(accuracy)} | {_paper(e['paper'], 'base')} | {_paper(e['paper'], 'r1')} "
            f"| {_pct(e.get('baseline'))} | {_signed(e.get('delta'))} |"
        )
    lines += [
        "",
        "| Figure 1 category | benchmarks run | measured | partial mean (members with a value only) | paper base "
        "| paper R1 | paper R1+ | baseline | delta |",
    ]
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for category, c in summary["categories"].items():
        lines.append(
            f"| {category} | {len(c['benchmarks'])} of {c['of']} | {_pct(c['measured'])} "
            f"| {_partial(c.get('partial'))} "
            f"| {_paper(c['paper'], 'base')} | {_paper(c['paper'], 'r1')} | {_paper(c['paper'], 'r1_plus')} "
            f"| {_pct(c.get('baseline'))} | {_signed(c.get('delta'))} |"
        )
    stand_ins = sorted({n for c in summary["categories"].values() for n in c["stand_ins"]})
    if stand_ins:
        lines += [
            "",
            f"Means use rule-based stand-ins where the official metric needs a judge: {', '.join(stand_ins)}.",
        ]
    lines += ["", f"Average over the benchmarks run: {_pct(summary['average'])}"]
    if "delta_average" in summary:
        lines[-1] += f" (baseline {_pct(summary['baseline']['average'])}, delta {_signed(summary['delta_average'])})"
    if _partial(summary.get("average_partial")):
        lines[-1] += f"; partial mean over the benchmarks with a value: {_partial(summary['average_partial'])}"
    lines.append("")
    lines += _best_of_n_lines(summary) + _critic_lines(summary)
    return "\n".join(lines)


def _best_of_n_lines(summary: dict) -> list[str]:
    rows = {n: e for n, e in summary["benchmarks"].items() if e.get("best_of_n")}
    if not rows:
        return []
    lines = [
        "| benchmark | majority@N | Best-of-N paper | Best-of-N ours | pass@N | judge calls/item paper, ours "
        "| paper R1 + Best-of-128 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, e in rows.items():
        bon = e["best_of_n"]
        calls = ", ".join(
            "—" if bon.get(f"judge_calls_per_item_{p}") is None else f"{bon[f'judge_calls_per_item_{p}']:.1f}"
            for p in ("paper", "ours")
        )
        lines.append(
            f"| {name} | {_pct(bon.get('majority'))} | {_pct(bon.get('best_of_n_paper'))} "
            f"| {_pct(bon.get('best_of_n_ours'))} | {_pct(bon.get('pass_at_n'))} | {calls} "
            f"| {_paper(e['paper'], 'r1_best_of_128')} |"
        )
    return [*lines, ""]


def _critic_lines(summary: dict) -> list[str]:
    rows = {n: e for n, e in summary["benchmarks"].items() if e["task"] == "critic"}
    if not rows:
        return []
    rule = "a seeded coin flip" if summary["unparsed"] == "random" else "wrong"
    lines = [
        f"Critic verdicts no rule could read count as {rule}.",
        "",
        "| critic benchmark | rows | accuracy | swap consistency | position-1 rate | no verdict |",
        "|---|---|---|---|---|---|",
    ]
    for name, e in rows.items():
        c = e["strict"]
        for subset, m in [("", c["overall"]), *(c["subsets"].items() if len(c["subsets"]) > 1 else ())]:
            label = f"{name}: {subset}" if subset else name
            lines.append(
                f"| {label} | {m['rows']} | {_pct(m['accuracy'])} | {_pct(m['swap_consistency'])} "
                f"| {_pct(m['position_1_rate'])} | {_pct(m['no_verdict_rate'])} |"
            )
    return [*lines, ""]


def write(out: Path, summary: dict) -> tuple[Path, Path]:
    json_path, md_path = out / "summary.json", out / "summary.md"
    json_path.write_text(json.dumps(summary, indent=2) + "\n")
    md_path.write_text(markdown(summary))
    return json_path, md_path
