"""One round of preference labelling: sample, judge, keep pairs, write the outputs and the manifest.

A round lives in ``OUT/round_K/``; its manifest is written last, so round K+1 can tell that K finished.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.preferences import strategies
from critic_r1_ext.preferences.judging import Critic, judgment_id, policy_text, sample
from critic_r1_ext.preferences.outputs import write_critic_pairs, write_dpo, write_json, write_jsonl
from critic_r1_ext.preferences.prompts import read_prompts
from critic_r1_ext.preferences.store import RowFile
from critic_r1_ext.self_critic.selection import run_batched
from data_prep.errors import DataPrepError


def settings(args) -> tuple[dict, dict]:
    """What shapes the samples, and what shapes the judgments; resumed files must match them."""
    policy = {k: getattr(args, k) for k in ("policy", "n", "temperature", "top_p", "max_new_tokens", "think_suffix")}
    critic = {k: getattr(args, k) for k in ("critic", "judge_prompt", "judge_max_new_tokens")}
    # The knockout asks for other pairs than the all-pairs strategies: a round keeps one schedule, so
    # every judgment already made is one the strategy asks for and the printed budget stays exact.
    critic["schedule"] = "knockout" if args.strategy == "best_vs_worst" else "all_pairs"
    return {**policy, "seed": args.seed}, critic


def check_round(out: Path, round_no: int) -> None:
    """Round K continues a run: round K-1 must have finished (its manifest is written last)."""
    if round_no > 1 and not (out / f"round_{round_no - 1}" / "manifest.json").exists():
        raise DataPrepError(
            f"{out / f'round_{round_no - 1}'}: no manifest.json; finish round {round_no - 1} before --round {round_no}"
        )


def run_round(args, backends) -> dict:
    """One round end to end; returns its manifest. ``backends.get(model, max_images)`` gives a generation backend.

    Every prompt is sampled first, then judged, so that with two checkpoints only one is loaded at a time.
    """
    started = time.time()
    out = Path(args.out)
    check_round(out, args.round)
    prompts = read_prompts(args)
    round_dir = out / f"round_{args.round}"
    policy_settings, critic_settings = settings(args)
    samples = RowFile(round_dir / "samples.jsonl", policy_settings)
    judgments = RowFile(round_dir / "judgments.jsonl", critic_settings)
    per_prompt = strategies.judge_calls(args.strategy, args.n)
    budget = per_prompt * len(prompts)
    ids = {p.id for p in prompts}
    max_images = max(len(p.images) for p in prompts)
    done = sum(1 for r in judgments.records.values() if r["prompt_id"] in ids)
    print(
        f"judge budget: {len(prompts)} prompts x {per_prompt} calls ({args.strategy}, N={args.n}) = {budget} "
        f"judge calls; {done} already in {judgments.path}, {budget - done} to make"
    )
    step = max(args.prompts_per_batch, 1)
    batches = [prompts[start : start + step] for start in range(0, len(prompts), step)]
    unsampled = [p for p in prompts if p.id not in samples.records]
    with tqdm(total=len(unsampled), desc=f"round {args.round}: sampling", unit="prompt") as bar:
        for start in range(0, len(unsampled), step):
            batch = unsampled[start : start + step]
            sample(backends.get(args.policy, max_images), batch, [p.pil_images() for p in batch], samples, args)
            bar.update(len(batch))
    if args.critic != args.policy:
        backends.release(args.policy)
    critic = Critic(
        lambda: backends.get(args.critic, max_images), args.judge_prompt, args.judge_max_new_tokens, judgments
    )
    outcomes: dict[str, strategies.Outcome] = {}
    with tqdm(total=len(prompts), desc=f"round {args.round}: judging", unit="prompt") as bar:
        for batch in batches:
            critic.owners = [(p, samples.records[p.id]["answers"], p.pil_images()) for p in batch]
            results = run_batched([strategies.make(args.strategy, args.n, args.margin) for _ in batch], critic)
            outcomes.update({p.id: result for p, result in zip(batch, results)})
            bar.update(len(batch))
    calls = {"budget": budget, "reused": done, "made": critic.calls}
    return finish(args, prompts, samples, judgments, outcomes, calls, started)


def pair_records(prompts, samples, judgments, outcomes) -> tuple[list[dict], Counter]:
    """Every kept pair with its evidence; pairs whose two answers are the same text are dropped and counted."""
    records, dropped = [], Counter()
    for prompt in prompts:
        answers = samples.records[prompt.id]["answers"]
        for pair in outcomes[prompt.id].pairs:
            if answers[pair.chosen].strip() == answers[pair.rejected].strip():
                dropped["identical_answers"] += 1
                continue
            evidence = [judgments.records[judgment_id(prompt.id, f, s)] for f, s, _ in pair.judgments]
            records.append(
                {
                    "prompt_id": prompt.id,
                    "chosen": pair.chosen,
                    "rejected": pair.rejected,
                    "chosen_text": answers[pair.chosen],
                    "rejected_text": answers[pair.rejected],
                    "judgments": [{k: j[k] for k in ("first", "second", "verdict", "output")} for j in evidence],
                }
            )
    return records, dropped


def finish(args, prompts, samples, judgments, outcomes, calls: dict, started: float) -> dict:
    """Write the round's pairs, DPO and critic files, then its manifest (last: it marks the round finished)."""
    out, round_dir = Path(args.out), Path(args.out) / f"round_{args.round}"
    pairs, dropped = pair_records(prompts, samples, judgments, outcomes)
    decisions = Counter()
    for outcome in outcomes.values():
        dropped.update(outcome.dropped)
        decisions.update(outcome.decisions)
    by_id = {p.id: p for p in prompts}
    texts = {p.id: policy_text(p.question, args.think_suffix) for p in prompts}
    write_jsonl(round_dir / "pairs.jsonl", pairs)
    write_dpo(round_dir / "dpo.parquet", pairs, by_id, texts)
    critic_file = out / "critic_pairs" / f"round_{args.round}.parquet"
    write_critic_pairs(critic_file, pairs, by_id, args.round)
    judged = sum(decisions.values())
    manifest = {
        "round": args.round,
        "policy": args.policy,
        "critic": args.critic,
        "n": args.n,
        "strategy": args.strategy,
        "margin": args.margin if args.strategy == "round_robin" else None,
        "judge_prompt": args.judge_prompt,
        "input": args.input,
        "prompts": len(prompts),
        "judge_calls": calls,
        "pairs": len(pairs),
        "dropped": dict(sorted(dropped.items())),
        "judged_pairs": judged,
        "decisions": dict(sorted(decisions.items())),
        "agreement": decisions["agree"] / judged if judged else None,
        "settings": dict(zip(("policy", "critic"), settings(args))),
        "outputs": {
            "pairs": str(round_dir / "pairs.jsonl"),
            "dpo": str(round_dir / "dpo.parquet"),
            "critic_pairs": str(critic_file),
        },
        "seconds": round(time.time() - started, 1),
    }
    write_json(round_dir / "manifest.json", manifest)
    print(
        f"round {args.round}: {len(prompts)} prompts, {calls['made']} judge calls made "
        f"({calls['reused']} reused, budget {calls['budget']}), "
        f"{len(pairs)} pairs; both orders agree on {judged and 100 * decisions['agree'] / judged:.1f}% of "
        f"{judged} judged pairs; dropped {dict(sorted(dropped.items()))}"
    )
    print(f"wrote {round_dir / 'dpo.parquet'}, {critic_file}, {round_dir / 'manifest.json'}")
    return manifest
