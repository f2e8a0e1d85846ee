"""Generate the bundled offline sample: pictures of coloured shapes and pairwise judgments about them.

Every preference is verifiable from the picture: shapes sit in separate grid cells, one response
states the true count (or presence), the other a wrong one. Two rows are ties (both responses right,
worded differently). Response 1 is the better one in about two thirds of the rows, so the converter's
position balancing has something to do. Deterministic: rerunning rewrites identical files.

    python -m data_prep.sample.make_sample            # rewrites data_prep/sample/{*.jsonl,images/}

Besides the pairwise rows it writes the same pictures in the input shapes of the test-time tools,
for the offline demo: ``questions.jsonl`` (self-critic: question and true answer) and
``critic_pairs.jsonl`` (critic evaluation: strict preferences only, label 1/2).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw

COLORS = {"red": (220, 40, 40), "blue": (40, 80, 220), "green": (40, 170, 70)}
SHAPES = ("circle", "square", "triangle")
SIZE, GRID = 128, 4
COUNT_ROWS, FIND_ROWS, TIE_ROWS = 28, 10, 2
HERE = Path(__file__).parent


def draw(shapes: list[tuple[str, str]], rng: random.Random) -> Image.Image:
    """A white picture with each (color, shape) in its own grid cell, so none overlap."""
    image = Image.new("RGB", (SIZE, SIZE), "white")
    pen = ImageDraw.Draw(image)
    cell = SIZE // GRID
    for (color, shape), slot in zip(shapes, rng.sample(range(GRID * GRID), len(shapes))):
        x, y = (slot % GRID) * cell + 5, (slot // GRID) * cell + 5
        box = (x, y, x + cell - 10, y + cell - 10)
        if shape == "circle":
            pen.ellipse(box, fill=COLORS[color])
        elif shape == "square":
            pen.rectangle(box, fill=COLORS[color])
        else:
            pen.polygon(
                [(x + (cell - 10) // 2, y), (x, y + cell - 10), (x + cell - 10, y + cell - 10)], fill=COLORS[color]
            )
    return image


def scene(rng: random.Random, color: str, shape: str, count: int) -> list[tuple[str, str]]:
    """``count`` of the target plus 2-5 distractors that differ in color or shape."""
    others = [(c, s) for c in COLORS for s in SHAPES if (c, s) != (color, shape)]
    return [(color, shape)] * count + [rng.choice(others) for _ in range(rng.randint(2, 5))]


def plural(n: int, color: str, shape: str) -> str:
    return f"{n} {color} {shape}{'' if n == 1 else 's'}"


def count_row(rng: random.Random, index: int, tie: bool) -> tuple[dict, Image.Image]:
    color, shape = rng.choice(list(COLORS)), rng.choice(SHAPES)
    count = rng.randint(1, 4)
    wrong = rng.choice([n for n in range(6) if n != count])
    right = f"There {'is' if count == 1 else 'are'} {plural(count, color, shape)} in the image."
    other = (
        f"I count {plural(count, color, shape)}."
        if tie
        else f"There {'is' if wrong == 1 else 'are'} {plural(wrong, color, shape)} in the image."
    )
    row = {"source": "count_shapes", "question": f"How many {color} {shape}s are in the image?", "truth": str(count)}
    return _pair(row, rng, right, other, tie, f"count_shapes_{index:03d}"), draw(scene(rng, color, shape, count), rng)


def find_row(rng: random.Random, index: int) -> tuple[dict, Image.Image]:
    color, shape = rng.choice(list(COLORS)), rng.choice(SHAPES)
    present = rng.random() < 0.5
    yes, no = f"Yes, there is a {color} {shape} in the image.", f"No, there is no {color} {shape} in the image."
    shapes = scene(rng, color, shape, 1 if present else 0)
    row = {
        "source": "find_shape",
        "question": f"Is there a {color} {shape} in the image?",
        "truth": "yes" if present else "no",
    }
    return _pair(row, rng, yes if present else no, no if present else yes, False, f"find_shape_{index:03d}"), draw(
        shapes, rng
    )


def _pair(row: dict, rng: random.Random, right: str, wrong: str, tie: bool, row_id: str) -> dict:
    first_better = rng.random() < 0.67
    label = "tie" if tie else ("1" if first_better else rng.choice(["2", "Response 2"]))
    first, second = (right, wrong) if first_better or tie else (wrong, right)
    return {
        "id": row_id,
        **row,
        "image": f"images/{row_id}.png",
        "response_1": first,
        "response_2": second,
        "label": label,
    }


def write_sample(out: Path, seed: int = 0) -> Path:
    """Write ``critic_sample.jsonl`` and ``images/*.png`` under ``out``; returns the JSONL path."""
    rng = random.Random(seed)
    rows = [count_row(rng, i, tie=i >= COUNT_ROWS) for i in range(COUNT_ROWS + TIE_ROWS)]
    rows += [find_row(rng, i) for i in range(FIND_ROWS)]
    (out / "images").mkdir(parents=True, exist_ok=True)
    lines = []
    for row, image in rows:
        image.save(out / row["image"], format="PNG", optimize=True)
        lines.append(json.dumps(row, sort_keys=True))
    path = out / "critic_sample.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    samples = [row for row, _ in rows]
    _write_jsonl(out / "questions.jsonl", [question_row(row) for row in samples])
    _write_jsonl(out / "critic_pairs.jsonl", [critic_pair(row) for row in samples if row["label"] != "tie"])
    return path


def question_row(row: dict) -> dict:
    """A self-critic question: the picture, the question and its true answer."""
    return {"id": row["id"], "image": row["image"], "question": row["question"], "answer": row["truth"]}


def critic_pair(row: dict) -> dict:
    """A critic-evaluation pair: ``query``, both responses, label "1"/"2", the source as subset."""
    keys = ("id", "image", "response_1", "response_2")
    label = "1" if row["label"] == "1" else "2"
    return {**{k: row[k] for k in keys}, "query": row["question"], "label": label, "subset": row["source"]}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the JSONL files and images/")
    path = write_sample(parser.parse_args().out)
    print(f"wrote {path} and {len(list((path.parent / 'images').glob('*.png')))} images")


if __name__ == "__main__":
    main()
