"""MMBench-EN, ``lmms-lab/MMBench_EN``, as ``eval_llama32v/model_mmbench_llama32v.py`` builds it.

Rows: ``index``, ``question``, ``hint``, ``A``..``D``, ``answer``, ``category``, ``l2-category``,
``image`` (a missing hint or option is the string "nan"). Prompt: the hint and a line break when
there is one, the question, " Options:" and an "X. ..." line per present option, then "Answer with
the option's letter from the given choices directly." Split: the authors' script loads ``test``,
whose answers are not public (VLMEvalKit issue 148: MMBench keeps them confidential; its scoring
server closed on 2026-03-31, open-compass/MMBench issue 61), so no local run can give their number;
we run ``dev``, the split that carries answers (our choice; same prompt and protocol).

Official metric: circular accuracy (MMBench; VLMEvalKit and lmms-eval ``mmbench_evals.py``): rows
whose ``index`` agree modulo 1,000,000 are one question with its options rotated, and the question
counts only when every copy is answered right. A copy's answer is read by rule (exactly one option
letter standing alone or in a listed bracket/punctuation form, else exactly one option text
contained), and by a ChatGPT choice extractor with MMBench's prompt when the rules find none. The
result needs no judge when every copy is read by rule or a question already has a copy read wrong;
otherwise it needs one (``circular_accuracy_rule_based``, our stand-in, counts unread copies as wrong).
"""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks._prediction import prediction
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE, Benchmark, Item, need

SUFFIX = "\nAnswer with the option's letter from the given choices directly."
CIRCULAR = 1_000_000
# MMBench's choice-extraction prompt (lmms-eval mmbench_evals.py build_prompt; protocol constant, as published).
JUDGE_PROMPT = (
    "You are an AI assistant who will help me to match an answer with several options of a single-choice question. "
    "You are provided with a question, several options, and an answer, and you need to find which option is most "
    "similar to the answer. If the meaning of all options are significantly different from the answer, output E. "
    "Your should output a single uppercase character in A, B, C, D (if they are valid options), and E. \n"
    "Example 1: \nQuestion: What is the main object in image?\nOptions: A. teddy bear B. rabbit C. cat D. dog\n"
    "Answer: a cute teddy bear\nYour output: A\n"
    "Example 2: \nQuestion: What is the main object in image?\nOptions: A. teddy bear B. rabbit C. cat D. dog\n"
    "Answer: Spider\nYour output: E\n"
    "Example 3: \nQuestion: {question}?\nOptions: {options}\nAnswer: {prediction}\nYour output: "
)
_FORMS = (("", "."), ("", ","), ("", ":"), ("", ")"), ("", ")."), ("(", ")"), ("(", ")."))
_FORMS += ((":", ""), (":", ","), (":", "."), (":", ")"), (":", ")."))


def _present(value) -> bool:
    return value is not None and str(value) != "nan" and str(value) != ""


def mmbench_item(row: dict, where: str) -> Item:
    need(row, where, "index", "question", "hint", "A", "B", "answer", "category", "image")
    question = (str(row["hint"]) + "\n" if _present(row["hint"]) else "") + str(row["question"]) + " Options:"
    options = {letter: str(row[letter]) for letter in "ABCD" if _present(row.get(letter))}
    question += "".join(f"\n{letter}. {text}" for letter, text in options.items()) + SUFFIX
    answer = str(row["answer"]).strip() if _present(row["answer"]) else ""
    if answer not in options:
        raise ValueError(f"{where}: answer {answer!r} is not one of the options {sorted(options)}")
    index = int(row["index"])
    extra = {
        "group": index % CIRCULAR,
        "options": options,
        "question": str(row["question"]),
        "l2_category": str(row.get("l2-category") or row.get("L2-category") or ""),
    }
    choices = [options.get(letter, "") for letter in "ABCD"[: max(map("ABCD".index, options)) + 1]]
    return Item(
        str(index),
        question,
        [row["image"]],
        "choice",
        answer,
        choices=choices,
        category=str(row["category"]),
        extra=extra,
    )


def rule_letter(text: str, options: dict) -> str | None:
    """MMBench's rule-based reading of an answer: one option letter (A-E) in a listed form, else one option text."""
    tokens = [token.strip() for token in text.split()]
    letters = "ABCDE"
    alone = [c for c in letters if c in tokens]
    if len(alone) == 1 and not ("A" in tokens and len(tokens) > 3):
        return alone[0]
    for before, after in _FORMS:
        found = [c for c in letters if before + c + after in tokens]
        if len(found) == 1:
            return found[0]
    lowered = text.lower()
    named = [letter for letter, option in options.items() if option.lower() in lowered]
    return named[0] if len(named) == 1 else None


def judge_prompt(record: dict) -> str:
    """MMBench's choice-extraction request for one copy whose answer the rules cannot read."""
    extra = record["reference"]["extra"]
    options = "There are several options: \n" + "".join(f"{k}. {v}\n" for k, v in extra["options"].items())
    return JUDGE_PROMPT.format(question=extra["question"], options=options, prediction=prediction(record))


def circular(records: list[dict], judge=None) -> tuple[dict, int, int]:
    """Per question group: True/False (None: a judge is needed and absent); judge calls made and failed."""
    groups: dict[int, list[dict]] = {}
    for r in records:
        groups.setdefault(r["reference"]["extra"]["group"], []).append(r)
    outcome, calls, failed = {}, 0, 0
    for group, copies in groups.items():
        read = [(r, rule_letter(prediction(r), r["reference"]["extra"]["options"])) for r in copies]
        if any(letter is not None and letter != r["reference"]["answer"] for r, letter in read):
            outcome[group] = False
            continue
        unread = [r for r, letter in read if letter is None]
        if unread and judge is None:
            outcome[group] = None
            continue
        right = True
        for r in unread:
            calls += 1
            reply = judge.ask(judge_prompt(r))
            failed += reply is None
            letter = rule_letter(reply or "", r["reference"]["extra"]["options"])
            right = right and letter == r["reference"]["answer"]
        outcome[group] = right
    return outcome, calls, failed


def metrics(records: list[dict], judge=None) -> dict:
    """Circular accuracy (fractions; overall and per category) and our rules-only stand-in."""
    outcome, calls, failed = circular(records, judge)
    category = {r["reference"]["extra"]["group"]: r["reference"].get("category") for r in records}
    rules = [bool(v) for v in outcome.values()]
    result = {
        "circular_accuracy_rule_based": sum(rules) / len(rules) if rules else None,
        "questions": len(outcome),
        "judge_calls": calls,
    }
    if failed:
        result["judge_failures"] = failed
    if failed or any(v is None for v in outcome.values()):
        return {"circular_accuracy": NEEDS_JUDGE, **result}
    per_category: dict[str, list[bool]] = {}
    for group, right in outcome.items():
        per_category.setdefault(str(category[group]), []).append(right)
    return {
        "circular_accuracy": sum(outcome.values()) / len(outcome) if outcome else None,
        "per_category": {c: sum(v) / len(v) for c, v in sorted(per_category.items())},
        **result,
    }


BENCHMARK = Benchmark(
    name="mmbench",
    hub_id="lmms-lab/MMBench_EN",
    split="dev",
    task="policy",
    paper_name="MMBench-EN (dev; the authors ran test)",
    category="Perception & general VQA",
    script="eval_llama32v/model_mmbench_llama32v.py",
    item=mmbench_item,
    metrics=metrics,
    main_metric="circular_accuracy",
    stand_in="circular_accuracy_rule_based",
)
