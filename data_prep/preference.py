"""Read a pairwise preference ("1", "2" or "tie") out of a label or a judge's rationale, and split
LLaVA-Critic's judging prompt into its question and two responses.

Labels ("2", "Response B", "second", "tie") go through ``critic_r1_ext.verdict.normalize_verdict``.
Rationales (the GPT-4o judgments of ``llava-critic-113k``) have no fixed verdict format, so only
explicit verdict statements count, and the last one wins: "The better response: [second]",
"Response 1 is better", "[[A>B]]", a ``\\boxed{}`` verdict, or "equally good" for a tie. Anything else
is reported as unparsed, never guessed.
"""

from __future__ import annotations

import re

from critic_r1_ext.verdict import extract_verdict, normalize_verdict

_LETTERS = {"a": "1", "b": "2"}
_CHOICE = r"(first|second|1|2|a|b|one|two)"
_STATEMENTS = [
    re.compile(
        r"better (?:response|answer)\s*(?:is)?\s*:?\s*\[?\s*(?:response|answer)?\s*" + _CHOICE + r"\b", re.IGNORECASE
    ),
    re.compile(
        r"(?:response|answer)\s*" + _CHOICE + r"\s*\]?\s*is\s*(?:clearly\s*|slightly\s*)?(?:better|superior|preferred)",
        re.IGNORECASE,
    ),
    re.compile(
        r"the " + _CHOICE + r" (?:response|answer) is\s*(?:clearly\s*|slightly\s*)?(?:better|superior|preferred)",
        re.IGNORECASE,
    ),
]
_ARENA = re.compile(r"\[\[\s*(A>>B|A>B|A=B|B>A|B>>A)\s*\]\]")
_TIE = re.compile(
    r"\b(?:equally good|equally (?:helpful|accurate)|(?:it is|it's) a tie|both (?:responses|answers) are equally)\b",
    re.IGNORECASE,
)
_ARENA_LABELS = {"A>>B": "1", "A>B": "1", "A=B": "tie", "B>A": "2", "B>>A": "2"}
_SHORT = 40

_FIRST_LABEL = r"(?:The first response|Response 1|Response A|Answer 1|Answer A)"
_SECOND_LABEL = r"(?:The second response|Response 2|Response B|Answer 2|Answer B)"
_JUDGE_PROMPT = re.compile(
    r"Question:\s*\[(?P<question>.*?)\]\s*"
    + _FIRST_LABEL
    + r"\s*:\s*\[(?P<first>.*?)\]\s*"
    + _SECOND_LABEL
    + r"\s*:\s*\[(?P<second>.*)\]",
    re.DOTALL,
)


def label_verdict(raw: object) -> str | None:
    """A short label as "1", "2", "tie", or ``None`` when it names neither response."""
    verdict = normalize_verdict(raw)
    verdict = _LETTERS.get(verdict, verdict)
    return verdict if verdict in ("1", "2", "tie") else None


def preference(text: object) -> str | None:
    """The preference stated in a label or a rationale; ``None`` when none is stated explicitly."""
    if text is None:
        return None
    text = str(text)
    if len(text.strip()) <= _SHORT:
        return label_verdict(text)
    found: list[tuple[int, str]] = []
    for pattern in _STATEMENTS:
        found += [(m.start(), label_verdict(m.group(1))) for m in pattern.finditer(text)]
    found += [(m.start(), _ARENA_LABELS[m.group(1)]) for m in _ARENA.finditer(text)]
    found += [(m.start(), "tie") for m in _TIE.finditer(text)]
    boxed, _ = extract_verdict(text)
    if label_verdict(boxed) is not None:
        found.append((text.rfind("\\boxed"), label_verdict(boxed)))
    found = [item for item in found if item[1] is not None]
    return max(found)[1] if found else None


def split_judge_prompt(text: str) -> tuple[str, str, str] | None:
    """``(question, first response, second response)`` from a LLaVA-Critic pairwise judging prompt.

    The prompt lists ``Question: [...]``, ``The first response: [...]`` and ``The second response: [...]``
    (or "Response 1/2", "Response A/B", "Answer 1/2"); ``None`` when it does not have that shape.
    """
    match = _JUDGE_PROMPT.search(text or "")
    if not match:
        return None
    return match.group("question").strip(), match.group("first").strip(), match.group("second").strip()


def conversation_turns(conversation) -> tuple[str, str] | None:
    """``(judging prompt, judgment)``: the first human turn and the last model turn of a LLaVA conversation."""
    if not isinstance(conversation, (list, tuple)):
        return None
    turns = [t for t in conversation if isinstance(t, dict)]
    human = [t.get("value") for t in turns if t.get("from") in ("human", "user")]
    model = [t.get("value") for t in turns if t.get("from") in ("gpt", "assistant")]
    if not human or not model or not isinstance(human[0], str) or not isinstance(model[-1], str):
        return None
    return human[0], model[-1]
