"""BLINK (val), ``BLINK-Benchmark/BLINK``, all 14 task configs, as ``eval_llama32v/model_blink_llama32v.py``.

The row's ``prompt`` (question, "Select from the following choices." and "(A) ..." lines) plus
"\\nAnswer with the option's letter from the given choices."; every non-empty ``image_1`` ..
``image_4`` before the text (multi-image); no skip rule in the script; vLLM context 32768.

Official metric (zeyofu/BLINK_Benchmark ``eval/test_benchmark.py`` and ``eval/evaluate.py``):
accuracy per task and their unweighted mean over the 14 tasks. The official answer extraction
takes a bare "A" or "(A)", else the one option token "(X)" found among the response's words (or
those of its last paragraph), else asks GPT-3.5-turbo to match the response to an option with the
official matching prompt ("(Z)": none). Here the response is the model's final answer: the last
``\\boxed{}``'s content, or the text after the thinking when there is no box. With
``--judge-url`` the unmatched ones go to the judge; without one (or when the judge fails on any of
them, counted in ``judge_failures``) ``task_mean`` says it needs a judge, and
``task_mean_rules_only`` counts them wrong.
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy_by_extra, group_mean
from critic_r1_ext.evaluate.benchmarks.base import LETTERS, NEEDS_JUDGE, Benchmark, Item, need
from critic_r1_ext.verdict import answer_part

TASKS = (
    "Art_Style",
    "Counting",
    "Forensic_Detection",
    "Functional_Correspondence",
    "IQ_Test",
    "Jigsaw",
    "Multi-view_Reasoning",
    "Object_Localization",
    "Relative_Depth",
    "Relative_Reflectance",
    "Semantic_Correspondence",
    "Spatial_Relation",
    "Visual_Correspondence",
    "Visual_Similarity",
)
_TOKENS = tuple(f"({c})" for c in "ABCDE")
# The official matching prompt (BLINK_Benchmark eval/multiple_choice.py, ``build_prompt``), sent as is.
JUDGE_PROMPT = (
    "You are an AI assistant who will help me to match an answer with several options of a single-choice question. "
    "You are provided with a question, several options, and an answer, and you need to find which option is most "
    "similar to the answer. "
    "If the answer says things like refuse to answer, I'm sorry cannot help, etc., output (Z)"
    "If the meaning of all options are significantly different from the answer, or the answer does not select any "
    "option, output (Z)"
    "Your should output one of the choices, (A),(B),(C),(D),(E) (if they are valid options), or (Z)\n"
    "Example 1: \n"
    "Question: Which point is closer to the camera?\nSelect from the following choices.\nOptions: (A) Point A\n"
    "(B) Point B\n(Z) Failed\nAnswer: Point B, where the child is sitting, is closer to the camera.\nYour output: (B)\n"
    "Example 2: \n"
    "Question: Which point is closer to the camera?\nSelect from the following choices.\nOptions: (A) Point A\n"
    "(B) Point B\n(Z) Failed\nAnswer: I'm sorry, but I can't assist with that request.\nYour output: (Z)\n"
    "Example 3: \n"
    "Question: Which point is corresponding to the reference point?\nSelect from the following choices.\n"
    "Options: (A) Point A\n(B) Point B\n(Z) Failed\nAnswer:The reference point (REF) on the first image is at the "
    "tip of the pot, which is the part used to Poke if the pots were used for that action. Looking at the second "
    "image, we need to find the part of the object that would correspond to poking.\n(A) Point A is at the tip of "
    "the spoon's handle, which is not used for poking.\n(B) Point B is at the bottom of the spoon, which is not used "
    "for poking.\n(C) Point C is on the side of the pspoonot, which is not used for poking.\n(D) Point D is at the "
    "tip of the spoon, which is not used for poking.\n\nTherefore, there is no correct answer in the choices\n"
    "Your output: (Z)\n"
    "Example 4: \n"
    "Question: {}?\nOptions: {}\n(Z) Failed\nAnswer: {}\nYour output: "
)


def blink_item(row: dict, where: str) -> Item:
    need(row, where, "idx", "prompt", "choices", "answer")
    choices = [str(c) for c in (row["choices"] or [])]
    answer = str(row["answer"]).strip().strip("()").upper()
    if len(answer) != 1 or answer not in LETTERS[: len(choices)]:
        raise ValueError(f"{where}: answer {row['answer']!r} names none of the {len(choices)} choices")
    images = [row[f"image_{n}"] for n in range(1, 5) if row.get(f"image_{n}") is not None]
    if not images:
        raise ValueError(f"{where}: image_1 .. image_4 are all empty")
    task = row.get("_config") or row.get("sub_task")
    question = row["prompt"] + "\nAnswer with the option's letter from the given choices."
    extra = {"task": task, "question": str(row.get("question") or "")}
    return Item(str(row["idx"]), question, images, "choice", answer, choices=choices, category=task, extra=extra)


def final_answer(record: dict) -> str:
    """What the official extraction reads: the last box's content, else the text after the thinking."""
    extracted = record.get("extracted")
    return extracted if extracted is not None else answer_part(str(record.get("output") or ""))


def rule_choice(answer: str, n_choices: int) -> str | None:
    """The official rule-based reading ("(B)"), or ``None`` when the official code would ask GPT."""
    if answer in "ABCDE" and len(answer) == 1:
        return f"({answer})"
    if answer in _TOKENS:
        return answer
    valid = set(_TOKENS[:n_choices])
    everywhere = valid & set(answer.split())
    last = valid & set(answer.split("\n\n")[-1].split())
    if len(everywhere) >= 1 and (len(everywhere) == 1 or len(last) == 1):
        return next(iter(last if len(last) == 1 else everywhere))
    return None


def judge_choice(judge, record: dict) -> str | None:
    """The judge's match for one answer (its reply; "(Z)" or other text scores wrong); ``None``: no reply."""
    reference = record["reference"]
    options = "\n".join(f"{_TOKENS[i]} {c}" for i, c in enumerate(reference["choices"]))
    question = f"{reference['extra'].get('question', '')}\nSelect from the following choices"
    return judge.ask(JUDGE_PROMPT.format(question, options, final_answer(record)))


def metrics(records: list[dict], judge=None) -> dict:
    """Per-task accuracy and the mean over tasks (fractions); rule-only values and the count the rules miss."""
    read = [rule_choice(final_answer(r), len(r["reference"]["choices"])) for r in records]
    unread = [i for i, choice in enumerate(read) if choice is None]
    rules_only = [{**r, "correct": c == f"({r['reference']['answer']})"} for r, c in zip(records, read, strict=True)]
    per_task_rules = accuracy_by_extra(rules_only, "task")
    result = {
        "task_mean_rules_only": group_mean(per_task_rules),
        "needs_judge_items": len(unread),
    }
    if unread and judge is None:
        return {"task_mean": NEEDS_JUDGE, "per_task": NEEDS_JUDGE, **result}
    for i in unread:
        read[i] = judge_choice(judge, records[i])
    failed = sum(read[i] is None for i in unread)
    if failed:
        return {"task_mean": NEEDS_JUDGE, "per_task": NEEDS_JUDGE, **result, "judge_failures": failed}
    scored = [
        {**r, "correct": c.strip() == f"({r['reference']['answer']})"} for r, c in zip(records, read, strict=True)
    ]
    per_task = accuracy_by_extra(scored, "task")
    return {"task_mean": group_mean(per_task), "per_task": per_task, **result}


BENCHMARK = Benchmark(
    name="blink",
    hub_id="BLINK-Benchmark/BLINK",
    split="val",
    task="policy",
    paper_name="BLINK (val)",
    category="Perception & general VQA",
    script="eval_llama32v/model_blink_llama32v.py",
    min_image_side=0,  # the script has no small-image rule
    item=blink_item,
    metrics=metrics,
    main_metric="task_mean",
    configs=TASKS,
    max_model_len=32768,
)
