"""How much the evaluation itself costs, apart from generation: scoring rate and per-item overhead.

No model: a scripted backend answers instantly (realistic think/boxed outputs of ~1,500 characters),
so all time measured is the evaluation's own work. Times are CPU time of this process (all threads),
so that other jobs on a shared machine do not inflate them; the load average is printed too.

* **scoring**: ``scoring.score`` over outputs for every answer kind (choice, number, text), a mix of
  right, wrong and unparseable ones. Goal: at least 10,000 items/s.
* **greedy overhead**: ``policy.run_greedy`` on a MathVista-schema local copy (hub layout, JPEG
  images of ``--image-size`` pixels square): loading rows with ``datasets``, decoding images, building
  prompts, scoring, writing the resumable JSONL. Reported per item in ms. Goal: under 5 ms.
* **Best-of-N overhead**: ``best_of_n.run_best_of_n`` with N = ``--best-of`` on the same items,
  both presets: candidate scoring, merging, knockout bookkeeping, judge prompt building, records.
  Reported per item and per candidate. (The backend's own chat-template rendering and image
  resizing happen inside ``generate`` and are not part of this figure.)

    PYTHONPATH=$PWD python benchmarks/evaluate.py [--items 400] [--outputs 60000] [--best-of 16]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from io import BytesIO
from pathlib import Path

from critic_r1_ext.common.records import load_images
from critic_r1_ext.evaluate.benchmarks import policy_items
from critic_r1_ext.evaluate.best_of_n import run_best_of_n
from critic_r1_ext.evaluate.policy import run_greedy
from critic_r1_ext.evaluate.scoring import score

CHOICES = "\nChoices:\n(A) 3.5\n(B) 4\n(C) 7"
THINK = "<think>" + "Looking at the figure, the segment spans several grid units; " * 24 + "</think>"


def output_for(rng: random.Random, answer: str) -> str:
    draw = rng.random()
    if draw < 0.05:
        return THINK + " I cannot tell."  # unparseable
    value = answer if draw < 0.6 else f"{rng.uniform(0, 100):.3f}"  # wrong answers: mostly distinct
    return f"{THINK} So the answer is \\boxed{{{value}}}."


def scoring_rate(count: int, rng: random.Random) -> float:
    references = [
        {"kind": "choice", "answer": "B", "choices": ["3.5", "4", "7", "9"], "alternatives": []},
        {"kind": "number", "answer": "0.67", "precision": 2, "unit": "cm", "alternatives": []},
        {"kind": "text", "answer": "2\\sqrt{3}", "alternatives": []},
    ]
    work = [(ref, output_for(rng, ref["answer"])) for ref in (references[k % 3] for k in range(count))]
    start = time.process_time()
    for reference, text in work:
        score(reference, text)
    return count / (time.process_time() - start)


def write_mathvista_copy(folder: Path, items: int, size: int, rng: random.Random) -> None:
    """A MathVista-schema local copy in the hub layout; images are noisy JPEGs (quality 90), about the
    size of the benchmark's photos and charts."""
    from datasets import Dataset, Features, Image, Sequence, Value
    from PIL import Image as PILImage

    rows = []
    for k in range(items):
        image = PILImage.frombytes("RGB", (size, size), rng.randbytes(size * size * 3))
        buffer = BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        multi = k % 2 == 0
        rows.append(
            {
                "pid": str(k),
                "question": "q",
                "image": f"images/{k}.png",
                "decoded_image": {"bytes": buffer.getvalue(), "path": f"{k}.jpg"},
                "choices": ["3.5", "4", "7"] if multi else None,
                "unit": None,
                "precision": None if multi else 2.0,
                "answer": "4" if multi else "0.67",
                "question_type": "multi_choice" if multi else "free_form",
                "answer_type": "text" if multi else "float",
                "query": f"Hint: answer.\nQuestion: item {k}?" + (CHOICES if multi else ""),
            }
        )
    features = Features(
        {
            "pid": Value("string"),
            "question": Value("string"),
            "image": Value("string"),
            "decoded_image": Image(),
            "choices": Sequence(Value("string")),
            "unit": Value("string"),
            "precision": Value("float64"),
            "answer": Value("string"),
            "question_type": Value("string"),
            "answer_type": Value("string"),
            "query": Value("string"),
        }
    )
    (folder / "data").mkdir(parents=True)
    Dataset.from_list(rows, features=features).to_parquet(str(folder / "data" / "testmini-00000-of-00001.parquet"))


class InstantBackend:
    """Scripted answers, no model: candidates with a few distinct answers; judges pick Answer 1."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        if "Answer 1:" in requests[0].text:
            return [[f"{THINK} Overall Judgment: \\boxed{{{self.rng.choice('12')}}}"] for _ in requests]
        return [[output_for(self.rng, self.rng.choice(["B", "4", "0.67", "7"])) for _ in range(n)] for _ in requests]


def timed(function, *args) -> float:
    """CPU seconds this process spent (all threads): unlike wall time, not inflated by other jobs on the box."""
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--outputs", type=int, default=60_000, help="outputs scored for the scoring rate")
    parser.add_argument("--image-size", type=int, default=448)
    parser.add_argument("--best-of", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    rate = scoring_rate(args.outputs, rng)
    print(f"(CPU time of this process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"scoring: {rate:,.0f} items/s over {args.outputs:,} outputs (goal >= 10,000)")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mathvista"
        write_mathvista_copy(folder, args.items, args.image_size, rng)
        run = argparse.Namespace(
            model="instant",
            max_new_tokens=2048,
            min_pixels=None,
            max_pixels=None,
            resume=False,
            items_per_call=0,
            min_image_side=28,
            best_of=args.best_of,
            bon_temperature=1.0,
            bon_top_p=1.0,
            judge_prompt="authors",
            preset=["paper", "ours"],
        )
        backend = InstantBackend(rng)
        startup = timed(lambda: policy_items("mathvista", str(folder), limit=1))  # imports, once per process
        load = timed(lambda: policy_items("mathvista", str(folder)))
        items = policy_items("mathvista", str(folder))
        decode = timed(lambda: [load_images(item.images, "bench", Path(tmp)) for item in items])
        greedy = timed(run_greedy, lambda: backend, "mathvista", items, Path(tmp) / "greedy.jsonl", run)
        bon = timed(run_best_of_n, lambda: backend, "mathvista", items, Path(tmp) / "bon.jsonl", run)
    per_item = 1000 * (load + greedy) / args.items
    print(f"start-up (imports, once per run): {startup:.1f} s")
    print(
        f"greedy overhead: {per_item:.2f} ms/item over {args.items} items with {args.image_size}px JPEGs "
        f"(load {1000 * load / args.items:.2f} + decode/prompt/score/write {1000 * greedy / args.items:.2f}; "
        "goal < 5 ms)"
    )
    print(
        f"  of which image decoding alone: {1000 * decode / args.items:.2f} ms/item; everything else: "
        f"{per_item - 1000 * decode / args.items:.2f} ms/item"
    )
    print(
        f"best-of-{args.best_of} overhead (paper + ours presets): {1000 * bon / args.items:.2f} ms/item, "
        f"{1000 * bon / args.items / args.best_of:.3f} ms/candidate"
    )


if __name__ == "__main__":
    main()
