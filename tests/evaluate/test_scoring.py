"""Every scorer on right, wrong, unparseable and adversarial outputs (scripted model text)."""

from __future__ import annotations

import pytest

from critic_r1_ext.common.answers import normalize_answer
from critic_r1_ext.evaluate import scoring
from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.scoring import choice_letter, extract, score


def boxed(content: str) -> str:
    return f"<think>Let me look at the figure.</think> The answer is \\boxed{{{content}}}."


@pytest.fixture(scope="module")
def references(benchmark_dirs):
    """{(benchmark, id): Item.reference()} of the fixture rows."""
    return {
        (name, item.id): item.reference()
        for name in ("mmmu", "mathvista", "mathvision", "mathverse", "mmstar")
        for item in items(name, str(benchmark_dirs[name]))[0]
    }


CASES = [
    # benchmark, id, output, correct, lenient
    ("mmmu", "validation_Art_1", boxed("B"), True, True),
    ("mmmu", "validation_Art_1", boxed("Monet"), True, True),  # option text
    ("mmmu", "validation_Art_1", boxed("C"), False, False),
    ("mmmu", "validation_Art_1", "I think it is B.", False, False),  # no box
    ("mmmu", "validation_Art_1", boxed("A, B, C"), False, True),  # hedge: the substring rule accepts it
    ("mmmu", "validation_Math_2", boxed("12.50"), True, True),
    ("mmmu", "validation_Math_2", boxed("\\frac{25}{2}"), True, False),  # the alternative, as a value
    ("mmmu", "validation_Math_2", boxed("12.6"), False, False),
    ("mmmu", "validation_Math_2", boxed("112.5"), False, True),  # contains "12.5"
    ("mathvista", "1", boxed("5 cm"), True, True),  # unit understood
    ("mathvista", "1", boxed("5.4"), False, True),  # integers compare exactly
    ("mathvista", "1", boxed("15"), False, True),
    ("mathvista", "1", "\\boxed{5", False, False),  # unclosed box
    ("mathvista", "2", boxed("(B)"), True, True),
    ("mathvista", "2", boxed("4"), True, True),  # the option's text
    ("mathvista", "2", boxed("B or C"), False, True),
    ("mathvista", "2", "<think>\\boxed{B}</think> so \\boxed{A}", False, False),  # only the answer part counts
    ("mathvista", "3", boxed("0.667"), True, False),  # rounded to the item's two decimals
    ("mathvista", "3", boxed("2/3"), True, False),
    ("mathvista", "3", boxed("0.7"), False, False),
    ("mathvision", "1", boxed("x = 4"), True, True),
    ("mathvision", "1", boxed("14"), False, True),
    ("mathvision", "2", boxed("C. 3"), True, True),
    ("mathvision", "2", boxed("F"), False, False),  # no option F
    ("mathverse", "1", boxed("B: 60°"), True, True),
    ("mathverse", "1", boxed("60^\\circ"), True, False),  # option text, degree sign dropped
    ("mathverse", "1", boxed("A"), False, False),
    ("mathverse", "2", boxed("2\\sqrt{3}"), True, True),
    ("mathverse", "2", boxed("2 \\sqrt{3}"), True, False),
    ("mathverse", "2", boxed("\\sqrt{3}"), False, False),
    ("mathverse", "2", boxed(""), False, False),  # empty box
    ("mmstar", "0", boxed("B"), True, True),
    ("mmstar", "0", boxed("\\text{blue}"), True, True),
    ("mmstar", "0", boxed("ABCD"), False, True),  # every letter at once
    ("mmstar", "0", "", False, False),
]


@pytest.mark.parametrize(("benchmark", "item_id", "output", "correct", "lenient"), CASES)
def test_scorers(references, benchmark, item_id, output, correct, lenient):
    result = score(references[(benchmark, item_id)], output)
    assert (result["correct"], result["lenient"]) == (correct, lenient)


def test_extract_reads_the_last_balanced_box_after_thinking():
    assert extract("<think>\\boxed{1}</think>\\boxed{\\frac{1}{2}} then \\boxed{7}") == "7"
    assert extract("no box here") is None
    assert extract("x" * 100_000 + "\\boxed{" * 1000) is None  # long adversarial input, no closed box


def test_several_letter_answers_need_exactly_that_set():
    reference = {"kind": "choice", "answer": "A,C", "choices": ["p", "q", "r"], "alternatives": []}
    assert score(reference, boxed("A, C"))["correct"] and score(reference, boxed("C and A"))["correct"]
    assert not score(reference, boxed("A, B, C"))["correct"] and not score(reference, boxed("A"))["correct"]


def test_choice_letter_rejects_ambiguous_option_texts():
    assert choice_letter("5", ["5", "5", "6"]) is None
    assert choice_letter("Option b", ["x", "y"]) == "B"


@pytest.mark.parametrize(
    "raw",
    [
        "B",
        "b",
        " C ",
        "x",
        "12.500",
        "-0.50",
        "+3",
        "007",
        "1,5",
        "1,000",
        "12.",
        "1e3",
        "0.1234567",
        "(A)",
        "\\frac{1}{2}",
        "",
        " ",
        None,
    ],
)
def test_fast_normalisation_agrees_with_the_shared_one(raw):
    assert scoring.normalize_answer(raw) == normalize_answer(raw)


def number(answer, precision=None, unit=None, alternatives=()):
    return {"kind": "number", "answer": answer, "choices": [], "precision": precision, "unit": unit} | {
        "alternatives": list(alternatives)
    }


@pytest.mark.parametrize(
    ("reference", "box", "correct"),
    [
        (number("1000"), "1{,}000", True),  # LaTeX thousands separator
        (number("1000"), "1\\,000", True),
        (number("1000"), "1 000", True),
        (number("1000"), "1,000", True),
        (number("1000"), "1,000.00", True),
        (number("1000"), "1,0000", False),
        (number("-5"), "−5", True),  # Unicode minus
        (number("-5"), "\\(-5\\)", True),
        (number("5"), "−5", False),
        (number("12.5", unit="dollars"), "\\$12.50", True),  # money
        (number("12.5"), "12.50 dollars", True),
        (number("12.5"), "€12.5", True),
        (number("3.2", precision=1, unit="km"), "3.2 km", True),  # units
        (number("40", unit="%"), "40\\%", True),
        (number("0.4"), "40\\%", False),
        # MMMU eval_open: the reference is a list mixing numbers and text; any of them matches.
        (number("12.5", 2, alternatives=["twelve and a half"]), "Twelve and a half", True),
        (number("12.5", 2, alternatives=["twelve and a half"]), "12.504", True),
        (number("12.5", 2, alternatives=["twelve and a half"]), "twelve", False),
        ({**number("seven"), "kind": "text", "alternatives": ["7"]}, "7.0", True),
    ],
)
def test_numbers_as_people_and_latex_write_them(reference, box, correct):
    assert score(reference, boxed(box))["correct"] is correct


def choice(answer, choices):
    return {"kind": "choice", "answer": answer, "choices": choices, "alternatives": []}


@pytest.mark.parametrize(
    ("reference", "box", "correct"),
    [
        (choice("B", ["3 cm", "12 cm", "20 cm"]), "B 12 cm", True),  # letter plus text, no punctuation
        (choice("B", ["3 cm", "12 cm", "20 cm"]), "B. 12 cm", True),
        (choice("B", ["3 cm", "12 cm", "20 cm"]), "(B) 12 cm", True),
        (choice("B", ["3 cm", "12 cm", "20 cm"]), "C 12 cm", False),  # letter and text disagree: C's text is 20 cm
        # Option texts that themselves begin with a capital letter and a dot.
        (choice("C", ["B. Smith", "C. Jones", "A. Brown"]), "A. Brown", True),  # option C's whole text
        (choice("C", ["B. Smith", "C. Jones", "A. Brown"]), "B. Smith", False),
        (choice("C", ["B. Smith", "C. Jones", "A. Brown"]), "C", True),
        (choice("A", ["B. Smith", "C. Jones", "D. Brown"]), "B. Smith", True),  # the text of option A
        (choice("A", ["B. Smith", "C. Jones", "D. Brown"]), "A", True),
    ],
)
def test_options_named_by_letter_text_or_both(reference, box, correct):
    assert score(reference, boxed(box))["correct"] is correct


def test_an_open_answer_list_with_a_number_anywhere_is_compared_as_a_number():
    from critic_r1_ext.evaluate.benchmarks.base import free_form

    item = free_form("1", "q", [], "twelve and a half", 2, None, ["12.5"])
    assert (item.kind, item.answer, item.alternatives, item.precision) == ("number", "12.5", ["twelve and a half"], 2)
    assert (
        score(item.reference(), boxed("12.504"))["correct"]
        and score(item.reference(), boxed("Twelve and a half"))["correct"]
    )
