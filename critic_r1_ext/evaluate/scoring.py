"""Score one model output against one item: the last ``\\boxed{}``, matched the benchmark's way.

The extracted answer is the content of the last balanced ``\\boxed{}`` after the thinking part
(``verdict.boxed_spans`` on ``verdict.answer_part``); no box means no answer, which is wrong.
Matching (``correct``), by the item's kind:

* ``choice``: the box names an option by its letter ("B", "(B)", "B. 12 cm", "Option B") or by
  the option's text (normalised); naming another or several options is wrong. Items whose answer
  is several letters need exactly that set.
* ``number``: the box's value (fractions, ``\\frac``, thousands separators, "x = ", a trailing unit
  understood) equals the reference, both rounded to the item's precision (decimals) when it has
  one; a box that is not a number falls back to text matching.
* ``text``: normalised equality (``answers.normalize_answer``) with the reference or an alternative.

``lenient`` is the ThinkLite-VL scorers' rule (the closest public reference for the paper's own
unreleased scorers): the reference letter, option text or answer appears as a substring of the box's
content. It accepts hedges such as ``\\boxed{A, B, C, D}`` and is reported beside ``correct`` only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from critic_r1_ext.common.answers import normalize_answer as _normalize_answer
from critic_r1_ext.evaluate.benchmarks.base import LETTERS
from critic_r1_ext.verdict import answer_part, boxed_spans

_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@lru_cache(maxsize=1 << 16)  # references (answers, option texts) and short boxes repeat across items
def normalize_answer(raw: str | None) -> str | None:
    """``answers.normalize_answer``, with fast paths for a bare letter or plain number (the common boxes)."""
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and len(text) == 1 and text.isalpha():
        return text.lower()
    if isinstance(text, str) and _PLAIN_NUMBER.fullmatch(text):
        value = round(float(text), 6)
        return str(int(value)) if value.is_integer() else repr(value)
    return _normalize_answer(raw)


_LEADING_NUMBER = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+))([a-z°%]*\^?\d?)$")
_MANY_LETTERS = re.compile(r"^\(?[A-Z]\)?(?:\s*(?:,|and|&)\s*\(?[A-Z]\)?)+$")


def extract(text: str) -> str | None:
    """The raw content of the last ``\\boxed{}`` after the thinking part, or ``None``."""
    boxes = boxed_spans(answer_part(text))
    return boxes[-1] if boxes else None


def score(reference: dict, text: str) -> dict:
    """``{"extracted", "correct", "lenient"}`` for one output; ``reference`` is ``Item.reference()``."""
    raw = extract(text)
    if raw is None:
        return {"extracted": None, "correct": False, "lenient": False}
    kind = reference["kind"]
    if kind == "choice":
        correct = _choice_correct(reference, raw)
    elif kind == "number":
        correct = _number_correct(reference, raw)
    else:
        correct = _text_correct(reference, raw)
    return {"extracted": raw, "correct": correct, "lenient": _lenient(reference, raw)}


def safe_score(reference: dict, text) -> dict:
    """:func:`score` that never raises: a scorer failure scores the output wrong and says why."""
    try:
        return score(reference, text if isinstance(text, str) else "")
    except Exception as err:  # noqa: BLE001 - a model output must never stop an evaluation
        return {"extracted": None, "correct": False, "lenient": False, "score_error": f"{type(err).__name__}: {err}"}


def _choice_correct(reference: dict, raw: str) -> bool:
    wanted = set(reference["answer"].split(","))
    if len(wanted) > 1:
        return _MANY_LETTERS.match(raw.strip()) is not None and set(re.findall(r"[A-Z]", raw)) == wanted
    return choice_letter(raw, reference["choices"]) in wanted


_LETTER_AND_TEXT = re.compile(r"^\(?([A-Z])\)?[.:)]?\s+(\S.*)$", re.S)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


def choice_letter(raw: str, choices: list[str]) -> str | None:
    """The option letter a box names, by letter, by option text or by both; ``None`` when it names none or
    several, or when its letter and text name different options.

    An option's whole text wins over a leading letter, so options that themselves begin with a capital
    letter and a dot ("A. Brown" as option C) are read as that option."""
    plain = _plain(raw)
    exact = [LETTERS[i] for i, choice in enumerate(choices) if _plain(choice) == plain]
    if len(exact) == 1:
        return exact[0]
    both = _LETTER_AND_TEXT.match(raw.strip())
    if both and LETTERS.index(both.group(1)) < len(choices):
        named = [LETTERS[i] for i, choice in enumerate(choices) if _plain(choice) == _plain(both.group(2))]
        if named:
            return both.group(1) if named == [both.group(1)] else None
    value = normalize_answer(raw)
    if value is None:
        return None
    if len(value) == 1 and value.isalpha():
        letter = value.upper()
        return letter if not choices or LETTERS.index(letter) < len(choices) else None
    matches = [LETTERS[i] for i, choice in enumerate(choices) if normalize_answer(choice) == value]
    return matches[0] if len(matches) == 1 else None


def _number(value: str | None, unit: str | None) -> float | None:
    if value is None:
        return None
    if unit:
        unit_text = normalize_answer(unit) or ""
        if unit_text and value.endswith(unit_text) and value != unit_text:
            value = value[: -len(unit_text)]
    try:
        return float(value)
    except ValueError:
        pass
    match = _LEADING_NUMBER.match(value)
    return float(match.group(1)) if match else None


def _number_correct(reference: dict, raw: str) -> bool:
    got = _number(normalize_answer(raw), reference.get("unit"))
    if got is None:
        return _text_correct(reference, raw)
    precision = reference.get("precision")
    for answer in [reference["answer"], *reference.get("alternatives", [])]:
        want = _number(normalize_answer(answer), None)
        if want is None:
            continue
        if (
            precision is None
            and got == want
            or precision is not None
            and round(got, precision) == round(want, precision)
        ):
            return True
    return False


def _text_correct(reference: dict, raw: str) -> bool:
    value = normalize_answer(raw)
    return value is not None and any(
        value == normalize_answer(a) for a in [reference["answer"], *reference.get("alternatives", [])]
    )


def _lenient(reference: dict, raw: str) -> bool:
    targets = [reference["answer"], *reference.get("alternatives", [])]
    if reference["kind"] == "choice":
        letters = reference["answer"].split(",")
        targets = letters + [
            reference["choices"][LETTERS.index(x)] for x in letters if LETTERS.index(x) < len(reference["choices"])
        ]
    return any(target and target in raw for target in targets)
