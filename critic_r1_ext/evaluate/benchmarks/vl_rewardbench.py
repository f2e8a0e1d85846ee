"""VL-RewardBench (test), ``MMInstruction/VL-RewardBench``, as ``eval_llama32v/model_vlreward_llama32v.py``.

One pair per row (``response`` two strings, ``human_ranking`` 0 = better); rows without a strict
preference are skipped and counted. Groups follow lmms-eval's VL-RewardBench task
(``lmms_eval/tasks/vl_rewardbench/utils.py``): the id's text before the first ``-`` and then the
first ``_``, lower-cased: mathverse/mmmu -> reasoning; hallucination (the POVID rows
``hallucination_pair-*``), rlhf, rlaif -> hallucination; anything else -> general. Official
metric: the macro average over the groups (lmms-eval's aggregate, the benchmark's reported
number), with the overall accuracy beside it.
"""

from __future__ import annotations

from critic_r1_ext.common.records import image_items
from critic_r1_ext.evaluate.benchmarks._critic_metrics import accuracy, unparsed
from critic_r1_ext.evaluate.benchmarks._metrics import group_mean
from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, SkipRow, need

GROUPS = {
    "mathverse": "reasoning",
    "mmmu": "reasoning",
    "hallucination": "hallucination",
    "rlhf": "hallucination",
    "rlaif": "hallucination",
    "wildvision": "general",
    "vlfeedback": "general",
}


def group_of(item_id: str) -> str:
    """lmms-eval's group of a VL-RewardBench id, e.g. ``"RLAIF-V_12"`` -> "hallucination"."""
    return GROUPS.get(item_id.split("-")[0].split("_")[0].lower(), "general")


def vl_rewardbench_item(row: dict, where: str) -> Item:
    need(row, where, "id", "query", "response", "human_ranking", "image")
    responses, ranking = list(row["response"] or []), list(row["human_ranking"] or [])
    if len(responses) != 2 or len(ranking) != 2 or ranking[0] == ranking[1]:
        raise SkipRow("no strict preference between two responses")
    label = "1" if ranking[0] < ranking[1] else "2"
    item_id = str(row["id"])
    return Item(
        item_id, row["query"], image_items(row["image"]), "pair", label, choices=responses, category=group_of(item_id)
    )


def metrics(records: list[dict], judge=None) -> dict:
    """Macro accuracy over the groups (main), overall accuracy, per-group accuracy, unparsed verdicts."""
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(record["subset"], []).append(record)
    per_group = {name: accuracy(members) for name, members in sorted(groups.items())}
    return {
        "macro_accuracy": group_mean(per_group),
        "accuracy": accuracy(records),
        "per_group": per_group,
        "unparsed_verdicts": unparsed(records),
    }


BENCHMARK = Benchmark(
    name="vl_rewardbench",
    hub_id="MMInstruction/VL-RewardBench",
    split="test",
    task="critic",
    paper_name="VL-RewardBench",
    category="Visual reward benchmarks",
    script="eval_llama32v/model_vlreward_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=vl_rewardbench_item,
    metrics=metrics,
    main_metric="macro_accuracy",
)
