"""MM-RLHF-RewardBench (train), ``yifanzhang114/MM-RLHF-RewardBench``, as ``eval_llama32v/model_mmrlhf_llama32v.py``.

Rows ``prompt``/``chosen``/``rejected`` with ``image`` (a file under the repository's ``images/``)
or ``video`` (a list of frame files there): the hub copy is a repository snapshot
(``huggingface_hub.snapshot_download``) because the media are files beside the table; a local copy
is a folder with the same layout. Video rows go to the model as one video of all listed frames, as
the authors' script passes them: its ``min_frames`` 10 / ``max_frames`` 32 sit in the message dict,
which is only rendered to text, like the image pixel bounds. Variant ``frames_10_32`` (ours) applies
those bounds: a video keeps between 10 and 32 of its frames, taken evenly (``np.linspace`` over the
listed frames, repeating frames of a shorter video). Official metric (MM-RLHF's reward-bench):
accuracy over pairs and Acc+ (a question counts only when every pair of that question is judged right).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from critic_r1_ext.evaluate.benchmarks._critic_metrics import accuracy, unparsed
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, need
from critic_r1_ext.evaluate.benchmarks.loading import load_rows


def mm_rlhf_rows(benchmark, source: str | None, limit: int | None):
    """Rows of the snapshot (or local folder) at ``source``, each with ``_root`` (the folder) added."""
    if source is None:
        from huggingface_hub import snapshot_download

        source = snapshot_download(benchmark.hub_id, repo_type="dataset")
    for row in load_rows(benchmark, str(source), limit):
        yield {**row, "_root": str(source)}


def mm_rlhf_item(row: dict, where: str) -> Item:
    need(row, where, "prompt", "chosen", "rejected", "image")
    for column in ("prompt", "chosen", "rejected"):
        if not isinstance(row.get(column), str):
            raise ValueError(f"{where}: {column!r} must be a string")
    images_dir = Path(row["_root"]) / "images"
    if row.get("video"):
        images, videos, media = [], [[str(images_dir / frame) for frame in row["video"]]], list(row["video"])
    elif row.get("image"):
        images, videos, media = [str(images_dir / row["image"])], [], [row["image"]]
    else:
        raise ValueError(f"{where}: neither image nor video")
    item_id = str(row["id"]) if row.get("id") is not None else where.rsplit(" ", 1)[-1]
    question_key = f"{row['prompt']}\n{media}"
    return Item(
        item_id,
        row["prompt"],
        images,
        "pair",
        "1",
        choices=[row["chosen"], row["rejected"]],
        category="video" if videos else "image",
        videos=videos,
        extra={"question": question_key},
    )


MIN_FRAMES, MAX_FRAMES = 10, 32


def mm_rlhf_item_frames_10_32(row: dict, where: str) -> Item:
    """Ours: every video clamped to 10..32 frames taken evenly from its listed frames."""
    item = mm_rlhf_item(row, where)
    for k, frames in enumerate(item.videos):
        count = min(max(len(frames), MIN_FRAMES), MAX_FRAMES)
        item.videos[k] = [frames[i] for i in np.linspace(0, len(frames) - 1, count).astype(int)]
    return item


def metrics(records: list[dict], judge=None) -> dict:
    """Accuracy over pairs (main), Acc+ over questions, accuracy per media kind, unparsed verdicts."""
    questions: dict[str, list[dict]] = {}
    for record in records:
        questions.setdefault(str(record.get("extra", {}).get("question", record["id"])), []).append(record)
    plus = [all(all(r.get("correct") or [False]) for r in group) for group in questions.values()]
    kinds = sorted({r["subset"] for r in records})
    return {
        "accuracy": accuracy(records),
        "acc_plus": sum(plus) / len(plus) if plus else None,
        "per_kind": {k: accuracy([r for r in records if r["subset"] == k]) for k in kinds},
        "unparsed_verdicts": unparsed(records),
    }


BENCHMARK = Benchmark(
    name="mm_rlhf_rewardbench",
    hub_id="yifanzhang114/MM-RLHF-RewardBench",
    split="train",
    task="critic",
    paper_name="MM-RLHF-RewardBench",
    category="Visual reward benchmarks",
    script="eval_llama32v/model_mmrlhf_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mm_rlhf_item,
    metrics=metrics,
    rows=mm_rlhf_rows,
    variants={"frames_10_32": mm_rlhf_item_frames_10_32},
)
