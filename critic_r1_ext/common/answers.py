"""Final answers of policy outputs, normalised so that equivalent answers compare equal.

Used to merge Best-of-N candidates before judging, for majority vote, and to grade against a
reference answer (one normaliser for all three, so they agree). The final answer is the content
of the last ``\\boxed{}`` after the thinking part. Normalisation, in order:

* LaTeX noise goes: ``$`` (and ``\\$``), currency signs, ``\\(``/``\\)``/``\\[``/``\\]``,
  ``\\left``/``\\right``, spacing commands, ``\\displaystyle``, degree and percent signs; text
  wrappers (``\\text{..}``, ``\\mathrm{..}`` ...) keep only their content; ``\\frac{a}{b}``
  (``\\dfrac``, ``\\tfrac``) becomes ``a/b``;
* multiple choice: "A", "(A)", "A.", "A) 12 cm", "Option A", "Answer: (a)" all become ``"a"``;
* a leading variable assignment goes ("x = 5" -> "5");
* numbers: thousands separators dropped (``1,000``, ``1{,}000``, ``1\\,000``, ``1 000``), the Unicode
  minus read as ``-``, canonical value ("5.0", "5" -> "5"; "1/2", "0.5" -> "0.5");
* lower case, all whitespace and a trailing period removed.

An empty result is ``None`` (no answer).
"""

from __future__ import annotations

import re

from critic_r1_ext.verdict import answer_part, boxed_spans

_NOISE = re.compile(
    r"\\?\$|[€£¥]|\\[()\[\]]|\\left\b|\\right\b|\\displaystyle\b|\\[,;:! ]|~|\^\s*\{?\\circ\}?|\\circ\b|°|\\%|%"
)
_WRAPPER = re.compile(r"\\(?:text|textbf|textit|texttt|textrm|mathrm|mathbf|mathit|operatorname|mbox|boxed)\s*\{")
_FRAC = re.compile(r"\{([^{}]*)\}\{([^{}]*)\}")
_CHOICE_PREFIX = re.compile(r"^(?:the\s+)?(?:correct\s+)?(?:answer|option|choice)\b\s*(?:is\b)?\s*:?\s*", re.IGNORECASE)
_CHOICE = re.compile(r"^\(([A-Za-z])\)|^([A-Za-z])(?:[.:)]|$)")
_ASSIGNMENT = re.compile(r"^[a-z]\s*=\s*(?=\S)")
_LATEX_THOUSANDS = re.compile(r"(?<=\d)\{,\}(?=\d{3})")  # 1{,}000
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$")
_FRACTION_NUMBER = re.compile(r"^([-+]?\d+(?:\.\d+)?)/([-+]?\d+(?:\.\d+)?)$")


def final_answer(text: str) -> str | None:
    """The normalised content of the last ``\\boxed{}`` in the answer part of ``text``; ``None`` when absent."""
    boxes = boxed_spans(answer_part(text))
    return normalize_answer(boxes[-1]) if boxes else None


def normalize_answer(raw: object) -> str | None:
    """Canonical form of one answer (see the module docstring); ``None`` when nothing is left."""
    if raw is None:
        return None
    text = _LATEX_THOUSANDS.sub("", str(raw)).replace("\u2212", "-")
    text = _unwrap(_NOISE.sub(" ", re.sub(r"\\[dt]frac", r"\\frac", text)))
    text = _CHOICE_PREFIX.sub("", text.strip())
    choice = _CHOICE.match(text)
    if choice:
        return (choice.group(1) or choice.group(2)).lower()
    text = _ASSIGNMENT.sub("", text.lower().strip())
    text = re.sub(r"\s+", "", _THOUSANDS.sub("", text)).rstrip(".")
    return _canonical_number(text) or text or None


def _unwrap(text: str) -> str:
    """Drop text wrappers (keeping their content) and turn ``\\frac{a}{b}`` into ``a/b``, innermost first."""
    for _ in range(text.count("\\")):
        wrapper = _WRAPPER.search(text)
        if wrapper:
            depth, end = 1, wrapper.end()
            while end < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            closing = end - 1 if depth == 0 else end
            text = text[: wrapper.start()] + text[wrapper.end() : closing] + text[closing + 1 :]
            continue
        frac = text.rfind("\\frac")
        match = _FRAC.match(text, frac + 5) if frac >= 0 else None
        if not match:
            break
        text = f"{text[:frac]}({match.group(1)})/({match.group(2)}){text[match.end() :]}"
    return text.replace("\\frac", "")


def _canonical_number(text: str) -> str | None:
    stripped = text.replace("(", "").replace(")", "")
    fraction = _FRACTION_NUMBER.match(stripped)
    if fraction and float(fraction.group(2)) != 0:
        value = float(fraction.group(1)) / float(fraction.group(2))
    elif _NUMBER.match(stripped):
        value = float(stripped)
    else:
        return None
    value = round(value, 6)
    return str(int(value)) if value.is_integer() else repr(value)
