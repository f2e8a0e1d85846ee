"""Read a critic verdict out of model text: the last balanced ``\\boxed{}`` and its normalised form.

Everything here runs in time linear in the input length (C-level regex scans whose quantifiers are
bounded or unambiguous, plus one stack pass over brace tokens), so adversarial model outputs cannot
stall a reward worker; inputs with no closed box or no closing think tag take a single C-level pass.

A normalised verdict is one of:
  * ``"1"`` / ``"2"``: a pairwise choice ("2", "Response 2", "\\text{Answer 2}", "[[2]]", "second" ...);
  * ``"tie"``: the two responses are judged equally good;
  * a canonical number for score labels ("7", "7.0", "7/10" -> "7");
  * any other short answer, lower-cased with wrappers stripped (compared as text);
  * ``None``: no verdict, an empty box, or a hedge (it names both responses / several numbers).
"""

from __future__ import annotations

import re

# One token per brace event. ``\boxed`` may be followed by spaces before its brace; escaped
# braces ``\{`` ``\}`` are literal text and do not count.
_BRACE_TOKENS = re.compile(r"\\boxed\s*\{|\\[{}]|[{}]")
_LATEX_WRAPPERS = re.compile(r"\\(?:boxed|text|textbf|textit|texttt|textrm|mathrm|mathbf|mathit|mbox|fbox)\b")
_PUNCT = re.compile(r"[\[\]{}()<>$*\"'`,;:!?#=|~\\]+|\.(?!\d)|(?<!\d)\.")
_FRACTION = re.compile(r"^(-?\d+(?:\.\d+)?)\s*/\s*(?:10|100|5)$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Think tags may carry a few stray spaces ("< think >", "</ think>"), as the paper's reward tolerates.
THINK_TAG = re.compile(r"<\s{0,8}(/\s{0,8})?think\s{0,8}>")
# The closing tag spelled backwards: searching the reversed text finds the last one in one pass.
_CLOSE_TAG_REVERSED = re.compile(r">\s{0,8}kniht\s{0,8}/\s{0,8}<")

_FILLER = frozenset(
    "response responses answer answers option candidate output assistant choice the is are was "
    "better best preferred winner final verdict score rating number no my a an one's".split()
)
_WORD_NUMBERS = {"one": "1", "first": "1", "two": "2", "second": "2"}
_TIE_WORDS = frozenset("tie tied equal equally same identical draw".split())


def boxed_spans(text: str) -> list[str]:
    r"""Contents of every top-level, balanced ``\boxed{...}`` in order; unclosed boxes are ignored.

    >>> boxed_spans(r"\boxed{\frac{1}{2}} then \boxed{2} and \boxed{open")
    ['\\frac{1}{2}', '2']
    """
    first = text.find("\\boxed")
    if first < 0 or text.find("}", first) < 0:
        return []
    # Braces before the first box cannot change how any box closes, so the scan starts there.
    stack: list[tuple[bool, int]] = []  # (opens a box?, content start)
    open_boxes = 0
    found: list[str] = []
    for match in _BRACE_TOKENS.finditer(text, first):
        token = match.group()
        if token[0] == "\\" and len(token) == 2:
            continue
        if token == "}":
            if not stack:
                continue
            is_box, start = stack.pop()
            if is_box:
                open_boxes -= 1
                if open_boxes == 0:
                    found.append(text[start : match.start()])
            continue
        is_box = token != "{"
        stack.append((is_box, match.end()))
        open_boxes += is_box
    return found


def normalize_verdict(raw: object) -> str | None:
    r"""Canonical form of a verdict or label (see the module docstring); ``None`` when there is none.

    >>> [normalize_verdict(v) for v in ["Response 2", r"\text{Answer 1}", "[[2]]", "2/10", "1 or 2"]]
    ['2', '1', '2', '2', None]
    """
    if raw is None:
        return None
    text = _LATEX_WRAPPERS.sub(" ", str(raw)).lower()
    fraction = _FRACTION.match(text.strip().strip("$ "))
    if fraction:
        text = fraction.group(1)
    tokens = [_WORD_NUMBERS.get(t, t) for t in _PUNCT.sub(" ", text).split() if t not in _FILLER]
    if any(t in _TIE_WORDS for t in tokens):
        return "tie"
    numbers = {_canonical_number(t) for t in tokens if _NUMBER.match(t)}
    if len(numbers) > 1:
        return None
    if numbers:
        return numbers.pop()
    words = [t for t in tokens if t not in ("and", "or", "both", "either", "neither")]
    if not words or len(words) != len(tokens):
        return None
    return " ".join(words)


def _canonical_number(token: str) -> str:
    value = float(token)
    return str(int(value)) if value.is_integer() else repr(value)


def answer_part(text: str) -> str:
    """The text after the last closing think tag, or all of it when there is none."""
    if "/" not in text or "think" not in text:
        return text
    last = _CLOSE_TAG_REVERSED.search(text[::-1])
    return text[len(text) - last.start() :] if last else text


def extract_verdict(text: str) -> tuple[str | None, str]:
    r"""The normalised verdict of a model output and the raw text of its deciding box.

    Only the answer part counts: text after the last ``</think>`` when there is one. The verdict is
    the last box's; if the boxes there disagree (a hedge), the verdict is ``None``.

    >>> extract_verdict(r"<think>maybe \boxed{1}</think> Response 2 is better: \boxed{2}")
    ('2', '2')
    >>> extract_verdict(r"\boxed{1} or rather \boxed{2}")
    (None, '2')
    """
    boxes = boxed_spans(answer_part(text))
    if not boxes:
        return None, ""
    last = boxes[-1]
    verdict = normalize_verdict(last)
    if any(normalize_verdict(box) != verdict for box in set(boxes)):
        return None, last
    return verdict, last
