"""Self-critic Best-of-N: sample N answers per question, then let the same model pick one by knockout.

    python -m critic_r1_ext.self_critic --model PATH --data FILE --n 128 [--plot scaling.png]

Answers are sampled with the policy prompt (question + the think/boxed instruction), and one greedy
answer per question is the single-answer baseline the paper compares Best-of-N with. The judge is
the same model, greedy, with ``--judge-prompt``: ``authors`` (default; the authors' evaluation
critic prompt, ``evaluate.judge_prompts``) or ``project`` (the training prompt,
``prompt.pairwise_prompt``); its verdict is read by ``verdict.extract_verdict``. Selection rules
(merging, both orders, looks) are in ``critic_r1_ext.self_critic.selection``; ``--no-merge
--no-both-orders`` is the paper's plain knockout. Questions are processed ``--questions-per-batch``
at a time so that one generate call serves a knockout step of all of them. Output: one JSONL line
per question (flushed; ``--resume`` skips ids already there) and a summary JSON; see
``docs/self_critic.md``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from tqdm import tqdm

from critic_r1_ext.common.answers import final_answer, normalize_answer
from critic_r1_ext.common.backends import Request, add_backend_arguments, backend_from_args
from critic_r1_ext.common.records import append_record, image_items, load_images, load_output, read_rows, row_id
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS
from critic_r1_ext.prompt import with_suffix
from critic_r1_ext.self_critic.scaling_plot import plot_scaling
from critic_r1_ext.self_critic.selection import entrants, knockout, majority_vote, run_batched
from critic_r1_ext.verdict import extract_verdict


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="critic-r1-self-critic",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", required=True, help="checkpoint folder or hub id (HF format)")
    parser.add_argument("--data", required=True, help=".jsonl/.json/.parquet rows: id, question, images, answer")
    parser.add_argument("--output", default="self_critic.jsonl", help="per-question JSONL (default %(default)s)")
    parser.add_argument("--summary", help="summary JSON (default: OUTPUT with .summary.json)")
    parser.add_argument("--plot", help="write a PNG of accuracy versus N here")
    parser.add_argument("--n", type=int, default=128, help="candidates per question")
    parser.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the candidates")
    parser.add_argument("--top-p", type=float, default=1.0)
    parser.add_argument("--max-new-tokens", type=int, default=2048, help="per candidate")
    parser.add_argument("--judge-max-new-tokens", type=int, default=2048, help="per judgment (greedy)")
    parser.add_argument(
        "--judge-prompt",
        choices=sorted(JUDGE_PROMPTS),
        default="authors",
        help="authors: the authors' evaluation critic prompt; project: the training critic prompt",
    )
    parser.add_argument(
        "--merge",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="merge candidates with the same final answer before judging",
    )
    parser.add_argument(
        "--both-orders", action=argparse.BooleanOptionalAction, default=True, help="judge every look in both positions"
    )
    parser.add_argument("--max-looks", type=int, default=3, help="representative pairs per merged match")
    parser.add_argument(
        "--scaling",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also select among the first 1, 2, 4, ... candidates (for --plot; costs extra judge calls)",
    )
    parser.add_argument(
        "--resume",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="skip question ids already in OUTPUT (--no-resume overwrites it)",
    )
    parser.add_argument("--limit", type=int, help="only the first LIMIT questions of the data file")
    parser.add_argument("--questions-per-batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    return args


def read_questions(path: str, limit: int | None) -> list[dict]:
    """Validated question rows: ``id`` (str), ``question``, ``images`` (raw), ``answer`` (or None)."""
    rows = read_rows(path)[:limit]
    questions, seen = [], set()
    for position, row in enumerate(rows):
        qid = row_id(row, position)
        if not isinstance(row.get("question"), str) or not row["question"].strip():
            raise ValueError(f"{path}: row {qid}: 'question' must be a non-empty string")
        if qid in seen:
            raise ValueError(f"{path}: row {qid}: duplicate id (ids key the resumable output)")
        seen.add(qid)
        images = row.get("images", row.get("image"))
        answer = row.get("answer")
        questions.append(
            {
                "id": qid,
                "question": row["question"],
                "images": images,
                "answer": None if answer is None else str(answer),
            }
        )
    return questions


def scaling_sizes(n: int) -> list[int]:
    """1, 2, 4, ... below ``n``, then ``n``."""
    sizes, size = [], 1
    while size < n:
        sizes.append(size)
        size *= 2
    return sizes + [n]


class Judge:
    """The model as its own judge over the candidates of a batch of questions, with a verdict cache.

    Called by ``selection.run_batched`` with ``(knockout, first, second)`` requests; ``owners``
    maps a knockout to its question. Repeated pairs (common across the scaling knockouts) and
    duplicates within a step cost one generation.
    """

    def __init__(self, backend, questions: list[dict], images: list, candidates: list[list[str]], args):
        self.backend, self.questions, self.images, self.candidates, self.args = (
            backend,
            questions,
            images,
            candidates,
            args,
        )
        self.owners: list[int] = []
        self.cache: dict[tuple[int, int, int], str | None] = {}
        self.calls = [0] * len(questions)

    def __call__(self, requests: list[tuple[int, int, int]]) -> list[str | None]:
        keys = [(self.owners[k], first, second) for k, first, second in requests]
        misses = list(dict.fromkeys(key for key in keys if key not in self.cache))
        prompts = [
            Request(
                JUDGE_PROMPTS[self.args.judge_prompt](
                    self.questions[q]["question"],
                    self.candidates[q][first],
                    self.candidates[q][second],
                    len(self.images[q]),
                ),
                self.images[q],
            )
            for q, first, second in misses
        ]
        outputs = (
            self.backend.generate(
                prompts, n=1, temperature=0.0, top_p=1.0, max_new_tokens=self.args.judge_max_new_tokens
            )
            if prompts
            else []
        )
        for key, texts in zip(misses, outputs):
            self.cache[key] = extract_verdict(texts[0])[0]
            self.calls[key[0]] += 1
        return [self.cache[key] for key in keys]


def solve(backend, questions: list[dict], images: list, args) -> list[dict]:
    """Sample, judge and select for a batch of questions; one output record per question."""
    requests = [Request(with_suffix(q["question"]), imgs) for q, imgs in zip(questions, images)]
    greedy = backend.generate(requests, n=1, temperature=0.0, top_p=1.0, max_new_tokens=args.max_new_tokens)
    candidates = backend.generate(
        requests, n=args.n, temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.max_new_tokens
    )
    answers = [[final_answer(text) for text in texts] for texts in candidates]
    sizes = scaling_sizes(args.n) if args.scaling else [args.n]
    judge = Judge(backend, questions, images, candidates, args)
    knockouts = []
    for q in range(len(questions)):
        for size in sizes:
            judge.owners.append(q)
            knockouts.append(knockout(entrants(answers[q][:size], args.merge), args.both_orders, args.max_looks))
    selections = run_batched(knockouts, judge)
    records = []
    for q, question in enumerate(questions):
        mine = selections[q * len(sizes) : (q + 1) * len(sizes)]
        record = _record(question, candidates[q], answers[q], sizes, mine, judge.calls[q], settings_of(args))
        records.append(_with_greedy(record, greedy[q][0], question["answer"]))
    return records


def settings_of(args) -> dict:
    """The options that change results; a resumed output must have been made with the same ones."""
    return {
        key: getattr(args, key)
        for key in (
            "model",
            "n",
            "temperature",
            "top_p",
            "max_new_tokens",
            "judge_max_new_tokens",
            "judge_prompt",
            "merge",
            "both_orders",
            "max_looks",
        )
    }


def _record(
    question: dict,
    texts: list[str],
    answers: list,
    sizes: list[int],
    selections: list,
    model_calls: int,
    settings: dict,
):
    reference = normalize_answer(question["answer"])

    def correct(index):
        return None if reference is None else index is not None and answers[index] == reference

    main, majority = selections[-1], majority_vote(answers)
    return {
        "id": question["id"],
        "question": question["question"],
        "reference": question["answer"],
        "candidates": [{"text": text, "answer": answer} for text, answer in zip(texts, answers)],
        "distinct_answers": len({a for a in answers if a is not None}),
        "comparisons": [asdict(match) for match in main.matches],
        "winner": main.winner,
        "winner_answer": None if main.winner is None else answers[main.winner],
        "majority": majority,
        "judge_calls": main.judge_calls,
        "model_judge_calls": model_calls,
        "correct": None
        if reference is None
        else {"first": correct(0), "majority": correct(majority), "self_critic": correct(main.winner)},
        "settings": settings,
        "scaling": [
            {
                "n": size,
                "majority": majority_vote(answers[:size]),
                "self_critic": selection.winner,
                "correct_majority": correct(majority_vote(answers[:size])),
                "correct_self_critic": correct(selection.winner),
                "judge_calls": selection.judge_calls,
            }
            for size, selection in zip(sizes, selections)
        ],
    }


def _with_greedy(record: dict, text: str, answer) -> dict:
    """``record`` with the greedy single answer (the paper's baseline for Best-of-N) and its grade."""
    reference, got = normalize_answer(answer), final_answer(text)
    correct = record["correct"] if record["correct"] is None else {**record["correct"], "greedy": got == reference}
    return {**record, "greedy": {"text": text, "answer": got}, "correct": correct}


def summarize(records: list[dict], args) -> dict:
    """Accuracies over the graded questions and judge-call counts over all of them."""
    graded = [r for r in records if r["correct"] is not None]
    count = max(len(records), 1)

    def accuracy(key):
        return sum(r["correct"][key] for r in graded) / len(graded) if graded else None

    return {
        "questions": len(records),
        "graded": len(graded),
        "n": args.n,
        "settings": settings_of(args),
        "accuracy": {key: accuracy(key) for key in ("greedy", "first", "majority", "self_critic")},
        "judge_calls_per_question": sum(r["judge_calls"] for r in records) / count,
        "plain_knockout_calls_per_question": args.n - 1,
        "model_judge_calls_per_question": sum(r["model_judge_calls"] for r in records) / count,
        "distinct_answers_per_question": sum(r["distinct_answers"] for r in records) / count,
        "no_answer_rate": sum(c["answer"] is None for r in records for c in r["candidates"])
        / max(sum(len(r["candidates"]) for r in records), 1),
    }


def print_summary(summary: dict) -> None:
    print(f"\nself-critic Best-of-{summary['n']}: {summary['questions']} questions, {summary['graded']} graded")
    labels = (("greedy", "greedy answer"), ("first", "first sample"), ("majority", "majority vote"))
    for key, label in (*labels, ("self_critic", "self-critic")):
        value = summary["accuracy"][key]
        print(f"  {label:<14} {'n/a' if value is None else f'{100 * value:.1f}%'}")
    print(
        f"  judge calls/question {summary['judge_calls_per_question']:.1f} "
        f"(plain knockout: {summary['plain_knockout_calls_per_question']}; model calls incl. scaling: "
        f"{summary['model_judge_calls_per_question']:.1f}); distinct answers/question "
        f"{summary['distinct_answers_per_question']:.1f}"
    )


def _check_settings(output: Path, existing: list[dict], args) -> None:
    """Refuse to mix results made with other settings into one output (and one summary)."""
    mismatched = {json.dumps(r.get("settings"), sort_keys=True) for r in existing} - {
        json.dumps(settings_of(args), sort_keys=True)
    }
    if mismatched:
        raise SystemExit(
            f"{output} holds results made with other settings ({sorted(mismatched)[0]}); "
            "pass --no-resume to overwrite it or choose another --output"
        )


def main(argv=None) -> dict:
    args = parse_args(argv)
    data_path = Path(args.data)
    questions = read_questions(args.data, args.limit)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not args.resume:
        output.write_text("")
    existing = load_output(output)
    _check_settings(output, existing, args)
    done = {record["id"] for record in existing}
    pending = [q for q in questions if q["id"] not in done]
    if done:
        print(f"{output}: {len(questions) - len(pending)} of {len(questions)} questions already done, skipping them")
    if pending:
        backend = backend_from_args(args, max(len(image_items(q["images"])) for q in pending))
        step = max(args.questions_per_batch, 1)
        with output.open("a") as handle, tqdm(total=len(pending), desc="self-critic", unit="question") as bar:
            for start in range(0, len(pending), step):
                batch = pending[start : start + step]
                images = [load_images(q["images"], f"{args.data}: row {q['id']}", data_path.parent) for q in batch]
                for record in solve(backend, batch, images, args):
                    append_record(handle, record)
                    bar.update()
    wanted = {q["id"] for q in questions}
    records = [r for r in load_output(output) if r["id"] in wanted]
    summary = summarize(records, args)
    summary_path = Path(args.summary) if args.summary else output.with_suffix(".summary.json")
    summary_path.write_text(json.dumps(summary, indent=2) + "\n")
    print_summary(summary)
    if args.plot:
        plot_scaling(records, args.plot)
        print(f"plot: {args.plot}")
    print(f"done: {len(pending)} new, {len(records)} total questions -> {output}, summary {summary_path}")
    return summary


if __name__ == "__main__":
    main()
