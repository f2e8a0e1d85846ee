"""A critic task the tiny model can learn from the text alone, for the CPU GRPO benchmark.

The bundled sample's judgments need the picture, which a 4x4-patch random model cannot read, so a
rising reward there is mostly format. Here the worse answer of every strict pair of the sample is
replaced by one fixed non-answer, :data:`REFUSAL`: the better answer is the one that answers, and the
right verdict follows from the words alone (the image stays, as in the recipe, but carries nothing
the verdict needs). The pairs keep the sample's images, questions and positions.
"""

from __future__ import annotations

import json
from pathlib import Path

REFUSAL = "I cannot tell."
SAMPLE = Path(__file__).resolve().parents[2] / "data_prep" / "sample" / "critic_pairs.jsonl"


def write_text_task(out: str | Path, sample: str | Path = SAMPLE) -> int:
    """Write the task as pairwise JSONL (``data_prep.pairwise`` input) to ``out``; return the row count.

    Image paths become absolute, so the file can live anywhere.
    """
    sample = Path(sample)
    rows = []
    for line in sample.read_text().splitlines():
        pair = json.loads(line)
        better = pair["label"]
        worse = "2" if better == "1" else "1"
        rows.append(
            {
                "id": f"text_task_{pair['id']}",
                "image": str((sample.parent / pair["image"]).resolve()),
                "question": pair["query"],
                f"response_{better}": pair[f"response_{better}"],
                f"response_{worse}": REFUSAL,
                "label": better,
                "source": "text_task",
            }
        )
    Path(out).write_text("".join(json.dumps(row) + "\n" for row in rows))
    return len(rows)
