"""MathVista: the dataset's query as the authors send it; letters, numbers with precision, units."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import items


def write_mathvista(root):
    meta = {
        "category": "math-targeted-vqa",
        "context": "geometry diagram",
        "grade": "high school",
        "img_height": 56,
        "img_width": 56,
        "language": "english",
        "skills": ["geometry reasoning"],
        "source": "Geometry3K",
        "split": "testmini",
        "task": "geometry problem solving",
    }
    common = {"image": "images/1.jpg", "unit": None, "precision": None, "metadata": meta}
    rows = [
        {
            **common,
            "pid": "1",
            "question": "How long is AB?",
            "decoded_image": image("red"),
            "choices": None,
            "unit": "cm",
            "answer": "5",
            "question_type": "free_form",
            "answer_type": "integer",
            "query": "Hint: answer with an integer.\nQuestion: How long is AB? (Unit: cm)",
        },
        {
            **common,
            "pid": "2",
            "question": "Which is the radius?",
            "decoded_image": image("green"),
            "choices": ["3.5", "4", "7"],
            "answer": "4",
            "question_type": "multi_choice",
            "answer_type": "text",
            "query": "Hint: choose.\nQuestion: Which is the radius?\nChoices:\n(A) 3.5\n(B) 4\n(C) 7",
        },
        {
            **common,
            "pid": "3",
            "question": "What is the slope?",
            "decoded_image": image("blue"),
            "choices": None,
            "precision": 2.0,
            "answer": "0.67",
            "question_type": "free_form",
            "answer_type": "float",
            "query": "Hint: two decimals.\nQuestion: What is the slope?",
        },
    ]
    return hub_folder(root, "testmini", rows)


FIXTURES = {"mathvista": write_mathvista}


def test_answers_become_letters_numbers_with_precision_and_units(tmp_path):
    (integer, choice, decimal), _ = items("mathvista", str(write_mathvista(tmp_path)))
    assert integer.question.startswith("Hint: answer with an integer.") and integer.id == "1"
    assert (integer.kind, integer.answer, integer.precision, integer.unit) == ("number", "5", None, "cm")
    assert (choice.kind, choice.answer, choice.choices) == ("choice", "B", ["3.5", "4", "7"])
    assert (decimal.kind, decimal.precision) == ("number", 2)
    assert integer.category == "geometry problem solving"


def test_limit_and_single_file_copies(tmp_path):
    folder = write_mathvista(tmp_path)
    assert [i.id for i in items("mathvista", str(folder), limit=2)[0]] == ["1", "2"]
    single = next((folder / "data").glob("*.parquet"))
    assert [i.id for i in items("mathvista", str(single))[0]] == ["1", "2", "3"]
