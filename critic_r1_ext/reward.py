"""The LLaVA-Critic-R1 reward: ``acc_weight * accuracy + format_weight * (think/boxed format)``.

verl calls :func:`compute_score` once per rollout (``reward.custom_reward_function`` in the recipe;
``mode`` and the weights come from ``reward.custom_reward_function.reward_kwargs``). Two modes:

* ``paper`` (the recipes' default): the authors' reward, result for result (``reward_paper``).
* ``robust`` (opt-in): verdicts normalised ("Response 2" means "2"), hedges score 0, boxes inside
  the thinking ignored, a stricter format (one think block, a non-empty box after it).

It never raises on a model output, and its time is linear in the output length.
"""

from __future__ import annotations

from itertools import islice

from critic_r1_ext.reward_paper import paper_score
from critic_r1_ext.verdict import THINK_TAG, as_text, boxed_spans, extract_verdict, normalize_verdict

MODES = ("paper", "robust")


def format_ok(text: str) -> bool:
    r"""Robust mode's format: one ``<think>...</think>`` block, then an answer with a non-empty ``\boxed{}``.

    >>> format_ok(r"<think>2 counts right.</think> \boxed{2}")
    True
    >>> format_ok(r"\boxed{2}")
    False
    """
    if "<" not in text:
        return False
    tags = list(islice(THINK_TAG.finditer(text), 3))
    if len(tags) != 2 or tags[0].group(1) or not tags[1].group(1):
        return False
    if text[: tags[0].start()].strip():
        return False
    return any(box.strip() for box in boxed_spans(text[tags[1].end() :]))


def robust_score(text: str, ground_truth: object) -> tuple[float, float, str]:
    """``(accuracy, format, normalised verdict)`` of robust mode."""
    verdict, _ = extract_verdict(text)
    label = normalize_verdict(ground_truth)
    acc = 1.0 if verdict is not None and verdict == label else 0.0
    return acc, float(format_ok(text)), verdict or ""


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: object,
    extra_info: dict | None = None,
    acc_weight: float = 0.9,
    format_weight: float = 0.1,
    mode: str = "paper",
    **kwargs,
) -> dict:
    r"""Score one critic judgment; the dict keys are the same for every sample (verl logs them per key).

    ``pred`` is the answer read (paper: the last box's content; robust: the normalised verdict).
    ``error`` is empty, or says why the output was not scored (it is not text: bytes are decoded
    as UTF-8, anything else scores 0) or its box not graded (paper mode: grading it would take
    sympy unbounded time, see ``reward_paper.graded``; accuracy 0). A wrong ``mode`` is a
    configuration error and raises.

    >>> compute_score("critic", r"<think>2 counts right.</think> \boxed{2}", "2")
    {'score': 1.0, 'acc': 1.0, 'format': 1.0, 'pred': '2', 'error': ''}
    >>> [compute_score("c", r"<think>x</think> \boxed{Response 2}", "2", mode=m)["score"] for m in MODES]
    [0.1, 1.0]
    >>> [compute_score("c", r"\boxed{2} or \boxed{1}", "1", mode=m)["score"] for m in MODES]
    [0.9, 0.0]
    >>> [compute_score("c", r"<think>\boxed{1}</think> so", "1", mode=m)["score"] for m in MODES]
    [0.9, 0.0]
    >>> compute_score("critic", None, "2")["error"]
    'solution_str is NoneType, not text'
    """
    if mode not in MODES:
        raise ValueError(f"reward_kwargs.mode must be one of {MODES}, got {mode!r}")
    text = as_text(solution_str) if isinstance(solution_str, (str, bytes, bytearray, memoryview)) else None
    if text is None:
        error = f"solution_str is {type(solution_str).__name__}, not text"
        return {"score": 0.0, "acc": 0.0, "format": 0.0, "pred": "", "error": error}
    if mode == "paper":
        acc, fmt, pred, error = paper_score(text, as_text(ground_truth))
    else:
        (acc, fmt, pred), error = robust_score(text, ground_truth), ""
    return {"score": acc_weight * acc + format_weight * fmt, "acc": acc, "format": fmt, "pred": pred, "error": error}
