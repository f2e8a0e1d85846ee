"""A critic task the tiny model can learn from the text alone, for the CPU GRPO benchmark.

The bundled sample's judgments need the picture, which a 4x4-patch random model cannot read, so a
rising reward there is mostly format. Here the worse answer of every strict pair of the sample is
replaced by one fixed non-answer, :data:`REFUSAL`, always in the second position, so the right
verdict is always 1: the model can learn it without the picture (which stays, as in the recipe).
Position balancing, which data prep applies to real data, is off on purpose: with the refusal on
either side the model would have to learn to read which answer is the refusal, which the tiny
model does not do within the benchmark's 40 steps (docs/cpu_grpo.md). What the task shows is whether
rewards steer the policy: a sign error drives acc down, a loss mask that misses the verdict keeps it flat.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

REFUSAL = "I cannot tell."
SAMPLE = Path(__file__).resolve().parents[2] / "data_prep" / "sample" / "critic_pairs.jsonl"


def write_text_task(out_dir: str | Path, sample: str | Path = SAMPLE) -> Path:
    """Write the task as ``out_dir/text_task.jsonl`` and, through data prep's pairwise pipeline with
    position balancing off, ``out_dir/data/{train,val}.parquet``; return the train file."""
    from data_prep.pairwise import CONVERTER, build_parser
    from data_prep.pipeline import run

    out_dir, sample = Path(out_dir), Path(sample)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for line in sample.read_text().splitlines():
        pair = json.loads(line)
        rows.append(
            {
                "id": f"text_task_{pair['id']}",
                "image": str((sample.parent / pair["image"]).resolve()),
                "question": pair["query"],
                "response_1": pair[f"response_{pair['label']}"],
                "response_2": REFUSAL,
                "label": "1",
                "source": "text_task",
            }
        )
    jsonl = out_dir / "text_task.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    args = build_parser().parse_args(["--input", str(jsonl), "--out", str(out_dir / "data"), "--val-frac", "0.2"])
    if run(replace(CONVERTER, flip=None), args) != 0:
        raise RuntimeError(f"data prep failed on {jsonl}")
    return out_dir / "data" / "train.parquet"
