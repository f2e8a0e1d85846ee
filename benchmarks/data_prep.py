"""Throughput and peak memory of ``data_prep.pairwise`` against a verl-geo3k-style baseline, same run.

Builds synthetic pairwise sets (small noisy PNGs, HF ``Image`` features) of ``--small`` and ``--rows``
rows, then converts each with both converters, every time in a fresh process whose wall time (start-up
included) and own peak RSS (``wait4`` rusage ``ru_maxrss``) are recorded:

* ``data_prep``: ``python -m data_prep.pairwise`` (streaming, validated, deduped, split, balanced);
* ``baseline``: what ``examples/data_preprocess/geo3k.py`` does: ``datasets`` load, ``Dataset.map`` over
  the whole set, then ``to_parquet`` (single process here, like ours).

Goals: data_prep's peak RSS at ``--rows`` within 10% of that at ``--small``; data_prep rows/s >= baseline's.

    python benchmarks/data_prep.py                 # 5k and 20k rows, about two minutes on 2 cores
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Both input sizes use the same parquet row-group size, like the hub's files: a reader cannot hold less
# than one row group's column chunk, so the row-group size (not the row count) sets the read buffer.
ROW_GROUP = 500


def make_input(path: Path, rows: int, seed: int = 0) -> None:
    """``rows`` pairwise rows with 64x64 noise PNGs (~12 KB each), written by ``datasets`` (Image features)."""
    import datasets
    from PIL import Image

    datasets.disable_progress_bars()

    def generate():
        rng = random.Random(seed)
        for i in range(rows):
            buffer = BytesIO()
            Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3)).save(buffer, format="PNG")
            count = rng.randint(0, 9)
            yield {
                "id": f"bench_{i}",
                "source": rng.choice(["vlfeedback", "rlhf", "rlaif"]),
                "image": {"bytes": buffer.getvalue(), "path": None},
                "question": f"How many dots are in picture {i}?",
                "response_1": f"There are {count} dots.",
                "response_2": f"There are {count + 1} dots.",
                "label": rng.choice(["1", "2"]),
            }

    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "source": datasets.Value("string"),
            "image": datasets.Image(),
            **{k: datasets.Value("string") for k in ("question", "response_1", "response_2", "label")},
        }
    )
    dataset = datasets.Dataset.from_generator(generate, features=features, cache_dir=str(path.parent / "hf_cache"))
    dataset.to_parquet(str(path), batch_size=ROW_GROUP)


def run_baseline(input_path: str, out: str) -> None:
    """geo3k's recipe: map every row to verl's schema with ``datasets`` and write it with ``to_parquet``."""
    import datasets

    from critic_r1_ext.prompt import pairwise_prompt

    def make_row(example, index):
        return {
            "data_source": f"llava-critic/{example['source']}",
            "prompt": [
                {
                    "role": "user",
                    "content": pairwise_prompt(example["question"], example["response_1"], example["response_2"], 1),
                }
            ],
            "images": [example["image"]],
            "ability": "critic",
            "reward_model": {"style": "rule", "ground_truth": example["label"]},
            "extra_info": {"split": "train", "index": index, "id": example["id"]},
        }

    dataset = datasets.load_dataset("parquet", data_files=input_path, cache_dir=str(Path(out) / "hf_cache"))["train"]
    dataset = dataset.map(make_row, with_indices=True, remove_columns=dataset.column_names)
    Path(out).mkdir(parents=True, exist_ok=True)
    dataset.to_parquet(str(Path(out) / "train.parquet"))


def measure(command: list[str], log: Path) -> dict:
    """Run ``command`` in a fresh process; its wall time and its own peak RSS (``wait4`` rusage)."""
    started = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{log.read_text()[-3000:]}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}


def commands(kind: str, input_path: Path, out: Path) -> list[str]:
    if kind == "data_prep":
        return [
            sys.executable,
            "-m",
            "data_prep.pairwise",
            "--input",
            str(input_path),
            "--out",
            str(out),
            "--max-skip-frac",
            "0",
        ]
    return [sys.executable, __file__, "--baseline", str(input_path), str(out)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--baseline", nargs=2, metavar=("INPUT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--make-input", nargs=2, metavar=("PATH", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        run_baseline(*args.baseline)
        return
    if args.make_input:
        make_input(Path(args.make_input[0]), int(args.make_input[1]))
        return
    with tempfile.TemporaryDirectory(prefix="data_prep_bench_") as tmp:
        tmp = Path(tmp)
        inputs = {n: tmp / f"input_{n}.parquet" for n in (args.small, args.rows)}
        for rows, path in inputs.items():
            # In a child: a forked child's ru_maxrss starts at its parent's RSS, so the parent stays small.
            subprocess.run([sys.executable, __file__, "--make-input", str(path), str(rows)], check=True)
        print(f"{'converter':<10} {'rows':>7} {'seconds':>8} {'rows/s':>8} {'peak RSS MiB':>13}")
        results = {}
        for kind in ("data_prep", "baseline"):
            for rows, path in inputs.items():
                out = tmp / f"out_{kind}_{rows}"
                result = measure(commands(kind, path, out), tmp / f"{kind}_{rows}.log")
                results[kind, rows] = result
                rate = rows / result["seconds"]
                print(
                    f"{kind:<10} {rows:>7} {result['seconds']:>8.1f} {rate:>8.0f} {result['peak_rss_mib']:>13.0f}",
                    flush=True,
                )
    growth = results["data_prep", args.rows]["peak_rss_mib"] / results["data_prep", args.small]["peak_rss_mib"]
    speed = results["baseline", args.rows]["seconds"] / results["data_prep", args.rows]["seconds"]
    verdict = {True: "met", False: "MISSED"}
    print(f"data_prep peak RSS {args.rows} / {args.small} rows = {growth:.3f} (goal <= 1.10: {verdict[growth <= 1.1]})")
    print(f"data_prep rows/s / baseline rows/s at {args.rows} rows = {speed:.2f} (goal >= 1.00: {verdict[speed >= 1]})")


if __name__ == "__main__":
    main()
