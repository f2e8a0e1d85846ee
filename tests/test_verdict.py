"""Verdict reading: balanced ``\\boxed{}`` spans and verdict normalisation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from critic_r1_ext.verdict import boxed_spans, extract_verdict, normalize_verdict


def test_boxed_spans_handles_nesting_and_escapes():
    assert boxed_spans("\\boxed{\\frac{1}{2}} and \\boxed {x\\}y}") == ["\\frac{1}{2}", "x\\}y"]
    assert boxed_spans("} { \\boxed{a} }") == ["a"]
    assert boxed_spans("\\boxed{\\boxed{1}}") == ["\\boxed{1}"]
    assert extract_verdict("\\boxed{\\boxed{1}}")[0] == "1"


@settings(max_examples=300, deadline=None)
@given(box=st.text(max_size=60))
def test_normalisation_is_idempotent(box):
    once = normalize_verdict(box)
    assert once is None or normalize_verdict(once) == once
