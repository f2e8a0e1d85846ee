"""What the official scorers of our benchmarks read from one model output, and asking their judges.

The official scorers were written for models that answer directly; under the authors' protocol
the answer is the last ``\\boxed{}`` after the thinking part. So the official rule-based metrics
read ``prediction``: the last box's content, or, when there is no box, the text after the
thinking part. LLM judges read ``response``: the text after the thinking part (box included),
the model's answer to the user. Both are our reading, documented in docs/evaluate.md.
"""

from __future__ import annotations

from critic_r1_ext.verdict import answer_part


def response(record: dict) -> str:
    """The model's final response: the output after the thinking part."""
    output = record.get("output")
    return answer_part(output) if isinstance(output, str) else ""


def prediction(record: dict) -> str:
    """The answer the official rule-based scorers compare: the last box's content, else ``response``."""
    extracted = record.get("extracted")
    return extracted if isinstance(extracted, str) else response(record)


def row_position(where: str) -> str:
    """The row's position from the loader's ``"name: row N"`` label: the id of rows that have none."""
    return where.rsplit(" ", 1)[-1]


def ask_all(judge, requests: list[tuple[str, str | None]]) -> tuple[list[str | None], int]:
    """The judge's replies to ``(prompt, system)`` requests (None where the server failed) and the failures.

    Our modules report an official value only when every item got a reply; otherwise the value needs
    a judge and ``judge_failures`` says how many failed (a rerun asks again only for those: the
    judge caches its answers)."""
    replies = [judge.ask(prompt, system=system) for prompt, system in requests]
    return replies, sum(reply is None for reply in replies)
