"""Write the tiny random-init Qwen2.5-VL (weights, tokenizer, processor) to a folder, offline.

    python -m critic_r1_ext.tiny_model OUT

The folder loads like a hub checkpoint, so the test-time tools run end to end on a laptop with
``--model OUT --backend hf``. Its outputs are random text: it shows the plumbing, not quality.
"""

from __future__ import annotations

import argparse

from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m critic_r1_ext.tiny_model",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("out", help="folder to write the checkpoint to (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    parser.add_argument("--no-weights", action="store_true", help="write only the config, tokenizer and processor")
    args = parser.parse_args(argv)
    path = build_tiny_qwen2_5_vl(args.out, with_model=not args.no_weights, seed=args.seed)
    print(f"tiny Qwen2.5-VL written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
