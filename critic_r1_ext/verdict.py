"""Read a critic verdict out of model text: the last balanced ``\\boxed{}`` and its normalised form.

Everything here runs in time linear in the input length (C-level regex scans whose quantifiers are
bounded or unambiguous, and brace matching by ``str.find``/``str.count`` over disjoint windows), so
adversarial model outputs cannot stall a reward worker. A box longer than ``MAX_VERDICT_CHARS`` is no
verdict: a verdict is a short phrase, and normalising a long text costs time for nothing.

A normalised verdict is one of:
  * ``"1"`` / ``"2"``: a pairwise choice ("2", "Response 2", "\\text{Answer 2}", "[[2]]", "second" ...),
    letters included: "A", "Response A", "[A]", "Answer A is better" mean ``"1"`` as the B forms mean
    ``"2"`` (a lower-case "a" counts only after a word such as "Response", or alone: else it is the article);
  * ``"tie"``: the two responses are judged equally good;
  * a canonical number for score labels ("7", "7.0", "7/10" -> "7");
  * any other short answer, lower-cased with wrappers stripped (compared as text);
  * ``None``: no verdict, an empty box, a hedge (it names both responses / several numbers), or a
    negation ("not 1", "Response 1 is worse", "isn't 2"): the other response is not inferred, since
    "not worse", "neither" and score labels make that ambiguous.

NUL and other control characters, zero-width and bidi marks are dropped before reading; bytes are
decoded as UTF-8 (invalid sequences become U+FFFD), never ``str(bytes)``.
"""

from __future__ import annotations

import numbers
import re
from functools import lru_cache

import numpy as np

MAX_VERDICT_CHARS = 512
_NUMPY_WINDOW = 4096
# ``\boxed`` may be followed by spaces before its brace.
_BOX_OPEN = re.compile(r"\\boxed\s*\{")
_LATEX_WRAPPERS = re.compile(r"\\(?:boxed|text|textbf|textit|texttt|textrm|mathrm|mathbf|mathit|mbox|fbox)\b")
# Punctuation, and U+FFFD (an undecodable byte): word separators.
_PUNCT = re.compile(r"[\[\]{}()<>$*\"'`,;:!?#=|~\\\ufffd]+|\.(?!\d)|(?<!\d)\.")
_FRACTION = re.compile(r"^(-?\d+(?:\.\d+)?)\s*/\s*(?:10|100|5)$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Think tags may carry a few stray spaces ("< think >", "</ think>"), as the paper's reward tolerates.
THINK_TAG = re.compile(r"<\s{0,8}(/\s{0,8})?think\s{0,8}>")
# The closing tag spelled backwards: searching the reversed text finds the last one in one pass.
_CLOSE_TAG_REVERSED = re.compile(r">\s{0,8}kniht\s{0,8}/\s{0,8}<")

# Control characters other than whitespace, soft hyphen, zero-width and bidi marks: invisible, so ignored.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)
# A word that negates or speaks against the response it names: such a box is no vote.
_NEGATION = re.compile(
    r"\b(?:not|never|cannot|worse|worst|inferior|incorrect|wrong|weaker|loses|lose|loser)\b|n['\u2019]t\b"
)
# An arena-style comparison of the letters ("A>B", "B>>A", "A=B"): the winner, or a tie.
_ARENA = re.compile(r"(?<![A-Za-z])([AB])\s*(>>?|<<?|=)\s*([AB])(?![A-Za-z])")
# Words after which a letter names a response ("Response A", "Assistant B").
_RESPONSE_NOUNS = frozenset("response answer option candidate output assistant choice model".split())
_LETTERS = {"a": "1", "b": "2"}
_FILLER = frozenset(
    "response responses answer answers option candidate output assistant choice the is are was "
    "better best preferred winner final verdict score rating number no my a an one's".split()
)
_WORD_NUMBERS = {"one": "1", "first": "1", "two": "2", "second": "2"}
_TIE_WORDS = frozenset("tie tied equal equally same identical draw".split())


def boxed_spans(text: str) -> list[str]:
    r"""Contents of every top-level, balanced ``\boxed{...}`` in order; unclosed boxes are ignored.

    Escaped braces ``\{`` ``\}`` do not count; braces outside boxes cannot change where a box closes.

    >>> boxed_spans(r"\boxed{\frac{1}{2}} then \boxed{2} and \boxed{open")
    ['\\frac{1}{2}', '2']
    """
    first = text.find("\\boxed")
    if first < 0 or text.find("}", first) < 0:
        return []
    found: list[str] = []
    pos = first
    while (opener := _BOX_OPEN.search(text, pos)) is not None:
        close = _closing_brace(text, opener.end())
        if close < 0:
            break  # an unclosed box holds the rest of the text, so no later box is top-level
        found.append(text[opener.end() : close])
        pos = close + 1
    return found


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` that closes a brace opened just before ``start``, or -1.

    At depth ``d`` the next ``d + 1`` closing braces cannot close the group, so they are skipped at once
    and the opening braces among them counted: whole runs of nesting cost a few C-level scans.
    """
    pos, depth = start, 0
    while True:
        close = _nth_close(text, pos, depth + 1)
        if close < 0:
            return -1
        opens = _unescaped(text, "{", pos, close)
        if opens == 0:
            return close
        depth, pos = opens - 1, close + 1


def _nth_close(text: str, pos: int, k: int) -> int:
    """Index of the ``k``-th unescaped ``}`` at or after ``pos`` (``pos`` >= 1), or -1."""
    while k > 64:  # a window of k characters holds at most k closing braces
        stop = pos + k
        if stop > len(text):
            return -1
        k -= _unescaped(text, "}", pos, stop)
        pos = stop
    close = pos - 1
    for _ in range(k):
        close = text.find("}", close + 1)
        while close > 0 and text[close - 1] == "\\":
            close = text.find("}", close + 1)
        if close < 0:
            return -1
    return close


def _unescaped(text: str, brace: str, start: int, stop: int) -> int:
    """Braces in ``text[start:stop]`` not preceded by a backslash (``start`` >= 1).

    Long windows are counted on their UTF-8 bytes with numpy (braces and backslashes are single
    bytes there): ``str.count`` of the two-character escape is several times slower on brace-heavy text.
    """
    if stop - start < _NUMPY_WINDOW:
        return text.count(brace, start, stop) - text.count("\\" + brace, start - 1, stop)
    codes = np.frombuffer(text[start - 1 : stop].encode("utf-8", "surrogatepass"), dtype=np.uint8)
    braces = codes[1:] == ord(brace)
    return int(np.count_nonzero(braces) - np.count_nonzero(braces & (codes[:-1] == ord("\\"))))


def as_text(value: object) -> str | None:
    """A model output or label as text: str as is, bytes decoded as UTF-8, numbers written out; else None.

    >>> as_text("Response 2".encode() + bytes([255])), as_text(7), as_text(None)
    ('Response 2\ufffd', '7', None)
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, numbers.Number):
        return str(value)
    return None


def normalize_verdict(raw: object) -> str | None:
    r"""Canonical form of a verdict or label (see the module docstring); ``None`` when there is none.

    >>> [normalize_verdict(v) for v in ["Response 2", r"\text{Answer 1}", "[[2]]", "2/10", "1 or 2"]]
    ['2', '1', '2', '2', None]
    >>> [normalize_verdict(v) for v in ["A", "Response B", "[A]", "Answer A is better", "not 1", "2\x00\u200f"]]
    ['1', '2', '1', '1', None, '2']
    """
    text = as_text(raw)
    if text is None or len(text) > MAX_VERDICT_CHARS:
        return None
    return _normalize_text(text)


@lru_cache(maxsize=8192)
def _normalize_text(text: str) -> str | None:
    """``normalize_verdict`` of a short text, memoised (the rollouts of a GRPO group repeat verdicts)."""
    text = _LATEX_WRAPPERS.sub(" ", _INVISIBLE.sub("", text))
    if _NEGATION.search(text.lower()):
        return None
    arena = _ARENA.search(text)
    if arena and arena.group(1) != arena.group(3):
        left, op, right = arena.groups()
        return "tie" if op == "=" else _LETTERS[(left if op[0] == ">" else right).lower()]
    fraction = _FRACTION.match(text.strip().strip("$ "))
    if fraction:
        text = fraction.group(1)
    tokens = _choices(_PUNCT.sub(" ", text).split())
    if any(t in _TIE_WORDS for t in tokens):
        return "tie"
    found = {_canonical_number(t) for t in tokens if _NUMBER.match(t)}
    if len(found) > 1:
        return None
    if found:
        return found.pop()
    words = [t for t in tokens if t not in ("and", "or", "both", "either", "neither")]
    if not words or len(words) != len(tokens):
        return None
    return " ".join(words)


def _choices(raw_tokens: list[str]) -> list[str]:
    """Lower-cased tokens without filler; "first", "two", "B" ... become "1"/"2".

    "a" names response 1 when written "A", after a response noun, or alone; otherwise it is the article.
    """
    lowered = [t.lower() for t in raw_tokens]
    alone = [t for t in lowered if t not in _FILLER] == [] and "a" in lowered
    tokens = []
    for i, (raw, token) in enumerate(zip(raw_tokens, lowered, strict=True)):
        named = token == "b" or raw == "A" or alone or (i > 0 and lowered[i - 1] in _RESPONSE_NOUNS)
        if token in _LETTERS and named:
            tokens.append(_LETTERS[token])
        elif token not in _FILLER:
            tokens.append(_WORD_NUMBERS.get(token, token))
    return tokens


def _canonical_number(token: str) -> str:
    value = float(token)
    return str(int(value)) if value.is_integer() else repr(value)


def answer_part(text: str) -> str:
    """The text after the last closing think tag, or all of it when there is none."""
    if "/" not in text or "think" not in text:
        return text
    last = _CLOSE_TAG_REVERSED.search(text[::-1])
    return text[len(text) - last.start() :] if last else text


def extract_verdict(text: object) -> tuple[str | None, str]:
    r"""The normalised verdict of a model output and the raw text of its deciding box.

    Only the answer part counts: text after the last ``</think>`` when there is one. The verdict is
    the last box's; if the boxes there disagree (a hedge), the verdict is ``None``. Bytes are decoded;
    other non-str input has no verdict.

    >>> extract_verdict(r"<think>maybe \boxed{1}</think> Response 2 is better: \boxed{2}")
    ('2', '2')
    >>> extract_verdict(r"\boxed{1} or rather \boxed{2}")
    (None, '2')
    """
    text = as_text(text)
    answer = answer_part(text) if text is not None else ""
    first = _BOX_OPEN.search(answer)
    if first is None or _closing_brace(answer[: first.end() + MAX_VERDICT_CHARS + 1], first.end()) < 0:
        return None, ""  # the first box is unclosed (no box counts) or too long (no verdict): no need to read on
    boxes = boxed_spans(answer)
    last = boxes[-1]
    if any(len(box) > MAX_VERDICT_CHARS for box in boxes):
        return None, last  # an overlong box is no verdict, so the boxes disagree
    verdict = normalize_verdict(last)
    if any(normalize_verdict(box) != verdict for box in set(boxes)):
        return None, last
    return verdict, last
