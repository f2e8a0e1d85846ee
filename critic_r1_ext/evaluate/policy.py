"""Single-answer evaluation of a policy benchmark: greedy, the authors' prompt, scored per item.

The prompt is the benchmark question (``benchmarks``) with the think/boxed instruction glued on
with no separator, as the authors' scripts do; greedy decoding. All pending prompts of a benchmark
go to the backend in one ``generate`` call (or ``--items-per-call`` at a time).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.common.backends import Request
from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.benchmarks import Item
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def policy_prompt(item: Item) -> str:
    """The user turn for one item: question + instruction, no separator (the authors' scripts)."""
    return item.question + THINK_BOXED_SUFFIX


def prompt_id(text: str) -> str:
    """A short hash of the prompt text, so results can be matched to the exact prompt that made them."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def result_record(item: Item, output: str, settings: dict) -> dict:
    reference = item.reference()
    return {
        "id": item.id,
        "prompt_id": prompt_id(policy_prompt(item)),
        "reference": reference,
        "output": output,
        **score(reference, output),
        "settings": settings,
    }


def run_greedy(get_backend, name: str, items: list[Item], path: Path, args) -> None:
    """Generate and score every item not yet in ``path``."""
    settings = {
        "model": args.model,
        "max_new_tokens": args.max_new_tokens,
        "min_pixels": args.min_pixels,
        "max_pixels": args.max_pixels,
    }
    todo = stages.pending(path, items, settings, args.resume)
    with tqdm(total=len(todo), desc=f"{name} greedy", unit="item") as bar:
        for chunk in stages.chunks(todo, args.items_per_call):
            kept, images, skipped = stages.prepare_images(chunk, name, args.min_image_side)
            requests = [Request(policy_prompt(item), imgs) for item, imgs in zip(kept, images, strict=True)]
            outputs = (
                get_backend().generate(requests, n=1, temperature=0.0, top_p=1.0, max_new_tokens=args.max_new_tokens)
                if requests
                else []
            )
            records = [result_record(item, texts[0], settings) for item, texts in zip(kept, outputs, strict=True)]
            stages.write(path, [{**s, "settings": settings} for s in skipped] + records)
            bar.update(len(chunk))
