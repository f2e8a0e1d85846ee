"""How much the evaluation itself costs, apart from generation: scoring rate and per-item overhead.

No model: a scripted backend answers instantly (realistic think/boxed outputs of ~1,500 characters),
so all time measured is the evaluation's own work. Times are CPU time of this process (all threads),
so that other jobs on a shared machine do not inflate them; the load average is printed too.

One benchmark per kind of input, each from a local copy in its hub schema (JPEG images of
``--image-size`` pixels square):

* single image: MathVista; multi-image: MMMU with every image inline (three per item, variant
  ``inline_images``); video: MM-RLHF-RewardBench video rows (``--frames`` frame files per video,
  passed as one video); critic: VL-RewardBench.

Per kind: **scoring** items/s (our scorer on policy outputs, the verdict reader on critic outputs,
then the benchmark's official metrics; goal at least 10,000) and the **per-item overhead** outside
generation (loading rows, decoding media, building prompts, writing the resumable JSONL, scoring,
summary; goal under 5 ms per single-image item). Also Best-of-N bookkeeping on MathVista.

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
from critic_r1_ext.evaluate.__main__ import parse_args, run_settings
from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.best_of_n import run_best_of_n
from critic_r1_ext.evaluate.critic import judgment_fields
from critic_r1_ext.evaluate.critic_benchmarks import run_critic
from critic_r1_ext.evaluate.policy import run_greedy
from critic_r1_ext.evaluate.scoring import safe_score
from critic_r1_ext.evaluate.summary import benchmark_entry

CHOICES = "\nChoices:\n(A) 3.5\n(B) 4\n(C) 7"
THINK = "<think>" + "Looking at the figure, the segment spans several grid units; " * 24 + "</think>"


def output_for(rng: random.Random, answer: str) -> str:
    draw = rng.random()
    if draw < 0.05:
        return THINK + " I cannot tell."  # unparseable
    value = answer if draw < 0.6 else f"{rng.uniform(0, 100):.3f}"  # wrong answers: mostly distinct
    return f"{THINK} So the answer is \\boxed{{{value}}}."


def scoring_rate(name: str, found: list, count: int, rng: random.Random) -> float:
    """Items/s of scoring ``count`` outputs for ``found``'s items, then the benchmark's official metrics."""
    work = [found[k % len(found)] for k in range(count)]
    if REGISTRY[name].task == "critic":
        texts = [f"{THINK} Overall Judgment: \\boxed{{Answer {rng.choice('12')}}}" for _ in work]
        start = time.process_time()
        records = [
            {"id": i.id, "subset": i.category, "label": i.answer, "extra": i.extra}
            | judgment_fields([t], ["1"], i.answer)
            for i, t in zip(work, texts, strict=True)
        ]
    else:
        references = {i.id: i.reference() for i in found}
        texts = [output_for(rng, i.answer) for i in work]
        start = time.process_time()
        records = [
            {"id": i.id, "reference": references[i.id], "output": t} | safe_score(references[i.id], t)
            for i, t in zip(work, texts, strict=True)
        ]
    REGISTRY[name].metrics(records, None)
    return count / (time.process_time() - start)


def write_mmmu_copy(folder: Path, count: int, size: int, rng: random.Random) -> None:
    """MMMU schema, three images per item, each placed at its ``<image N>`` placeholder (inline variant)."""
    from datasets import Dataset, Features, Image, Value

    image_columns = {f"image_{n}": Image() for n in range(1, 8)}
    rows = [
        {f"image_{n}": None for n in range(1, 8)}
        | {f"image_{n}": {"bytes": jpeg(size, rng), "path": f"{k}_{n}.jpg"} for n in (1, 2, 3)}
        | {"id": f"validation_Art_{k}", "question": "Which of <image 1>, <image 2> matches?"}
        | {"options": "['<image 3>', 'Monet', 'Degas']", "answer": "B", "question_type": "multiple-choice"}
        for k in range(count)
    ]
    features = Features(
        {"id": Value("string"), "question": Value("string"), "options": Value("string"), **image_columns}
        | {"answer": Value("string"), "question_type": Value("string")}
    )
    (folder / "data").mkdir(parents=True)
    Dataset.from_list(rows, features=features).to_parquet(str(folder / "data" / "validation-00000-of-00001.parquet"))


def write_mm_rlhf_video_copy(folder: Path, count: int, size: int, frames: int, rng: random.Random) -> None:
    """MM-RLHF-RewardBench schema, every row a video of ``frames`` JPEG frame files under ``images/``."""
    from datasets import Dataset

    (folder / "images").mkdir(parents=True)
    for f in range(frames):
        (folder / "images" / f"f{f}.jpg").write_bytes(jpeg(size, rng))
    rows = [
        {"id": k, "image": None, "video": [f"f{f}.jpg" for f in range(frames)], "prompt": f"What happens {k}?"}
        | {"chosen": "A car turns.", "rejected": "Nothing."}
        for k in range(count)
    ]
    (folder / "data").mkdir()
    Dataset.from_list(rows).to_parquet(str(folder / "data" / "train-00000-of-00001.parquet"))


def write_vl_rewardbench_copy(folder: Path, count: int, size: int, rng: random.Random) -> None:
    from datasets import Dataset, Features, Image, Sequence, Value

    prefixes = ["RLAIF-V", "hallucination_pair", "mathverse", "wildvision-battle"]
    rows = [
        {"id": f"{prefixes[k % 4]}_{k}", "query": f"Describe {k}.", "response": ["A cat.", "A dog."]}
        | {"image": {"bytes": jpeg(size, rng), "path": f"{k}.jpg"}, "human_ranking": [k % 2, 1 - k % 2]}
        for k in range(count)
    ]
    features = Features(
        {"id": Value("string"), "query": Value("string"), "response": Sequence(Value("string")), "image": Image()}
        | {"human_ranking": Sequence(Value("int64"))}
    )
    (folder / "data").mkdir(parents=True)
    Dataset.from_list(rows, features=features).to_parquet(str(folder / "data" / "test-00000-of-00001.parquet"))


def jpeg(size: int, rng: random.Random) -> bytes:
    from PIL import Image as PILImage

    buffer = BytesIO()
    PILImage.frombytes("RGB", (size, size), rng.randbytes(size * size * 3)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def write_mathvista_copy(folder: Path, items: int, size: int, rng: random.Random) -> None:
    """A MathVista-schema local copy in the hub layout; images are noisy JPEGs (quality 90), about the
    size of the benchmark's photos and charts."""
    from datasets import Dataset, Features, Image, Sequence, Value

    rows = []
    for k in range(items):
        multi = k % 2 == 0
        rows.append(
            {
                "pid": str(k),
                "question": "q",
                "image": f"images/{k}.png",
                "decoded_image": {"bytes": jpeg(size, rng), "path": f"{k}.jpg"},
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


def overhead(name: str, folder: Path, out: Path, backend, variant: str | None = None) -> tuple[float, int]:
    """CPU seconds for one benchmark end to end without generation (rows, media, prompts, JSONL, scoring,
    summary entry) and its item count."""
    argv = ["--model", "instant", "--output", str(out), "--no-resume"]
    args = parse_args(argv + (["--variant", f"{name}={variant}"] if variant else []))
    settings = run_settings(args, name)
    start = time.process_time()
    found, _ = items(name, str(folder), variant=variant)
    path = out / f"{name}.jsonl"
    if REGISTRY[name].task == "critic":
        run_critic(lambda: backend, name, found, path, args, settings)
        (out / f"{name}.critic.jsonl").write_text(path.read_text())
    else:
        run_greedy(lambda: backend, name, found, path, args, settings)
        (out / f"{name}.greedy.jsonl").write_text(path.read_text())
    benchmark_entry(out, name, None)
    return time.process_time() - start, len(found)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--outputs", type=int, default=60_000, help="outputs scored for each scoring rate")
    parser.add_argument("--image-size", type=int, default=448)
    parser.add_argument("--frames", type=int, default=16, help="frames per video (video kind)")
    parser.add_argument("--best-of", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"(CPU time of this process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    backend = InstantBackend(rng)
    kinds = [
        ("single image", "mathvista", None, lambda f: write_mathvista_copy(f, args.items, args.image_size, rng)),
        ("multi-image", "mmmu", "inline_images", lambda f: write_mmmu_copy(f, args.items, args.image_size, rng)),
        (
            "video",
            "mm_rlhf_rewardbench",
            None,
            lambda f: write_mm_rlhf_video_copy(f, args.items, args.image_size, args.frames, rng),
        ),
        ("critic", "vl_rewardbench", None, lambda f: write_vl_rewardbench_copy(f, args.items, args.image_size, rng)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for kind, name, variant, write in kinds:
            folder, out = Path(tmp) / name, Path(tmp) / f"{name}_out"
            write(folder)
            out.mkdir()
            overhead(name, folder, out, backend, variant)  # warm-up: imports and first-use costs
            seconds, count = overhead(name, folder, out, backend, variant)
            found, _ = items(name, str(folder), variant=variant)
            rate = scoring_rate(name, found, args.outputs, rng)
            print(
                f"{kind:<12} ({name}): scoring {rate:,.0f} items/s (goal >= 10,000); "
                f"overhead {1000 * seconds / count:.2f} ms/item over {count} items outside generation"
            )
        folder = Path(tmp) / "mathvista"
        found, _ = items("mathvista", str(folder))
        decode = timed(lambda: [load_images(item.images, "bench", Path(tmp)) for item in found])
        print(f"  single image: decoding the {args.image_size}px JPEGs alone: {1000 * decode / len(found):.2f} ms/item")
        run = argparse.Namespace(
            resume=False,
            items_per_call=0,
            min_image_side=28,
            best_of=args.best_of,
            bon_temperature=1.0,
            bon_top_p=1.0,
            judge_prompt="authors",
            preset=["paper", "ours"],
            max_new_tokens=2048,
        )
        settings = {"model": "instant", "video_frames": 32, "min_image_side": 28}
        bon = timed(run_best_of_n, lambda: backend, "mathvista", found, Path(tmp) / "bon.jsonl", run, settings)
    print(
        f"best-of-{args.best_of} overhead (paper + ours presets): {1000 * bon / len(found):.2f} ms/item, "
        f"{1000 * bon / len(found) / args.best_of:.3f} ms/candidate"
    )


if __name__ == "__main__":
    main()
