"""Critic-labelled preference pairs: sample N answers per prompt, let the critic judge them, write DPO pairs.

    python -m critic_r1_ext.preferences --input prompts.jsonl --policy POLICY [--critic CRITIC] --out prefs/
        [--n 8] [--strategy round_robin --margin 2] [--round K]

Prompts (``question`` and ``image`` columns, in any input data prep reads) are answered ``--n`` times
by the policy, the critic (the policy itself unless ``--critic``) judges pairs of answers in both
orders (``strategies`` says which), and each round writes ``OUT/round_K/``: ``samples.jsonl`` and
``judgments.jsonl`` (resumable: a rerun makes only what is missing), ``pairs.jsonl`` (every pair with
its judgments), ``dpo.parquet`` (TRL's vision DPO layout), ``manifest.json``; and
``OUT/critic_pairs/round_K.parquet`` for ``python -m data_prep.pairwise``. ``--round K`` continues a
run whose round K-1 is finished (typically with the policy and critic trained on its pairs).
See docs/preferences.md.
"""

from __future__ import annotations

import argparse
import gc
import sys

from critic_r1_ext.common.backends import add_backend_arguments, backend_from_args
from critic_r1_ext.preferences import strategies
from critic_r1_ext.preferences.judging import JUDGE_PROMPT_NAMES
from critic_r1_ext.preferences.rounds import run_round
from data_prep.errors import DataPrepError

DEFAULT_STRATEGY = "round_robin"
DEFAULT_MARGIN = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="critic-r1-preferences",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--input", required=True, help="prompts: a .parquet/.jsonl/.json file, a folder, or a hub id")
    parser.add_argument("--out", default="preferences", help="run folder (one round_K folder per round)")
    parser.add_argument("--round", type=int, default=1, help="round number; K > 1 needs round K-1 finished")
    parser.add_argument("--policy", required=True, help="checkpoint that answers (HF format folder or hub id)")
    parser.add_argument("--critic", help="checkpoint that judges (default: the policy itself)")
    parser.add_argument("--n", type=int, default=8, help="answers per prompt")
    parser.add_argument("--strategy", choices=strategies.STRATEGIES, default=DEFAULT_STRATEGY)
    parser.add_argument("--margin", type=int, default=DEFAULT_MARGIN, help="round_robin: minimum score gap")
    parser.add_argument("--judge-prompt", choices=JUDGE_PROMPT_NAMES, default="authors")
    parser.add_argument(
        "--think-suffix",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="append the paper's think/boxed instruction to the policy prompt",
    )
    parser.add_argument("--temperature", type=float, default=1.0, help="policy sampling temperature")
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--max-new-tokens", type=int, default=2048, help="per answer")
    parser.add_argument("--judge-max-new-tokens", type=int, default=2048, help="per judgment (greedy)")
    parser.add_argument("--question-col", default="question")
    parser.add_argument("--image-col", default="image", help="one image, a list, bytes or paths (as data prep)")
    parser.add_argument("--id-col", default="id", help="stable prompt id; file:row when absent")
    parser.add_argument("--hub-config", default=None)
    parser.add_argument("--hub-split", default="train")
    parser.add_argument("--limit", type=int, help="only the first LIMIT prompts")
    parser.add_argument("--prompts-per-batch", type=int, default=16, help="prompts sampled and judged together")
    parser.add_argument("--seed", type=int, default=0)
    add_backend_arguments(parser)
    return parser


def parse_args(argv=None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2 (a pair needs two answers)")
    if args.round < 1:
        parser.error("--round must be at least 1")
    args.critic = args.critic or args.policy
    return args


class Backends:
    """The policy and critic backends, built on first use; one model when they are the same checkpoint."""

    def __init__(self, args):
        self.args, self.built = args, {}

    def get(self, model: str, max_images: int):
        if model not in self.built:
            options = argparse.Namespace(**{**vars(self.args), "model": model})
            self.built[model] = backend_from_args(options, max_images)
        return self.built[model]

    def release(self, model: str) -> None:
        """Drop a backend so that its GPU memory is free for the next model (vLLM reserves a share of it)."""
        if self.built.pop(model, None) is not None:
            gc.collect()
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        run_round(args, Backends(args))
    except DataPrepError as err:
        print(f"preferences: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
