"""VLMs are Blind: rows in ``XAI/vlmsareblind``'s schema, the row's prompt as is, per-task official reading."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.blind import blind_item, metrics, official_reading
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

ROWS = [
    ("Touching Circles", "Are the two circles touching each other? Answer with Yes/No.", "Yes"),
    (
        "Line Plot Intersections",
        "Count the intersection points where the blue and red lines meet. Put your answer "
        "in curly brackets, e.g., {2}.",
        "3",
    ),
    ("Circled Letter", "Which letter is being circled?", "k"),
    (
        "Counting Grid - Word Grids",
        "Count the number of rows and columns and answer with numbers in curly "
        "brackets. For example, rows={5} columns={6}",
        "4,5",
    ),
    (
        "Counting Grid - Blank Grids",
        "How many rows and columns are in the table? Answer with only the numbers in a pair (row, column), e.g., (5,6)",
        "6,6",
    ),
]


def write_blind(root):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "task": Value("string"),
            "image": ImageFeature(),
            "prompt": Value("string"),
            "groundtruth": Value("string"),
            "metadata": Value("string"),
        }
    )
    rows = [
        {"task": t, "image": image("white", (64, 64)), "prompt": p, "groundtruth": g, "metadata": "{}"}
        for t, p, g in ROWS
    ]
    rows.append({**rows[0], "image": image("white", (20, 64))})  # too small: the shared skip rule
    return hub_folder(root, "valid", rows, features)


FIXTURES = {"blind": write_blind}


def _records(found, outputs):
    return [{"reference": i.reference(), "output": o, **score(i.reference(), o)} for i, o in zip(found, outputs)]


def test_blind_items_keep_the_rows_prompt_and_merge_the_grid_tasks(tmp_path):
    found, skipped = items("blind", str(write_blind(tmp_path)))
    assert skipped == {} and len(found) == 6 and REGISTRY["blind"].split == "valid"
    circles, lines, letter, words, blank, _ = found
    assert policy_prompt(lines) == ROWS[1][1] + THINK_BOXED_SUFFIX and lines.id == "1"
    assert (circles.kind, lines.kind, lines.answer, letter.kind) == ("text", "number", "3", "text")
    assert (words.extra, blank.extra) == ({"task": "counting grid"}, {"task": "counting grid"})
    assert words.category == "Counting Grid - Word Grids" and words.answer == "4,5"
    assert "rows=4 columns=5" in words.alternatives


def test_blind_rejects_a_grid_answer_that_is_not_a_pair():
    row = {"_row": 7, "task": "Counting Grid - Blank Grids", "prompt": "p", "groundtruth": "five", "image": None}
    with pytest.raises(ValueError, match="blind: row 7: counting-grid groundtruth 'five' is not a row/column pair"):
        blind_item(row, "blind: row 7")


def test_blind_official_reading_per_task():
    assert official_reading("Touching Circles", " YES ") == "yes"
    assert official_reading("Touching Circles", "Yes, they touch") is None
    assert official_reading("Nested Squares", "{4}") == "4"
    assert official_reading("Circled Letter", "{K}") == "k"
    assert official_reading("Counting Grid - Blank Grids", "rows={3} columns={4}") == "3,4"
    assert official_reading("Counting Grid - Word Grids", "(3, 4)") == "3,4"
    assert official_reading("Counting Grid - Word Grids", "3 by 4") is None
    assert official_reading("Unknown task", "3") is None


def test_blind_metrics_task_mean_on_right_wrong_unparseable_and_adversarial_outputs(tmp_path):
    circles, lines, letter, words, blank, circles_again = items("blind", str(write_blind(tmp_path)))[0]
    outputs = [
        "<think>they meet</think> \\boxed{Yes}",  # right
        "<think>I count {3}</think> \\boxed{2}",  # wrong: the box counts, not the thinking
        "<think>the red oval</think> The letter is k",  # no box: the text after the thinking is read
        "\\boxed{rows=\\{4\\} columns=\\{5\\}}",  # escaped braces do not form the official pattern
        "<think></think>\\boxed{(6,6)}",  # right
        "\\boxed{No}",  # wrong
    ]
    result = metrics(_records([circles, lines, letter, words, blank, circles_again], outputs))
    assert result["per_task"] == {
        "circled letter": 0.0,  # "the letter is k" reads as "t": the official parser takes the first letter
        "counting grid": 0.5,
        "line plot intersections": 0.0,
        "touching circles": 0.5,
    }
    assert result["task_mean"] == pytest.approx(0.25) and result["accuracy"] == pytest.approx(2 / 6)
    assert metrics([]) == {"task_mean": None, "per_task": {}, "accuracy": None}


def test_blind_strict_scorer_accepts_the_grid_spellings_the_prompts_ask_for(tmp_path):
    words = items("blind", str(write_blind(tmp_path)))[0][3]
    assert score(words.reference(), "\\boxed{rows=4 columns=5}")["correct"]
    assert score(words.reference(), "\\boxed{(4,5)}")["correct"]
    assert not score(words.reference(), "\\boxed{(5,4)}")["correct"]
