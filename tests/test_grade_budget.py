"""The grading bound: answers that would make sympy run for minutes are not graded, others as the authors grade."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from authors_reward import authors_score

from critic_r1_ext.grade_budget import MAX_DEGREE, sympy_budget, sympy_expressions
from critic_r1_ext.reward import compute_score

# Each runs mathruler's grade_answer for minutes or more (benchmarks/reward.py --only-fuzz stops them).
UNBOUNDED = {
    "9**9**9": "digits",
    "2**2**30": "digits",
    "10000000!": "factorial",
    "(10**7)!": "factorial",
    "1.5e9999999": "digits",
    "10**(-10**7)": "digits",
    "(x+1)**1000": "degree",
    "(((((((((x+1)**2+1)**2+1)**2+1)**2+1)**2+1)**2+1)**2+1)**2+1)**2": "degree",
    "+".join(f"x**{i}" for i in range(300)): "operations",
    "*".join(f"(x+{i})" for i in range(60)): "operations",
    "(x+1)**13*(x+2)**13": "degree",
    "ff(x, 10**6)": "function",
}


@pytest.mark.parametrize("answer", UNBOUNDED, ids=lambda answer: answer[:24])
@pytest.mark.parametrize("label", ["1.5", "x", "0.5"])
def test_answers_sympy_cannot_finish_are_not_graded_with_the_reason(answer, label):
    result = compute_score("critic", f"<think>x</think> \\boxed{{{answer}}}", label)
    assert result["acc"] == 0.0 and result["format"] == 1.0
    assert result["error"].startswith("not graded: sympy would evaluate") and UNBOUNDED[answer] in result["error"]


def test_integer_labels_never_reach_sympy_with_a_non_integer_answer():
    assert sympy_expressions("9**9**9", "1") == []
    assert compute_score("critic", "<think>x</think> \\boxed{9**9**9}", "1")["error"] == ""


def test_every_element_of_a_tuple_is_checked():
    """mathruler grades tuples element by element, skipping sympy for equal fractions: the budget follows it."""
    assert sympy_expressions("(1/2, 9**9**9)", "(1/2, 1.5)") == ["(1.5)-(9**9**9)"]
    assert compute_score("c", "<think>x</think> \\boxed{(1/2, 9**9**9)}", "(1/2, 1.5)")["error"].startswith(
        "not graded"
    )


def test_mathrulers_own_guard_is_kept():
    """``9^{9^{9^9}}`` never reaches sympy (mathruler refuses ``^{``), so it is graded, as the authors' is."""
    assert sympy_expressions("9^{9^{9^9}}", "1.5") == []
    result = compute_score("critic", "<think>x</think> \\boxed{9^{9^{9^9}}}", "1.5")
    assert result["error"] == "" and result["acc"] == 0.0


def test_the_budget_holds_in_threads_and_event_loops():
    """No signal or clock: the same verdict in a worker thread and in an asyncio loop, as verl may call it."""
    text = "<think>x</think> \\boxed{9**9**9}"
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda _: compute_score("c", text, "1.5")["error"], range(8)))

    async def in_loop():
        return compute_score("c", text, "1.5")["error"]

    assert set(threaded) == {asyncio.run(in_loop())} and threaded[0].startswith("not graded")


BOUNDED = [
    ("3/2", "1.5"),
    ("\\frac{3}{2}", "1.5"),
    ("1.50", "1.5"),
    ("0.5", "\\frac{1}{2}"),
    ("2\\sqrt{2}", "\\sqrt{8}"),
    ("(x+1)(x-1)", "x^2-1"),
    ("(x+1)**2", "x^2+2x+1"),
    (f"(x+1)**{MAX_DEGREE}", "1.5"),
    ("2**10000", "1.5"),
    ("1000!", "0.5"),
    ("\\pi", "3.14"),
    ("(1.5, 2.5)", "(3/2, 5/2)"),
    ("1e40", "1.5"),
]


@pytest.mark.parametrize(("answer", "label"), BOUNDED)
def test_within_the_budget_grading_is_the_authors(answer, label):
    text = f"<think>x</think> \\boxed{{{answer}}}"
    ours = compute_score("critic", text, label)
    assert ours["error"] == "" and sympy_budget(answer, label) == ""
    assert ours["acc"] == authors_score(text, label)["accuracy"]


def _small_expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 2 or rng.random() < 0.35:
        return rng.choice([str(rng.randint(0, 99)), f"{rng.randint(0, 9)}.{rng.randint(0, 9)}", "x", "\\pi"])
    a, b = _small_expression(rng, depth + 1), _small_expression(rng, depth + 1)
    return rng.choice([f"{a}+{b}", f"{a}-{b}", f"({a})({b})", f"\\frac{{{a}}}{{{b}}}", f"({a})^{rng.randint(2, 4)}"])


def test_sixty_small_math_answers_grade_as_the_authors():
    rng = random.Random(7)
    for _ in range(60):
        answer, label = _small_expression(rng), rng.choice(["1.5", "0.5", "x", "x^2+1", "\\frac{1}{3}", "2"])
        text = f"<think>x</think> \\boxed{{{answer}}}"
        ours = compute_score("critic", text, label)
        assert ours["error"] == "", (answer, label)
        assert ours["acc"] == authors_score(text, label)["accuracy"], (answer, label)
