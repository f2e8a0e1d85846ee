"""Paper mode gives the authors' score (tests/authors_reward.py, mathruler installed) on every kind of output."""

from __future__ import annotations

import random
import re

import pytest
from authors_reward import authors_score
from hypothesis import given, settings
from hypothesis import strategies as st

from critic_r1_ext.reward import compute_score
from critic_r1_ext.reward_paper import MAX_GRADED_CHARS, format_ok, last_boxed, squeeze_delimiters

LABELS = ["1", "2", "tie", "Response 1", "A", "None"]


def paper(text, label):
    return compute_score("critic", text, label, mode="paper")


def assert_same_as_authors(text, label):
    ours, theirs = paper(text, label), authors_score(text, label)
    assert (ours["score"], ours["acc"], ours["format"]) == (theirs["overall"], theirs["accuracy"], theirs["format"])


@pytest.mark.parametrize(
    ("text", "label", "score"),
    [
        ("<think>Response 1 is right.</think> \\boxed{Response 1}", "1", 0.1),  # no verdict normalisation
        ("<think>x</think> \\boxed{2} ... on second thought \\boxed{1}", "1", 1.0),  # the last box wins
        ("<think>it is \\boxed{1}</think> so that one.", "1", 0.9),  # a box inside the thinking counts
        ("<think>x</think> \\boxed{1} or \\boxed{2}", "2", 1.0),  # a hedge earns what its last box says
        ("< think >x</ think > \\boxed{ 1 }", "1", 1.0),  # their whitespace squeeze
        ("<think>x</think> \\boxed{}", "1", 0.1),  # an empty box has the format
        ("<think>x</think> \\boxed {1}", "1", 0.0),  # "\boxed {" is not a box to them
        ("<think>x</think> \\boxed{\\text{1}}", "1", 1.0),
        ("preamble <think>x</think> \\boxed{1}", "1", 0.9),
        ("<think>x</think> \\boxed{1", "None", 0.9),  # unclosed: their extractor returns "None"
    ],
)
def test_authors_semantics(text, label, score):
    assert paper(text, label)["score"] == pytest.approx(score)
    assert_same_as_authors(text, label)


HAND_MADE = [
    "",
    "1",
    "\\boxed{1}",
    "\\boxed{2}",
    "<think></think>\\boxed{1}",
    "<think>\n\n</think>\n\n\\boxed{2}\n",
    "<think>a</think>b\\boxed{c}d",
    "<think>a</think>\\boxed{",
    "<think>a</think>\\boxed{}}",
    "<think>a\\boxed{1}}",
    "</think><think>\\boxed{1}",
    "<think><think></think>\\boxed{1}",
    "<think>x</think></think>\\boxed{2}",
    "<think>x</think>\\boxed{1 or 2}",
    "<think>x</think>\\boxed{both}",
    "<think>x</think>\\boxed{Tie}",
    "<think>x</think>\\boxed{A}",
    "<think>x</think>\\boxed{[[1]]}",
    "<think>x</think>\\boxed{1.0}",
    "<think>x</think>\\boxed{01}",
    "<think>x</think>\\boxed{\\boxed{1}}",
    "<think>x</think>\\boxed{{1}}",
    "<think>x</think>\\boxed{\\frac{1}{1}}",
    "<think>x</think>\\boxed{1 / 1}",
    "<think>x</think>\\boxed{$1$}",
    "<think>x</think>\\boxed{\\textbf{1}}",
    "<think>x</think>\\boxed{1}.\\boxed{",
    "\\boxed{1}\\boxed{2",
    "\u3000<think>x</think>\\boxed{1}",
    "\xa0< think\t>x<\n/think >\\boxed{1}",
    "<think>x</think>\\boxed{1\u200b}",
    "<think>x</think>\\boxed{1\x00}",
    "<think>x< /think>\\boxed{Response 2}",
    "<thinking>x</thinking>\\boxed{1}",
    "<THINK>x</THINK>\\boxed{1}",
    "<think>x</think>\\Boxed{1}",
    "<think>x</think>\\boxed{None}",
    "<think>x</think>\\boxed{\\}",
    "<think>x</think>\\boxed{\\{1\\}}",
    "<think>x</think>\\boxed{1}<think>",
    "<think>" * 300,
    "\\boxed{" * 300,
    "</think>\\boxed{" * 150,
    "<" + " " * 2000,
    " " * 2000 + "x",
    "\\boxed{" * 250 + "}" * 250,
    "<think></think>\\boxed{<think>\\boxed{ " * 60,
    "{" * 500 + "}" * 500,
    "/" * 500,
    " / " * 500,
    "<think>" + "a/" * 700 + "</think>\\boxed{2}",
]


@pytest.mark.parametrize("text", HAND_MADE, ids=range(len(HAND_MADE)))
@pytest.mark.parametrize("label", LABELS)
def test_hand_made_outputs(text, label):
    assert_same_as_authors(text, label)


def _rollout(rng: random.Random) -> str:
    """A critic-like output: thinking, an answer part with 0-3 boxes, and a random flaw now and then."""
    verdicts = [
        "1",
        "2",
        "Response 1",
        "\\text{Response 2}",
        "A",
        "B",
        "1 or 2",
        "tie",
        "",
        " 2 ",
        "\\frac{2}{1}",
        "\\boxed{1}",
        "{2}",
        "1}",
        "2.0",
        "two",
        "[[1]]",
        "$2$",
        "1/2",
        "None",
    ]
    think = rng.choice(["<think>", "< think >", "<think >", "", "<thinking>", "<think><think>"])
    close = rng.choice(["</think>", "</ think>", "< /think >", "", "</think></think>"])
    words = " ".join(
        rng.choice(["the", "first", "answer", "is", "\\boxed{1}", "a/b", "<", ">", "{", "}", "\n"])
        for _ in range(rng.randint(0, 30))
    )
    boxes = " and ".join(
        "\\boxed" + rng.choice(["{", " {", "{{"]) + rng.choice(verdicts) + rng.choice(["}", "", "}}"])
        for _ in range(rng.randint(0, 3))
    )
    lead, gap = rng.choice(["", " ", "Sure. "]), rng.choice(["", " ", "\n"])
    return f"{lead}{think}{words}{close}{gap}{boxes}{words[:9]}"


def test_a_thousand_generated_outputs():
    rng = random.Random(9)
    outputs = [_rollout(rng) for _ in range(1500)]
    assert len(set(outputs)) > 1000
    for text in outputs:
        assert_same_as_authors(text, rng.choice(LABELS))


_FRAGMENTS = st.sampled_from(
    [
        "<think>",
        "</think>",
        "<",
        ">",
        "/",
        " ",
        "\n",
        "\t",
        "\u3000",
        "think",
        "\\boxed{",
        "\\boxed",
        "{",
        "}",
        "1",
        "2",
        "Response ",
        "A",
        "or",
        "tie",
        "\\text{",
        "\\frac{1}{2}",
        ".",
        "$",
        "None",
        "\x00",
        "\u200f",
    ]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_FRAGMENTS | st.text(max_size=4), max_size=24), label=st.sampled_from(LABELS))
def test_property_same_as_authors(parts, label):
    assert_same_as_authors("".join(parts), label)


_PIECES = st.lists(
    st.sampled_from(
        [" ", "\t", "\n", "\xa0", "\u2028", "\x1c", "<", ">", "/", "a", "{", "}", "\\boxed{", "<think>", "</think>"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_PIECES)
def test_each_step_matches_the_authors_expression(text):
    from mathruler.grader import extract_boxed_content

    squeezed = re.sub(r"\s*(<|>|/)\s*", r"\1", text)
    assert squeeze_delimiters(text) == squeezed
    assert format_ok(squeezed) == bool(re.fullmatch(r"<think>.*</think>.*\\boxed\{.*\}.*", squeezed, re.DOTALL))
    box = last_boxed(squeezed)
    assert ("None" if box is None else box) == extract_boxed_content(squeezed)


def test_every_whitespace_character_is_squeezed_as_the_authors_do():
    for char in map(chr, [*range(0x3000 + 1), 0xFEFF, 0x10FFFF]):
        for text in (f"a{char}<{char}b", f"a{char}/", f"<think>{char}", f"{char}b"):
            assert squeeze_delimiters(text) == re.sub(r"\s*(<|>|/)\s*", r"\1", text), hex(ord(char))


def test_boxes_over_the_bound_are_not_graded():
    """The one documented difference: mathruler would grade this (slowly); paper mode scores accuracy 0."""
    text = "<think>x</think>\\boxed{1" + "\\!" * MAX_GRADED_CHARS + "}"
    assert authors_score(text, "1")["accuracy"] == 1.0
    assert paper(text, "1")["acc"] == 0.0
    assert paper("<think>x</think>\\boxed{1" + "\\!" * (MAX_GRADED_CHARS // 2 - 1) + "}", "1")["acc"] == 1.0
