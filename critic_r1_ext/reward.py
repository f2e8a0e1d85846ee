"""The LLaVA-Critic-R1 reward: ``acc_weight * (verdict == label) + format_weight * (think/boxed format)``.

verl calls :func:`compute_score` once per rollout (``reward.custom_reward_function`` in the recipe;
the weights come from ``reward.custom_reward_function.reward_kwargs``). It never raises, and its
time is linear in the response length.
"""

from __future__ import annotations

from itertools import islice

from critic_r1_ext.verdict import THINK_TAG, boxed_spans, extract_verdict, normalize_verdict


def format_ok(text: str) -> bool:
    r"""True when the output is one ``<think>...</think>`` block, then an answer with a non-empty ``\boxed{}``.

    >>> format_ok(r"<think>2 counts right.</think> \boxed{2}")
    True
    >>> format_ok(r"\boxed{2}")
    False
    """
    tags = list(islice(THINK_TAG.finditer(text), 3))
    if len(tags) != 2 or tags[0].group(1) or not tags[1].group(1):
        return False
    if text[: tags[0].start()].strip():
        return False
    return any(box.strip() for box in boxed_spans(text[tags[1].end() :]))


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: object,
    extra_info: dict | None = None,
    acc_weight: float = 0.9,
    format_weight: float = 0.1,
    **kwargs,
) -> dict:
    r"""Score one critic judgment; the dict keys are the same for every sample (verl logs them per key).

    ``acc`` is 1 when the normalised verdict of the last ``\boxed{}`` equals the normalised label
    ("2", "Response 2", "\text{Response 2}" and "[[2]]" all match "2"); hedges score 0.

    >>> compute_score("critic", r"<think>2 counts right.</think> \boxed{Response 2}", "2")
    {'score': 1.0, 'acc': 1.0, 'format': 1.0, 'pred': '2'}
    >>> compute_score("critic", r"\boxed{1}", "2")["score"]
    0.0
    >>> compute_score("critic", r"<think>hmm</think> \boxed{1 or 2}", "1")["acc"]
    0.0
    """
    text = solution_str if isinstance(solution_str, str) else str(solution_str)
    verdict, _ = extract_verdict(text)
    label = normalize_verdict(ground_truth)
    acc = 1.0 if verdict is not None and verdict == label else 0.0
    fmt = 1.0 if format_ok(text) else 0.0
    return {
        "score": acc_weight * acc + format_weight * fmt,
        "acc": acc,
        "format": fmt,
        "pred": verdict or "",
    }
