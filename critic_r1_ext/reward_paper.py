r"""The authors' reward (LLaVA-Critic-R1's EasyR1 ``examples/reward_function/math.py``), in linear time.

Their function, per output: squeeze whitespace around ``<``, ``>`` and ``/`` with
``re.sub(r"\s*(<|>|/)\s*", r"\1", text)``; format = ``re.fullmatch(r"<think>.*</think>.*\\boxed\{.*\}.*",
text, re.DOTALL)``; accuracy = mathruler's ``grade_answer(extract_boxed_content(text), ground_truth)``
(the last ``\boxed{`` anywhere, braces balanced, ``"None"`` when unclosed). This module gives the same
result without their regexes, which backtrack quadratically (seconds on 64 KiB), on every input
except three, documented in docs/reward.md: a box over ``MAX_GRADED_CHARS`` characters, and one that
would make sympy evaluate beyond ``grade_budget``'s budget (``9**9**9`` against the label ``1.5``: hours),
are not graded (accuracy 0, with the reason); an input on which mathruler raises scores accuracy 0
instead of crashing.
"""

from __future__ import annotations

from functools import lru_cache

from mathruler.grader import grade_answer

from critic_r1_ext.grade_budget import sympy_budget

_BOX = "\\boxed{"
_ASCII_SPACES = " \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f"  # every ASCII character that str.isspace() accepts
# Box contents longer than this are not graded: mathruler's LaTeX parsing costs about 0.1 ms per
# character (seconds on a 64 KiB box), and no verdict or math answer is that long.
MAX_GRADED_CHARS = 4096


def squeeze_delimiters(text: str) -> str:
    r"""The authors' whitespace normalisation: every whitespace run touching ``<``, ``>`` or ``/`` goes.

    For each delimiter, the pieces between its occurrences lose the whitespace at the ends that touch
    it (``str.strip`` and the regex's ``\s`` agree on what whitespace is). Removing a run never puts
    whitespace next to a delimiter, so the order does not matter and the result is the authors'.
    String methods scan at memory speed, where a regex costs tens of nanoseconds per character.

    >>> squeeze_delimiters("< think >a</ think > \\boxed{1 / 2}")
    '<think>a</think>\\boxed{1/2}'
    """
    if ("<" not in text and ">" not in text and "/" not in text) or not _has_space(text):
        return text
    for delimiter in "<>/":
        at = text.find(delimiter)
        if at < 0:
            continue
        if text.find(delimiter, at + 1) < 0:  # a single one: no per-character split of the whole text
            text = text[:at].rstrip() + delimiter + text[at + 1 :].lstrip()
            continue
        pieces = text.split(delimiter)
        inner = [piece.strip() for piece in pieces[1:-1]]
        text = delimiter.join([pieces[0].rstrip(), *inner, pieces[-1].lstrip()])
    return text


def _has_space(text: str) -> bool:
    """Whether ``text`` has a whitespace character (an ASCII text is checked by ``in``, at memory speed)."""
    if text.isascii():
        return any(space in text for space in _ASCII_SPACES)
    parts = text.split(maxsplit=1)
    return len(parts) != 1 or parts[0] != text


def format_ok(text: str) -> bool:
    r"""``re.fullmatch(r"<think>.*</think>.*\\boxed\{.*\}.*", text, re.DOTALL)`` as a linear scan.

    The pattern matches iff the text starts with ``<think>`` and, after it, has ``</think>``, then
    ``\boxed{``, then ``}``, in that order; the earliest occurrence of each is the best choice.

    >>> format_ok("<think>a</think> \\boxed{1}"), format_ok("<think>a \\boxed{1}</think>")
    (True, False)
    """
    # "/" and "\\" are looked up first: a one-character search runs at memory speed, a longer one
    # can be ten times slower on long runs of a repeated character.
    if not text.startswith("<think>") or "/" not in text or "\\" not in text:
        return False
    close = text.find("</think>", len("<think>"))
    box = text.find(_BOX, close + len("</think>")) if close >= 0 else -1
    return box >= 0 and text.find("}", box + len(_BOX)) >= 0


def last_boxed(text: str) -> str | None:
    r"""mathruler's ``extract_boxed_content``, stripped; ``None`` where it returns ``"None"`` (unclosed).

    >>> last_boxed("\\boxed{2} then \\boxed{\\frac{1}{2} } and }"), last_boxed("\\boxed{1 \\boxed{2")
    ('\\frac{1}{2}', None)
    """
    start = text.rfind(_BOX)
    if start < 0:
        return None
    pos = start + len(_BOX)
    depth = 0
    while True:
        close = text.find("}", pos)
        if close < 0:
            return None
        depth += text.count("{", pos, close) - 1
        if depth < 0:
            return text[start + len(_BOX) : close].strip()
        pos = close + 1


def graded(answer: str, ground_truth: str) -> tuple[bool, str]:
    """``(grade_answer(answer, ground_truth), "")``, or ``(False, why)`` where grading is not bounded.

    Not graded: an answer over ``MAX_GRADED_CHARS`` characters, and one whose comparison would make
    sympy evaluate an expression over ``grade_budget``'s budget (``9**9**9`` against ``1.5``).
    """
    if len(answer) > MAX_GRADED_CHARS:
        return False, f"not graded: a box of {len(answer):,} characters (over {MAX_GRADED_CHARS:,})"
    why = sympy_budget(answer, ground_truth)
    return (False, why) if why else (_grade(answer, ground_truth), "")


@lru_cache(maxsize=4096)
def _grade(answer: str, ground_truth: str) -> bool:
    """mathruler's verdict, memoised (the rollouts of a GRPO group repeat answers); never raises."""
    try:
        return bool(grade_answer(answer, ground_truth))
    except Exception:
        return False


def paper_score(text: str, ground_truth: str | None) -> tuple[float, float, str, str]:
    r"""``(accuracy, format, boxed answer, why not graded)`` as the authors' reward computes them.

    No label: accuracy 0. ``why not graded`` is ``""`` unless the bound of :func:`graded` was hit.

    >>> paper_score("<think>x</think> \\boxed{Response 1}", "1")[:2], paper_score("\\boxed{2} \\boxed{1}", "1")[:2]
    ((0.0, 1.0), (1.0, 0.0))
    >>> paper_score("<think>x</think> \\boxed{9**9**9}", "1.5")[3]
    "not graded: sympy would evaluate '(1.5)-(9**9**9)', a number of about 774,840,978 digits (over 10,000)"
    """
    text = squeeze_delimiters(text)
    answer = last_boxed(text)
    acc, why = (False, "") if ground_truth is None else graded("None" if answer is None else answer, ground_truth)
    return float(acc), float(format_ok(text)), answer or "", why
