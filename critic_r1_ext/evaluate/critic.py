"""How good a critic is a checkpoint? Pairwise accuracy on VL-RewardBench-style files.

    python -m critic_r1_ext.evaluate.critic --model PATH --data FILE [--output critic_eval.jsonl]

Rows: ``id``, ``images``, ``query``, ``response_1``, ``response_2``, ``label`` ("1" or "2": the
better response) and optionally ``subset``. Every row is judged twice, greedy, with the training
critic prompt: once as given and once with the responses swapped (``--judge-prompt authors`` and
``--orders one`` give the authors' protocol instead: their evaluation prompt, one random order).
Reported, overall and per subset:
accuracy over all judgments (no verdict counts as wrong), swap consistency (both orders pick the
same response), the rate of answering "1" among valid verdicts and the no-verdict rate. Output:
one JSONL line per row (flushed; ``--resume`` skips ids already there) and a summary JSON.
``critic_r1_ext.evaluate.vl_rewardbench`` turns the public VL-RewardBench release into this format.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.common.backends import Request, add_backend_arguments, backend_from_args
from critic_r1_ext.common.records import append_record, image_items, load_images, load_output, read_rows, row_id
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS, USES_MARKERS
from critic_r1_ext.verdict import extract_verdict, normalize_verdict

_SWAP = {"1": "2", "2": "1"}
COLUMNS = ("query", "response_1", "response_2", "label")

# lmms-eval's VL-RewardBench fallback (``tasks/vl_rewardbench/utils.py``, ``parse_pred_ans``): after
# "Overall Judgment" or "Therefore", the last "Answer N is [the] [slightly] better", case-insensitive,
# searched in the output with newlines and asterisks removed.
_FALLBACK = re.compile(
    r"(?:overall judgment|therefore)\s*.*\s*-*\s*answer\s*(\d+)\s*is\s*(?:the\s*)?(?:slightly\s*)?better", re.I
)


def read_verdict(text: str) -> tuple[str | None, str]:
    """(verdict "1"/"2" or None, how it was read: "boxed", "fallback" or "none").

    The last ``\\boxed{}`` decides (``verdict.extract_verdict``); an output without any box is read
    with lmms-eval's VL-RewardBench rule before giving up. A hedged box stays unread."""
    verdict, box = extract_verdict(text)
    if verdict in _SWAP:
        return verdict, "boxed"
    if verdict is None and box == "" and isinstance(text, str):
        match = _FALLBACK.search(text.replace("\n", "").replace("*", ""))
        if match and match.group(1) in _SWAP:
            return match.group(1), "fallback"
    return None, "none"


def judgment_fields(outputs: list[str], firsts: list[str], label: str) -> dict:
    """The verdict fields of one row's record from its judgments' raw outputs (also used to rescore)."""
    read = [read_verdict(text) for text in outputs]
    verdicts = [v for v, _ in read]
    # The response each judgment picked, in the row's own numbering ("1" = response_1).
    picked = [v if first == "1" else _SWAP.get(v) for v, first in zip(verdicts, firsts, strict=True)]
    return {
        "verdicts": verdicts,
        "verdict_sources": [how for _, how in read],
        "picked": picked,
        "correct": [p == label for p in picked],
        "consistent": picked[0] is not None and picked[0] == picked[-1] if len(picked) == 2 else None,
    }


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="critic-r1-eval-critic",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="checkpoint folder or hub id (HF format)")
    parser.add_argument("--data", required=True, help=".jsonl/.json/.parquet rows (see the module docstring)")
    parser.add_argument("--output", default="critic_eval.jsonl", help="per-row JSONL (default %(default)s)")
    parser.add_argument("--summary", help="summary JSON (default: OUTPUT with .summary.json)")
    parser.add_argument("--max-new-tokens", type=int, default=2048, help="per judgment")
    parser.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip row ids already in OUTPUT (--no-resume overwrites it)",
    )
    parser.add_argument("--limit", type=int, help="only the first LIMIT rows")
    parser.add_argument("--rows-per-batch", type=int, default=64, help="rows per generate call (2 prompts each)")
    parser.add_argument("--judge-prompt", choices=sorted(JUDGE_PROMPTS), default="project")
    parser.add_argument(
        "--orders",
        choices=["one", "both"],
        default="both",
        help="both: as given and swapped; one: one seeded random order per row",
    )
    parser.add_argument("--seed", type=int, default=0)
    add_backend_arguments(parser)
    return parser.parse_args(argv)


def read_pairs(path: str, limit: int | None) -> list[dict]:
    """Validated rows with a normalised ``label`` ("1"/"2") and a string ``id``."""
    rows, seen = [], set()
    for position, row in enumerate(read_rows(path)[:limit]):
        rid = row_id(row, position)
        missing = [c for c in COLUMNS if row.get(c) is None]
        if missing:
            raise ValueError(f"{path}: row {rid}: missing {missing} (expected {list(COLUMNS)} and images)")
        label = normalize_verdict(row["label"])
        if label not in _SWAP:
            raise ValueError(f"{path}: row {rid}: label must be 1 or 2, got {row['label']!r}")
        if rid in seen:
            raise ValueError(f"{path}: row {rid}: duplicate id (ids key the resumable output)")
        seen.add(rid)
        rows.append({**row, "id": rid, "label": label, "subset": str(row.get("subset") or "all")})
    return rows


def orders_for(row_id_: str, orders: str, seed: int) -> list[str]:
    """Which response is shown first in each judgment of a row: ``both`` -> ["1", "2"]; ``one`` -> one
    order drawn from a generator seeded by ``seed`` and the row id (reproducible, as random as the
    authors' unseeded draw)."""
    if orders == "both":
        return ["1", "2"]
    if orders == "one":
        return [random.Random(f"{seed}:{row_id_}").choice(["1", "2"])]
    raise ValueError(f"orders must be 'one' or 'both', got {orders!r}")


def judge_rows(
    backend,
    rows: list[dict],
    images: list,
    max_new_tokens: int,
    judge_prompt: str = "project",
    orders: str = "both",
    seed: int = 0,
    videos: list | None = None,
) -> list[dict]:
    """All judgments of all ``rows`` in one generate call; one output record per row.

    ``judge_prompt`` names a prompt of ``judge_prompts.JUDGE_PROMPTS``; ``orders`` is ``both`` (every
    row as given and swapped) or ``one`` (one seeded random order per row); ``videos`` (one list of
    frame lists per row) go before the images.
    """
    build = JUDGE_PROMPTS[judge_prompt]
    plans = [orders_for(row["id"], orders, seed) for row in rows]
    videos = videos if videos is not None else [[] for _ in rows]
    requests = []
    for row, imgs, vids, firsts in zip(rows, images, videos, plans, strict=True):
        for first in firsts:
            shown = (row["response_1"], row["response_2"]) if first == "1" else (row["response_2"], row["response_1"])
            text = build(row["query"].strip(), shown[0].strip(), shown[1].strip(), len(imgs))
            requests.append(Request(text, imgs, vids, markers=USES_MARKERS[judge_prompt]))
    outputs = iter(backend.generate(requests, n=1, temperature=0.0, top_p=1.0, max_new_tokens=max_new_tokens))
    records = []
    for row, firsts in zip(rows, plans, strict=True):
        texts = [next(outputs)[0] for _ in firsts]
        records.append(
            {
                "id": row["id"],
                "subset": row["subset"],
                "label": row["label"],
                "extra": row.get("extra") or {},
                "first_shown": firsts,
                **judgment_fields(texts, firsts, row["label"]),
                "outputs": texts,
            }
        )
    return records


def metrics(records: list[dict]) -> dict:
    """Accuracy, swap consistency (rows judged in both orders only), position-1 rate and no-verdict rate."""
    verdicts = [v for r in records for v in r["verdicts"]]
    valid = [v for v in verdicts if v is not None]
    swapped = [r["consistent"] for r in records if r.get("consistent") is not None]
    return {
        "rows": len(records),
        "accuracy": sum(c for r in records for c in r["correct"]) / max(len(verdicts), 1),
        "swap_consistency": sum(swapped) / len(swapped) if swapped else None,
        "position_1_rate": sum(v == "1" for v in valid) / len(valid) if valid else None,
        "no_verdict_rate": 1 - len(valid) / max(len(verdicts), 1),
    }


def summarize(records: list[dict]) -> dict:
    subsets = sorted({r["subset"] for r in records})
    per_subset = {s: metrics([r for r in records if r["subset"] == s]) for s in subsets}
    summary = {"overall": metrics(records), "subsets": per_subset}
    if len(subsets) > 1:
        summary["macro_accuracy"] = sum(m["accuracy"] for m in per_subset.values()) / len(subsets)
    return summary


def print_summary(summary: dict) -> None:
    header = f"{'subset':<16} {'rows':>6} {'acc':>7} {'swap-cons':>9} {'pos-1':>7} {'no-verdict':>10}"
    print("\n" + header + "\n" + "-" * len(header))
    for name, m in [*summary["subsets"].items(), ("overall", summary["overall"])]:
        pos1 = "n/a" if m["position_1_rate"] is None else f"{100 * m['position_1_rate']:.1f}%"
        swap = "n/a" if m["swap_consistency"] is None else f"{100 * m['swap_consistency']:.1f}%"
        print(
            f"{name:<16} {m['rows']:>6} {100 * m['accuracy']:6.1f}% {swap:>9} "
            f"{pos1:>7} {100 * m['no_verdict_rate']:9.1f}%"
        )
    if "macro_accuracy" in summary:
        print(f"{'macro accuracy':<16} {'':>6} {100 * summary['macro_accuracy']:6.1f}%")


def main(argv=None) -> dict:
    args = parse_args(argv)
    rows = read_pairs(args.data, args.limit)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not args.resume:
        output.write_text("")
    done = {record["id"] for record in load_output(output)}
    pending = [row for row in rows if row["id"] not in done]
    if done:
        print(f"{output}: {len(rows) - len(pending)} of {len(rows)} rows already judged, skipping them")
    if pending:
        base = Path(args.data).parent
        max_images = max(len(image_items(row.get("images", row.get("image")))) for row in pending)
        backend = backend_from_args(args, max_images)
        step = max(args.rows_per_batch, 1)
        with output.open("a") as handle, tqdm(total=len(pending), desc="eval-critic", unit="row") as bar:
            for start in range(0, len(pending), step):
                batch = pending[start : start + step]
                images = [
                    load_images(row.get("images", row.get("image")), f"{args.data}: row {row['id']}", base)
                    for row in batch
                ]
                for record in judge_rows(
                    backend, batch, images, args.max_new_tokens, args.judge_prompt, args.orders, args.seed
                ):
                    append_record(handle, record)
                    bar.update()
    wanted = {row["id"] for row in rows}
    summary = summarize([r for r in load_output(output) if r["id"] in wanted])
    summary["model"] = args.model
    summary_path = Path(args.summary) if args.summary else output.with_suffix(".summary.json")
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary)
    print(f"done: {len(pending)} new, {summary['overall']['rows']} total rows -> {output}, summary {summary_path}")
    return summary


if __name__ == "__main__":
    main()
