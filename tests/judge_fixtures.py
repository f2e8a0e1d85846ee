"""Test helpers for benchmark metrics: scored result records and an in-process scripted judge."""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.scoring import safe_score


def scored_records(name: str, source, outputs: dict[str, str]) -> list[dict]:
    """Result records as the evaluation writes them: the items of ``name`` with an output in ``outputs``, scored."""
    found, _ = items(name, str(source))
    return [
        {"id": i.id, "reference": i.reference(), "output": outputs[i.id], **safe_score(i.reference(), outputs[i.id])}
        for i in found
        if i.id in outputs
    ]


class ScriptedJudge:
    """A judge with ``ChatJudge``'s ``ask``: replies from ``reply(prompt, system)``, every request kept."""

    def __init__(self, reply):
        self.reply, self.requests, self.calls, self.failures = reply, [], 0, 0

    def ask(self, prompt: str, system: str | None = None) -> str | None:
        self.requests.append((prompt, system))
        self.calls += 1
        return self.reply(prompt, system)
