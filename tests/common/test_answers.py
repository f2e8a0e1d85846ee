"""Final-answer extraction and normalisation used to merge candidates and grade them."""

from __future__ import annotations

import pytest

from critic_r1_ext.common.answers import final_answer, normalize_answer


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("A", "(a)"),
        ("(B) 3 cm", "B."),
        ("Option C", "The answer is (C)"),
        ("x = 5", "5.0"),
        ("1,234", "1234"),
        ("\\frac{1}{2}", "0.5"),
        ("\\dfrac{3}{4}", "0.75"),
        ("\\text{ Red Car }", "red car"),
        ("50\\%", "50"),
        ("30^\\circ", "30"),
        ("$\\sqrt{2}$", "\\sqrt{2}"),
    ],
)
def test_equivalent_answers_normalise_equal(left, right):
    assert normalize_answer(left) == normalize_answer(right) is not None


@pytest.mark.parametrize(("left", "right"), [("A", "B"), ("5", "50"), ("A triangle", "A"), ("1/3", "0.33")])
def test_different_answers_stay_different(left, right):
    assert normalize_answer(left) != normalize_answer(right)


def test_final_answer_reads_the_last_box_after_thinking():
    assert final_answer("<think>maybe \\boxed{2}</think> so \\boxed{\\text{(A)}}") == "a"
    assert final_answer("<think>\\boxed{7}</think> no box here") is None
    assert final_answer("no box") is None
    assert final_answer("\\boxed{}") is None
    assert normalize_answer(None) is None and normalize_answer(7) == "7"
