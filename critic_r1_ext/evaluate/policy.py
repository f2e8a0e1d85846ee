"""Single-answer evaluation of a policy benchmark: greedy, the authors' prompt, scored per item.

The prompt is the benchmark question (``benchmarks``) with the think/boxed instruction glued on
with no separator, as the authors' scripts do; greedy decoding. All pending prompts of a benchmark
go to the backend in one ``generate`` call (or ``--items-per-call`` at a time). Every generation
reaches the result file (flushed) before anything scores it; scoring then fills in each record's
score fields, and a scorer failure is recorded on the record (``score_error``), never losing output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.common.backends import Request
from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.benchmarks import Item
from critic_r1_ext.evaluate.scoring import safe_score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def policy_prompt(item: Item) -> str:
    """The user turn for one item: question + instruction, no separator (the authors' scripts)."""
    return item.question + THINK_BOXED_SUFFIX


def prompt_id(text: str) -> str:
    """A short hash of the prompt text, so results can be matched to the exact prompt that made them."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def raw_record(item: Item, output: str, settings: dict) -> dict:
    """What a generation leaves before scoring: enough to score it again without model or data."""
    return {
        "id": item.id,
        "prompt_id": prompt_id(policy_prompt(item)),
        "question": item.question,
        "reference": item.reference(),
        "output": output,
        "settings": settings,
    }


def scored(record: dict) -> dict:
    """``record`` with its score fields (``extracted``, ``correct``, ``lenient``) recomputed."""
    if "skipped" in record or "output" not in record:
        return record
    return {**record, **safe_score(record["reference"], record["output"])}


def run_greedy(get_backend, name: str, items: list[Item], path: Path, args, settings: dict) -> None:
    """Generate every item not yet in ``path`` (raw outputs first), then score the file's new records."""
    todo = stages.pending(path, items, settings, args.resume)
    with tqdm(total=len(todo), desc=f"{name} greedy", unit="item") as bar:
        for chunk in stages.chunks(todo, args.items_per_call):
            kept, media, skipped = stages.prepare_media(chunk, name, args.min_image_side, settings["video_frames"])
            requests = [Request(policy_prompt(item), images, videos) for item, (images, videos) in zip(kept, media)]
            outputs = (
                get_backend().generate(requests, n=1, temperature=0.0, top_p=1.0, max_new_tokens=args.max_new_tokens)
                if requests
                else []
            )
            raw = [raw_record(item, texts[0], settings) for item, texts in zip(kept, outputs, strict=True)]
            stages.write(path, [{**s, "settings": settings} for s in skipped] + raw)
            bar.update(len(chunk))
    stages.update(path, lambda r: scored(r) if "correct" not in r else r)
