"""Convert the public VL-RewardBench release into ``eval_critic``'s row format.

    python -m critic_r1_ext.evaluate.vl_rewardbench INPUT OUTPUT

INPUT is the benchmark as exported from the hub (``MMInstruction/VL-RewardBench``; parquet, JSONL
or a JSON list) with, per row: ``id``, ``query``, ``response`` (two strings), ``human_ranking``
(rank of each response, 0 = better: ``[0, 1]`` means the first response is better) and ``image``
(a hub image dict with ``bytes``/``path``, or a path). OUTPUT rows carry ``id``, ``query``,
``response_1``, ``response_2``, ``label`` ("1"/"2"), ``images``, ``subset`` and ``source``.

The subset is the benchmark's group as lmms-eval maps it (``benchmarks.vl_rewardbench.group_of``:
RLAIF/RLHF and the POVID rows ``hallucination_pair-*`` -> hallucination; MathVerse/MMMU ->
reasoning; anything else -> general); ``source`` is the id's prefix. The benchmark reports the
macro accuracy (the mean of the groups' accuracies) and the overall accuracy. A ``.parquet`` OUTPUT
keeps image bytes inline; a ``.jsonl`` OUTPUT writes them as files next to it (``OUTPUT_images/``).
Rows without a strict preference (equal ranks) or with other than two responses are skipped,
counted and reported.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from critic_r1_ext.common.records import image_items, read_rows, row_id
from critic_r1_ext.evaluate.benchmarks.vl_rewardbench import group_of


def subset_of(item_id: str) -> tuple[str, str]:
    """(subset, source) of a VL-RewardBench id, e.g. ``"RLAIF-V_12"`` -> ("hallucination", "rlaif")."""
    return group_of(item_id), item_id.split("-")[0].split("_")[0].lower()


def convert_row(row: dict, position: int) -> dict | None:
    """One benchmark row in our format, or ``None`` when it has no strict preference between two responses."""
    rid = row_id(row, position)
    responses, ranking = row.get("response"), row.get("human_ranking")
    if row.get("query") is None or responses is None or ranking is None:
        raise ValueError(f"row {rid}: expected VL-RewardBench fields query, response, human_ranking; got {sorted(row)}")
    if len(responses) != 2 or len(ranking) != 2 or ranking[0] == ranking[1]:
        return None
    subset, source = subset_of(rid)
    return {
        "id": rid,
        "query": row["query"],
        "response_1": responses[0],
        "response_2": responses[1],
        "label": "1" if ranking[0] < ranking[1] else "2",
        "images": image_items(row.get("image")),
        "subset": subset,
        "source": source,
    }


def _image_file(image, folder: Path, name: str) -> str:
    """Write an inline image to ``folder`` and return its path relative to the output file."""
    if isinstance(image, str):
        return image
    if image.get("bytes") is None:
        return image["path"]
    suffix = Path(image.get("path") or "x.png").suffix or ".png"
    target = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}{suffix}"
    target.write_bytes(image["bytes"])
    return f"{folder.name}/{target.name}"


def convert(source: str | Path, output: str | Path) -> dict:
    """Convert a whole file; returns counts of written and skipped rows."""
    output = Path(output)
    rows, skipped = [], 0
    for position, row in enumerate(read_rows(source)):
        converted = convert_row(row, position)
        if converted is None:
            skipped += 1
        else:
            rows.append(converted)
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), output)
    elif output.suffix == ".jsonl":
        folder = output.parent / f"{output.stem}_images"
        folder.mkdir(exist_ok=True)
        with output.open("w") as handle:
            for row in rows:
                images = [_image_file(image, folder, f"{row['id']}_{k}") for k, image in enumerate(row["images"])]
                handle.write(json.dumps({**row, "images": images}) + "\n")
    else:
        raise ValueError(f"{output}: write .parquet or .jsonl")
    return {"written": len(rows), "skipped_no_strict_preference": skipped}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("input", help="VL-RewardBench file (.parquet, .jsonl or .json)")
    parser.add_argument("output", help="eval_critic rows (.parquet or .jsonl)")
    args = parser.parse_args(argv)
    counts = convert(args.input, args.output)
    print(
        f"{args.output}: {counts['written']} rows written, {counts['skipped_no_strict_preference']} skipped "
        "(no strict preference between two responses)"
    )
    return counts


if __name__ == "__main__":
    main()
