"""Verdict reading: balanced ``\\boxed{}`` spans, normalisation, letters, negations, invisible marks, non-str input."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critic_r1_ext.verdict import MAX_VERDICT_CHARS, boxed_spans, extract_verdict, normalize_verdict
from data_prep.preference import label_verdict, preference


def test_boxed_spans_handles_nesting_and_escapes():
    assert boxed_spans("\\boxed{\\frac{1}{2}} and \\boxed {x\\}y}") == ["\\frac{1}{2}", "x\\}y"]
    assert boxed_spans("} { \\boxed{a} }") == ["a"]
    assert boxed_spans("\\boxed{\\boxed{1}}") == ["\\boxed{1}"]
    assert extract_verdict("\\boxed{\\boxed{1}}")[0] == "1"


def stack_spans(text: str) -> list[str]:
    """Reference: one stack pass over brace tokens (a box opener, an escaped brace, a plain brace)."""
    stack, found, open_boxes = [], [], 0
    for match in re.finditer(r"\\boxed\s*\{|\\[{}]|[{}]", text):
        token = match.group()
        if token in ("\\{", "\\}"):
            continue
        if token != "}":
            stack.append((token != "{", match.end()))
            open_boxes += token != "{"
        elif stack:
            is_box, start = stack.pop()
            open_boxes -= is_box
            if is_box and open_boxes == 0:
                found.append(text[start : match.start()])
    return found


_FRAGMENT = st.sampled_from(["\\boxed{", "\\boxed {", "\\boxed", "{", "}", "\\", "\\{", "\\}", "a", " ", "1"])
# Runs of up to 150 copies reach the depth-skipping path (more than 64 closing braces at once).
_BRACES = st.lists(st.tuples(_FRAGMENT, st.integers(1, 150)).map(lambda t: t[0] * t[1]), max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_BRACES)
def test_boxed_spans_match_a_stack_pass(text):
    assert boxed_spans(text) == stack_spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "\\boxed{" * 300 + "}" * 300,
        "\\boxed{" + "{}" * 200 + "x}",
        "\\boxed{" + "{" * 100 + "}" * 99 + "\\}}" + "}",
        "\\boxed{a}" * 100 + "\\boxed{" + "{" * 150 + "}" * 151,
        "\\boxed{" + "{x}" * 70 + "}" * 80,
    ],
    ids=["nested-boxes", "pairs", "escaped-close", "many-then-deep", "unbalanced"],
)
def test_boxed_spans_match_a_stack_pass_on_deep_nesting(text):
    assert boxed_spans(text) == stack_spans(text)


def test_overlong_boxes_are_no_verdict():
    assert normalize_verdict("Response 2" + " " * (MAX_VERDICT_CHARS - 10)) == "2"
    assert normalize_verdict("Response 2" + " " * (MAX_VERDICT_CHARS - 9)) is None
    long_box = "\\boxed{Response 2, " + "because " * MAX_VERDICT_CHARS + "}"
    assert extract_verdict(long_box)[0] is None
    assert extract_verdict(long_box + " so \\boxed{2}")[0] is None  # the long box has no verdict: a hedge
    assert extract_verdict("\\boxed{2} so \\boxed{" + "x" * MAX_VERDICT_CHARS)[0] == "2"  # unclosed: ignored
    assert extract_verdict("\\boxed{" + "x" * MAX_VERDICT_CHARS + " \\boxed{2}")[0] is None  # 2 is inside it


@settings(max_examples=300, deadline=None)
@given(box=st.text(max_size=60))
def test_normalisation_is_idempotent(box):
    once = normalize_verdict(box)
    assert once is None or normalize_verdict(once) == once


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("A", "B"),
        ("Response A", "Response B"),
        ("[A]", "[B]"),
        ("Answer A is better", "Answer B is better"),
        ("(A)", "(B)"),
        ("\\text{Response A}", "\\text{Response B}"),
        ("response a", "response b"),
        ("a", "b"),
        ("Assistant A", "Assistant B"),
        ("Response A is a better answer", "Response B is a better answer"),
    ],
)
def test_letter_verdicts_mean_1_and_2(first, second):
    assert (normalize_verdict(first), normalize_verdict(second)) == ("1", "2")
    assert extract_verdict(f"<think>x</think> \\boxed{{{first}}}")[0] == "1"
    assert extract_verdict(f"<think>x</think> \\boxed{{{second}}}")[0] == "2"
    assert (label_verdict(first), label_verdict(second)) == ("1", "2")


@pytest.mark.parametrize(
    ("text", "verdict"), [("[[A>B]]", "1"), ("[[B>>A]]", "2"), ("A=B", "tie"), ("My verdict: [[B>A]]", "2")]
)
def test_arena_comparisons(text, verdict):
    assert normalize_verdict(text) == verdict


def test_an_article_is_not_a_letter_verdict():
    assert normalize_verdict("Response 2 is a better answer") == "2"
    assert normalize_verdict("B is a clear winner") == "2"
    assert normalize_verdict("A or B") is None


@pytest.mark.parametrize(
    "text",
    [
        "not 1",
        "Not Response 1",
        "Response 1 is worse",
        "1 is not better",
        "Response 1 isn\u2019t better",
        "Response A is inferior",
        "Response 1 is wrong",
        "not B",
        "never 2",
        "1 is the worst",
    ],
)
def test_negations_are_no_vote(text):
    assert normalize_verdict(text) is None
    assert extract_verdict(f"<think>x</think> \\boxed{{{text}}}")[0] is None


def test_positive_statements_still_count():
    assert normalize_verdict("Response 2 is better") == "2"
    assert normalize_verdict("Response 1 is the best") == "1"
    assert preference("After weighing both, Response 2 is better. \\boxed{2}") == "2"


@pytest.mark.parametrize(
    "mark",
    [
        "\x00",
        "\x07",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\u2060",
        "\ufeff",
        "\u00ad",
    ],
)
def test_nul_and_invisible_marks_are_ignored(mark):
    assert normalize_verdict(f"{mark}2{mark}") == "2"
    assert normalize_verdict(f"Response{mark} 1") == "1"
    assert extract_verdict(f"\\boxed{{{mark}2}}")[0] == "2"
    assert normalize_verdict(f"Response 1 is{mark} not better") is None


def test_bytes_are_decoded_never_str_of_bytes():
    assert normalize_verdict(b"Response 2") == "2"
    assert normalize_verdict(bytearray(b"tie")) == "tie"
    assert normalize_verdict(b"Response 2\xff") == "2"
    assert extract_verdict(b"<think>x</think> \\boxed{1}") == ("1", "1")
    assert label_verdict(b"A") == "1"


def test_numbers_are_written_out_and_other_objects_are_no_verdict():
    assert normalize_verdict(2) == "2" and normalize_verdict(7.0) == "7" and normalize_verdict(np.int64(1)) == "1"
    assert normalize_verdict(None) is None
    assert normalize_verdict(["2"]) is None and normalize_verdict({"label": 2}) is None
    assert extract_verdict(None) == (None, "") and extract_verdict(3) == (None, "")
