"""How many rows each prompt-length rule removes, on a synthetic set shaped like the released RL set.

The released ``lmms-lab/LLaVA-Critic-GRPO-dataset`` rows hold one image and a critic prompt with a
question and two free-text responses. This script draws ``--rows`` such rows (response lengths
log-normal, image sizes from a COCO-like mix with a tail of large pictures), converts them with
``data_prep.llava_critic_grpo --processor <tiny Qwen2.5-VL>`` and prints the report's
``prompt_length`` block:

* the authors' rule (chat-template characters > 6142): exact, it needs only the template;
* verl's rule (prompt tokens > 8192, images expanded at the recipe's min/max pixels): image tokens
  exact, text tokens from the tiny offline tokenizer, which splits text into more tokens than
  Qwen's, so this count is an upper bound. Pass ``--processor DIR`` for a real checkpoint's count.

    python benchmarks/length_rules.py --rows 1000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = [((640, 480), 0.55), ((500, 375), 0.15), ((1024, 768), 0.15), ((336, 336), 0.05), ((2048, 1536), 0.1)]
WORDS = "the image shows a red car parked next to two people near a tall building with blue windows".split()


def text(rng: random.Random, median_chars: float, sigma: float) -> str:
    target = int(rng.lognormvariate(0, sigma) * median_chars)
    words = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
    return " ".join(words)


def png(size: tuple[int, int], shade: int) -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (shade, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    sizes, weights = zip(*SIZES, strict=True)
    rows = []
    for i in range(n):
        question = (
            f"<image>\nQuestion: {text(rng, 80, 0.6)}?\n"
            f"[Response 1]\n{text(rng, 700, 0.9)}\n[End of Response 1]\n"
            f"[Response 2]\n{text(rng, 700, 0.9)}\n[End of Response 2]\n"
            "Which response is better? Answer 1 or 2."
        )
        size = rng.choices(sizes, weights)[0]
        rows.append(
            {
                "id": f"syn_{i}",
                "question": question,
                "answer": rng.choice("12"),
                "image": {"bytes": png(size, i % 256), "path": f"{i}.png"},
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--processor", default=None, help="a local checkpoint for exact token counts")
    args = parser.parse_args()
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pq.write_table(pa.Table.from_pylist(make_rows(args.rows, args.seed)), tmp / "released.parquet")
        processor = args.processor
        if processor is None:
            from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

            processor = str(build_tiny_qwen2_5_vl(tmp / "tiny", with_model=False))
        cmd = [
            sys.executable,
            "-m",
            "data_prep.llava_critic_grpo",
            "--input",
            str(tmp / "released.parquet"),
            "--out",
            str(tmp / "out"),
            "--val-frac",
            "0",
            "--processor",
            processor,
        ]
        subprocess.run(cmd, check=True, cwd=REPO)
        report = json.loads((tmp / "out" / "report.json").read_text())
    length = report["prompt_length"]
    print(json.dumps({"rows_in": report["rows_in"], "rows_out": report["rows_out"], **length}, indent=1))


if __name__ == "__main__":
    main()
