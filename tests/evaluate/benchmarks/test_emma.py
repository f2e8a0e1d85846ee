"""EMMA-mini: per-config rows in ``luckychao/EMMA-mini``'s schema, the authors' options block, EMMA's rule scorer."""

from __future__ import annotations

import pytest
from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.emma import emma_item, metrics, official_answer, official_equal
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

BLANK = {f"image_{n}": None for n in range(1, 6)}
BASE = {"solution": "", "task": "", "category": "", "source": "", "context": ""}


def _rows(subject):
    if subject == "Math":
        return [
            {
                **BASE,
                **BLANK,
                "pid": "math_1",
                "subject": "Math",
                "type": "Open-ended",
                "question": "<image_1> What is the ratio of the areas?",
                "options": [],
                "answer": "\\frac{1}{2}",
                "image_1": image("red", (40, 40)),
            },
        ]
    if subject == "Physics":
        return [
            {
                **BASE,
                **BLANK,
                "pid": "phy_1",
                "subject": "Physics",
                "type": "Multiple Choice",
                "question": "Which field line is right? <image_1> <image_2>",
                "options": ["up", "down", "left"],
                "answer": "B",
                "image_1": image("red", (40, 40)),
                "image_2": image("blue", (40, 40)),
            },
        ]
    return [
        {
            **BASE,
            **BLANK,
            "pid": f"{subject[:4].lower()}_1",
            "subject": subject,
            "type": "Multiple Choice",
            "question": "Pick one.",
            "options": ["a", "b"],
            "answer": "A",
            "image_1": image("gray", (40, 40)),
        },
    ]


def write_emma(root):
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    features = Features(
        {
            "pid": Value("string"),
            "question": Value("string"),
            "options": Sequence(Value("string")),
            "answer": Value("string"),
            **{f"image_{n}": ImageFeature() for n in range(1, 6)},
            "solution": Value("string"),
            "subject": Value("string"),
            "task": Value("string"),
            "category": Value("string"),
            "source": Value("string"),
            "type": Value("string"),
            "context": Value("string"),
        }
    )
    for subject in ("Chemistry", "Coding", "Math", "Physics"):
        hub_folder(root, "test", _rows(subject), features, config=subject)
    return root


FIXTURES = {"emma_mini": write_emma}


def _record(item, output):
    return {"reference": item.reference(), "output": output, **score(item.reference(), output)}


def test_emma_reads_every_config_and_builds_the_authors_question(tmp_path):
    found, skipped = items("emma_mini", str(write_emma(tmp_path)))
    assert skipped == {} and REGISTRY["emma_mini"].configs == ("Chemistry", "Coding", "Math", "Physics")
    assert REGISTRY["emma_mini"].max_model_len == 32768
    chemistry, coding, math, physics = found
    assert [i.id for i in found] == ["Chemistry/chem_1", "Coding/codi_1", "Math/math_1", "Physics/phy_1"]
    assert policy_prompt(physics) == (
        "Which field line is right? <image_1> <image_2> Options:\nA. up\nB. down\nC. left\n"
        "Answer with the option's letter from the given choices." + THINK_BOXED_SUFFIX
    )
    assert len(physics.images) == 2 and physics.extra == {"subject": "Physics", "gt_content": "down"}
    assert policy_prompt(math) == "<image_1> What is the ratio of the areas?" + THINK_BOXED_SUFFIX
    assert (math.kind, math.answer, math.category) == ("text", "\\frac{1}{2}", "Math")


def test_emma_rejects_an_answer_that_is_no_option():
    row = {**BASE, **BLANK, "pid": "p", "question": "q", "options": ["x", "y"], "answer": "C", "_config": "Math"}
    with pytest.raises(ValueError, match="emma_mini: row 0: answer 'C' names none of the 2 options"):
        emma_item(row, "emma_mini: row 0")


def test_emma_extraction_follows_the_official_order():
    assert official_answer("b") == "B" and official_answer("C: because") == "C"
    assert official_answer(" 3.5 ") == "3.5"
    assert official_answer("so \\boxed{\\text{(A) up}} and \\boxed{\\text{B}}") == "B"
    assert official_answer("Thus the final answer is 12 cm. Done") == "12 cm"
    assert official_answer("I am not sure") == "I am not sure"


def test_emma_equality_is_case_blind_numeric_to_two_decimals_and_symbolic():
    assert official_equal("Down", "down") and official_equal("0.5", "\\frac{1}{2}")
    assert official_equal("0.333", "1/3") and not official_equal("0.34", "1/3")
    assert official_equal("2\\sqrt{2}", "\\sqrt{8}") and not official_equal("\\sqrt{3}", "\\sqrt{8}")
    assert not official_equal("x" * 5000, "\\frac{1}{2}")  # long text is never parsed as LaTeX


def test_emma_metrics_per_subject_on_right_wrong_unparseable_and_adversarial_outputs(tmp_path):
    chemistry, coding, math, physics = items("emma_mini", str(write_emma(tmp_path)))[0]
    records = [
        _record(chemistry, "<think>it is a</think> \\boxed{A}"),  # right
        _record(coding, "<think>\\boxed{A}</think> no idea"),  # the box in the thinking does not count
        _record(math, "<think>half</think> \\boxed{0.5}"),  # right by value
        _record(physics, "<think>x</think> The correct answer is down."),  # right by the option's text
    ]
    result = metrics(records)
    assert result["per_subject"] == {"Chemistry": 1.0, "Coding": 0.0, "Math": 1.0, "Physics": 1.0}
    assert result["accuracy"] == 0.75
    assert metrics([]) == {"accuracy": None, "per_subject": {}}


def test_scoring_imports_first_without_an_import_cycle_through_the_benchmark_modules():
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", "import critic_r1_ext.evaluate.scoring"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-500:]
