"""Sample the policy's answers and let the critic judge ordered pairs of them, both resumably.

The critic sees the pairwise prompt of ``critic_r1_ext.evaluate.judge_prompts`` (``authors``: the
authors' evaluation wording, the default; ``project``: the training prompt), greedy, and its verdict
is read by ``critic_r1_ext.verdict.extract_verdict``. This module is the only place the
preferences package touches ``critic_r1_ext.evaluate``.
"""

from __future__ import annotations

from critic_r1_ext.common.backends import Request
from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS
from critic_r1_ext.prompt import IMAGE_MARKER, with_suffix
from critic_r1_ext.verdict import extract_verdict

JUDGE_PROMPT_NAMES = sorted(JUDGE_PROMPTS)


def policy_text(question: str, think_suffix: bool) -> str:
    """The user turn the policy answers (and DPO trains on): the question, with the paper's suffix by default."""
    return with_suffix(question) if think_suffix else question


def sample(backend, prompts: list, images: list, samples, args) -> None:
    """``args.n`` answers per prompt not yet in ``samples`` (a ``RowFile``), appended to it."""
    requests = [Request(policy_text(p.question, args.think_suffix), imgs) for p, imgs in zip(prompts, images)]
    outputs = backend.generate(
        requests, n=args.n, temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.max_new_tokens
    )
    samples.add([{"id": p.id, "answers": list(texts)} for p, texts in zip(prompts, outputs)])


def judgment_id(prompt_id: str, first: int, second: int) -> str:
    return f"{prompt_id}|{first}|{second}"


class Critic:
    """The judge callable of ``selection.run_batched`` for a batch of prompts.

    ``owners[k]`` is ``(prompt, answers, images)`` of strategy ``k``. Judgments already in ``judgments`` (a ``RowFile``)
    are reused; the rest are generated in one call per step, appended, and counted in ``calls``.
    """

    def __init__(self, backend, judge_prompt: str, max_new_tokens: int, judgments):
        self.backend = backend  # a callable that returns the backend: the model loads only if a judgment is missing
        self.build = JUDGE_PROMPTS[judge_prompt]
        self.max_new_tokens = max_new_tokens
        self.judgments = judgments
        self.owners: list = []  # (prompt, answers, images) per strategy
        self.calls = 0

    def __call__(self, requests: list[tuple[int, int, int]]) -> list[str | None]:
        keys = [(k, judgment_id(self.owners[k][0].id, first, second), first, second) for k, first, second in requests]
        misses = list({key[1]: key for key in keys if key[1] not in self.judgments.records}.values())
        if misses:
            prompts = [self._request(k, first, second) for k, _, first, second in misses]
            outputs = self.backend().generate(
                prompts, n=1, temperature=0.0, top_p=1.0, max_new_tokens=self.max_new_tokens
            )
            records = []
            for (k, key, first, second), texts in zip(misses, outputs):
                verdict = extract_verdict(texts[0])[0]
                records.append(
                    {
                        "id": key,
                        "prompt_id": self.owners[k][0].id,
                        "first": first,
                        "second": second,
                        "verdict": verdict,
                        "output": texts[0],
                    }
                )
            self.judgments.add(records)
            self.calls += len(misses)
        return [self.judgments.records[key]["verdict"] for _, key, _, _ in keys]

    def _request(self, k: int, first: int, second: int) -> Request:
        prompt, answers, images = self.owners[k]
        # An <image> marker inside an answer would claim an image slot; the critic sees the word instead.
        shown = [answers[i].replace(IMAGE_MARKER, "image").strip() for i in (first, second)]
        return Request(self.build(prompt.question, shown[0], shown[1], len(images)), images)
