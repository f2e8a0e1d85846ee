"""Critic benchmarks: VL-RewardBench and MM-RLHF-RewardBench as pairwise rows, judged and summarised.

VL-RewardBench rows go through ``vl_rewardbench.convert_row`` (three groups; ids beginning
``hallucination_pair-`` are POVID, hallucination group); the summary gives the benchmark authors'
overall accuracy (all rows) and macro accuracy (mean over the groups). MM-RLHF-RewardBench rows
(``prompt``/``chosen``/``rejected``, ``image`` a path inside the dataset repository's
``images/`` folder) are pairs whose better response is ``chosen``; the hub copy is fetched with
``huggingface_hub.snapshot_download`` because its images are files beside the table, and a local copy
is a folder with the same layout. Rows with a video instead of an image are skipped and counted
(the backends take images only). Judging is ``critic.judge_rows``: greedy, ``--judge-prompt``
(authors by default) and ``--orders`` (one seeded random order per row by default, as the authors).
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.benchmarks import BENCHMARKS, load_rows
from critic_r1_ext.evaluate.critic import judge_rows, summarize
from critic_r1_ext.evaluate.vl_rewardbench import convert_row


def mm_rlhf_root(source: str | None) -> Path:
    """The folder holding MM-RLHF-RewardBench's table and ``images/``: ``source`` or a hub snapshot."""
    if source is not None:
        return Path(source)
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(BENCHMARKS["mm_rlhf_rewardbench"].hub_id, repo_type="dataset"))


def critic_pairs(name: str, source: str | None, limit: int | None) -> tuple[list[dict], dict]:
    """Pairwise rows (``critic.read_pairs`` format) and counts of skipped rows by reason."""
    if name == "vl_rewardbench":
        pairs, skipped = [], 0
        for position, row in enumerate(load_rows(BENCHMARKS[name], source, limit)):
            pair = convert_row(dict(row), position)
            if pair is None:
                skipped += 1
            else:
                pairs.append(pair)
        return pairs, {"no strict preference": skipped} if skipped else {}
    root = mm_rlhf_root(source)
    pairs, videos, seen = [], 0, set()
    for position, row in enumerate(load_rows(BENCHMARKS[name], str(root), limit)):
        for column in ("prompt", "chosen", "rejected"):
            if not isinstance(row.get(column), str):
                raise ValueError(f"{name}: row {position}: {column!r} must be a string")
        if row.get("video"):
            videos += 1
            continue
        if not row.get("image"):
            raise ValueError(f"{name}: row {position}: neither image nor video")
        rid = str(row.get("id") if row.get("id") is not None else position)
        rid = rid if rid not in seen else f"{rid}#{position}"
        seen.add(rid)
        pairs.append(
            {
                "id": rid,
                "query": row["prompt"],
                "response_1": row["chosen"],
                "response_2": row["rejected"],
                "label": "1",
                "images": [str(root / "images" / row["image"])],
                "subset": "all",
            }
        )
    return pairs, {"video rows (images only here)": videos} if videos else {}


class _Pair:
    """A pair row seen as an item for ``stages.prepare_images``."""

    def __init__(self, row: dict):
        self.row, self.id, self.images = row, row["id"], row["images"]


def run_critic(get_backend, name: str, pairs: list[dict], path: Path, args) -> None:
    """Judge every pair not yet in ``path``: all judgments of a chunk in one generate call."""
    settings = {
        "model": args.model,
        "max_new_tokens": args.max_new_tokens,
        "judge_prompt": args.judge_prompt,
        "orders": args.orders,
        "seed": args.seed,
        "min_pixels": args.min_pixels,
        "max_pixels": args.max_pixels,
    }
    todo = stages.pending(path, [_Pair(p) for p in pairs], settings, args.resume)
    with tqdm(total=len(todo), desc=f"{name} judge", unit="row") as bar:
        for chunk in stages.chunks(todo, args.items_per_call):
            kept, images, skipped = stages.prepare_images(chunk, name, args.min_image_side)
            records = (
                judge_rows(
                    get_backend(),
                    [p.row for p in kept],
                    images,
                    args.max_new_tokens,
                    args.judge_prompt,
                    args.orders,
                    args.seed,
                )
                if kept
                else []
            )
            stages.write(
                path, [{**s, "settings": settings} for s in skipped] + [{**r, "settings": settings} for r in records]
            )
            bar.update(len(chunk))


def critic_summary(records: list[dict]) -> dict:
    """``critic.summarize`` over judged rows, with the skipped count."""
    judged = [r for r in records if "skipped" not in r]
    summary = summarize(judged)
    summary["skipped"] = len(records) - len(judged)
    return summary
