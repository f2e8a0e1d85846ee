"""Critic benchmarks (VL-RewardBench, MM-RLHF-RewardBench): registry items judged pairwise, then summarised.

A critic benchmark's items (``benchmarks``) have kind "pair": the query, the two responses, the
better one's number and the benchmark's group. Judging is ``critic.judge_rows``: greedy,
``--judge-prompt`` (authors by default) and ``--orders`` (one seeded random order per row by
default, as the authors). A verdict outside ``\\boxed{}`` is read with lmms-eval's VL-RewardBench
fallback rule (``critic.read_verdict``); with ``--judge-url``, verdicts still unread are asked of the
judge, as lmms-eval asks GPT-4o-mini (``parse_with_judge``, its instruction in our words); what is
left is counted, and with ``--unparsed random`` replaced by a seeded coin flip as lmms-eval does.
"""

from __future__ import annotations

import random
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.critic import _SWAP, judge_rows, summarize


def pair_of(item) -> dict:
    """An item of a critic benchmark as a ``critic.judge_rows`` row."""
    return {
        "id": item.id,
        "query": item.question,
        "response_1": item.choices[0],
        "response_2": item.choices[1],
        "label": item.answer,
        "subset": item.category or "all",
        "extra": item.extra,
    }


def run_critic(get_backend, name: str, items: list, path: Path, args, settings: dict) -> None:
    """Judge every pair not yet in ``path``: all judgments of a chunk in one generate call."""
    settings = {**settings, "judge_prompt": args.judge_prompt, "orders": args.orders, "seed": args.seed}
    todo = stages.pending(path, items, settings, args.resume)
    with tqdm(total=len(todo), desc=f"{name} judge", unit="row") as bar:
        for chunk in stages.chunks(todo, args.items_per_call):
            kept, media, skipped = stages.prepare_media(chunk, name, args.min_image_side, settings["video_frames"])
            records = (
                judge_rows(
                    get_backend(),
                    [pair_of(item) for item in kept],
                    [images for images, _ in media],
                    args.max_new_tokens,
                    args.judge_prompt,
                    args.orders,
                    args.seed,
                    videos=[videos for _, videos in media],
                )
                if kept
                else []
            )
            stages.write(
                path, [{**s, "settings": settings} for s in skipped] + [{**r, "settings": settings} for r in records]
            )
            bar.update(len(chunk))


PARSE_PROMPT = (
    "Below is a judgment comparing two answers. Which answer does it conclude is better? Reply with "
    "'Answer 1' or 'Answer 2' only.\n\nJudgment: {judgment}"
)


def parse_with_judge(records: list[dict], judge) -> list[dict]:
    """Unread verdicts (no box, no lmms-eval match; hedges included, as lmms-eval) read by the LLM judge."""
    parsed = []
    for record in records:
        if "skipped" in record or None not in record.get("picked", []):
            parsed.append(record)
            continue
        verdicts = list(record["verdicts"])
        sources = list(record.get("verdict_sources") or ["none"] * len(verdicts))
        for k, (verdict, text) in enumerate(zip(record["verdicts"], record["outputs"], strict=True)):
            if verdict is None:
                reply = (judge.ask(PARSE_PROMPT.format(judgment=text)) or "").lower()
                found = [n for n in ("1", "2") if f"answer {n}" in reply]
                if len(found) == 1:
                    verdicts[k], sources[k] = found[0], "judge"
        picked = [v if first == "1" else _SWAP.get(v) for v, first in zip(verdicts, record["first_shown"], strict=True)]
        parsed.append(
            {
                **record,
                "verdicts": verdicts,
                "verdict_sources": sources,
                "picked": picked,
                "correct": [p == record["label"] for p in picked],
            }
        )
    return parsed


def fill_unparsed(records: list[dict], seed: int) -> list[dict]:
    """``--unparsed random``: every unread verdict becomes a coin flip seeded by ``seed`` and the row id
    (lmms-eval picks at random when it cannot parse), marked ``random_filled``."""
    filled = []
    for record in records:
        if "skipped" in record or None not in record.get("picked", []):
            filled.append(record)
            continue
        rng = random.Random(f"{seed}:{record['id']}")
        picked = [p if p is not None else rng.choice(["1", "2"]) for p in record["picked"]]
        filled.append(
            {
                **record,
                "picked": picked,
                "correct": [p == record["label"] for p in picked],
                "random_filled": sum(p is None for p in record["picked"]),
            }
        )
    return filled


def critic_summary(records: list[dict]) -> dict:
    """``critic.summarize`` over judged rows, with the skipped count."""
    judged = [r for r in records if "skipped" not in r]
    summary = summarize(judged)
    summary["skipped"] = len(records) - len(judged)
    return summary
