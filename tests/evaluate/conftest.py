"""Benchmark files in their hub schemas and layouts (written here, never downloaded) and a scripted backend."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image


def png_bytes(color):
    buffer = io.BytesIO()
    Image.new("RGB", (56, 56), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def vl_rewardbench_file(tmp_path):
    """Three rows in the public VL-RewardBench layout, one without a strict preference."""
    rows = [
        {
            "id": "RLAIF-V_12",
            "query": "How many circles?",
            "response": ["Three.", "Two."],
            "human_ranking": [0, 1],
            "image": {"bytes": png_bytes((255, 0, 0)), "path": "a.png"},
        },
        {
            "id": "mathverse_3",
            "query": "What is x?",
            "response": ["x = 2", "x = 5"],
            "human_ranking": [1, 0],
            "image": {"bytes": png_bytes((0, 0, 255)), "path": "b.png"},
        },
        {
            "id": "wildvision-battle_9",
            "query": "Describe it.",
            "response": ["A cat.", "A dog."],
            "human_ranking": [0, 0],
            "image": {"bytes": png_bytes((0, 255, 0)), "path": "c.png"},
        },
    ]
    path = tmp_path / "vlrb.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def _hub_folder(root, split: str, rows: list[dict], features=None):
    """A local copy in the hub repository's layout (``data/<split>-00000-of-00001.parquet``)."""
    from datasets import Dataset

    (root / "data").mkdir(parents=True, exist_ok=True)
    Dataset.from_list(rows, features=features).to_parquet(str(root / "data" / f"{split}-00000-of-00001.parquet"))
    return root


def _image(color, size=(56, 56)):
    return Image.new("RGB", size, color)


@pytest.fixture(scope="session")
def benchmark_dirs(tmp_path_factory):
    """Two or three rows of every benchmark, each in its hub schema and layout; {name: folder}."""
    from datasets import Features, Sequence, Value
    from datasets import Image as ImageFeature

    root = tmp_path_factory.mktemp("benchmarks")
    dirs = {}
    mmmu_features = Features(
        {
            "id": Value("string"),
            "question": Value("string"),
            "options": Value("string"),
            "explanation": Value("string"),
            **{f"image_{n}": ImageFeature() for n in range(1, 8)},
            "img_type": Value("string"),
            "answer": Value("string"),
            "topic_difficulty": Value("string"),
            "question_type": Value("string"),
            "subfield": Value("string"),
        }
    )
    blank = {f"image_{n}": None for n in range(1, 8)}
    dirs["mmmu"] = _hub_folder(
        root / "mmmu",
        "validation",
        [
            {
                **blank,
                "id": "validation_Art_1",
                "question": "Which painting <image 1> shares the style of <image 2>?",
                "options": "['<image 3>', 'Monet', 'Degas']",
                "explanation": "",
                "image_1": _image("red"),
                "image_2": _image("green"),
                "image_3": _image("blue"),
                "img_type": "['Paintings']",
                "answer": "B",
                "topic_difficulty": "Easy",
                "question_type": "multiple-choice",
                "subfield": "Art History",
            },
            {
                **blank,
                "id": "validation_Math_2",
                "question": "<image 1> What is the area of the square?",
                "options": "[]",
                "explanation": "",
                "image_1": _image("white"),
                "img_type": "['Diagrams']",
                "answer": "['12.5', '25/2']",
                "topic_difficulty": "Medium",
                "question_type": "open",
                "subfield": "Geometry",
            },
        ],
        mmmu_features,
    )
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
    vista = {"image": "images/1.jpg", "unit": None, "precision": None, "metadata": meta}
    dirs["mathvista"] = _hub_folder(
        root / "mathvista",
        "testmini",
        [
            {
                **vista,
                "pid": "1",
                "question": "How long is AB?",
                "decoded_image": _image("red"),
                "choices": None,
                "unit": "cm",
                "answer": "5",
                "question_type": "free_form",
                "answer_type": "integer",
                "query": "Hint: answer with an integer.\nQuestion: How long is AB? (Unit: cm)",
            },
            {
                **vista,
                "pid": "2",
                "question": "Which is the radius?",
                "decoded_image": _image("green"),
                "choices": ["3.5", "4", "7"],
                "answer": "4",
                "question_type": "multi_choice",
                "answer_type": "text",
                "query": "Hint: choose.\nQuestion: Which is the radius?\nChoices:\n(A) 3.5\n(B) 4\n(C) 7",
            },
            {
                **vista,
                "pid": "3",
                "question": "What is the slope?",
                "decoded_image": _image("blue"),
                "choices": None,
                "precision": 2.0,
                "answer": "0.67",
                "question_type": "free_form",
                "answer_type": "float",
                "query": "Hint: two decimals.\nQuestion: What is the slope?",
            },
        ],
    )
    dirs["mathvision"] = _hub_folder(
        root / "mathvision",
        "testmini",
        [
            {
                "id": "1",
                "question": "<image1>How many dots are there?",
                "options": [],
                "image": "images/1.jpg",
                "decoded_image": _image("red"),
                "answer": "4",
                "solution": None,
                "level": 1,
                "subject": "counting",
            },
            {
                "id": "2",
                "question": "<image1>Which shape comes next?",
                "options": ["1", "2", "3", "4", "5"],
                "image": "images/2.jpg",
                "decoded_image": _image("blue"),
                "answer": "C",
                "solution": None,
                "level": 2,
                "subject": "logic",
            },
        ],
        Features(
            {
                "id": Value("string"),
                "question": Value("string"),
                "options": Sequence(Value("string")),
                "image": Value("string"),
                "decoded_image": ImageFeature(),
                "answer": Value("string"),
                "solution": Value("string"),
                "level": Value("int64"),
                "subject": Value("string"),
            }
        ),
    )
    verse_mc = "As shown in the figure, find angle B.\nChoices:\nA:30°\nB:60°\nC:90°\nD:120°"
    dirs["mathverse"] = _hub_folder(
        root / "mathverse",
        "testmini",
        [
            {
                "sample_index": "1",
                "problem_index": "1",
                "problem_version": "Text Dominant",
                "question": verse_mc,
                "image": _image("red"),
                "answer": "B",
                "question_type": "multi-choice",
                "metadata": {"split": "testmini"},
                "query_wo": "Please directly answer the question and provide the correct option letter.\nQuestion: "
                + verse_mc,
                "query_cot": "",
                "question_for_eval": verse_mc,
            },
            {
                "sample_index": "2",
                "problem_index": "2",
                "problem_version": "Vision Only",
                "question": "",
                "image": _image("blue"),
                "answer": "2\\sqrt{3}",
                "question_type": "free-form",
                "metadata": {"split": "testmini"},
                "query_wo": "According to the question shown in the image, answer it.",
                "query_cot": "",
                "question_for_eval": "Find the length of AC.",
            },
        ],
        Features(
            {
                "sample_index": Value("string"),
                "problem_index": Value("string"),
                "problem_version": Value("string"),
                "question": Value("string"),
                "image": ImageFeature(),
                "answer": Value("string"),
                "question_type": Value("string"),
                "metadata": {"split": Value("string")},
                "query_wo": Value("string"),
                "query_cot": Value("string"),
                "question_for_eval": Value("string"),
            }
        ),
    )
    dirs["mmstar"] = _hub_folder(
        root / "mmstar",
        "val",
        [
            {
                "index": 0,
                "question": "What color is the box?\nOptions: A: red, B: blue, C: green, D: yellow",
                "image": _image("blue"),
                "answer": "B",
                "category": "coarse perception",
                "l2_category": "color",
                "meta_info": {"source": "MMBench", "split": "val", "image_path": "0.jpg"},
            },
            {
                "index": 1,
                "question": "How many cars?\nOptions: A: 1, B: 2, C: 3, D: 4",
                "image": _image("red"),
                "answer": "C",
                "category": "fine-grained perception",
                "l2_category": "counting",
                "meta_info": {"source": "SEEDBench", "split": "val", "image_path": "1.jpg"},
            },
        ],
        Features(
            {
                "index": Value("int64"),
                "question": Value("string"),
                "image": ImageFeature(),
                "answer": Value("string"),
                "category": Value("string"),
                "l2_category": Value("string"),
                "meta_info": {"source": Value("string"), "split": Value("string"), "image_path": Value("string")},
            }
        ),
    )
    vlrb = {"models": ["m1", "m2"], "judge": "human", "rationale": "", "query_source": "", "ground_truth": ""}
    dirs["vl_rewardbench"] = _hub_folder(
        root / "vl_rewardbench",
        "test",
        [
            {
                **vlrb,
                "id": "RLAIF-V_12",
                "query": "How many circles?",
                "response": ["Three.", "Two."],
                "image": _image("red"),
                "human_ranking": [0, 1],
            },
            {
                **vlrb,
                "id": "hallucination_pair-345",
                "query": "Describe the image.",
                "response": ["A dog.", "A cat."],
                "image": _image("green"),
                "human_ranking": [1, 0],
            },
            {
                **vlrb,
                "id": "mathverse_3",
                "query": "What is x?",
                "response": ["x = 2", "x = 5"],
                "image": _image("blue"),
                "human_ranking": [1, 0],
            },
            {
                **vlrb,
                "id": "wildvision-battle_9",
                "query": "Describe it.",
                "response": ["A cat.", "A dog."],
                "image": _image("white"),
                "human_ranking": [0, 1],
            },
            {
                **vlrb,
                "id": "wildvision-battle_10",
                "query": "Tie?",
                "response": ["Yes.", "Yes!"],
                "image": _image("white"),
                "human_ranking": [0, 0],
            },
        ],
        Features(
            {
                "id": Value("string"),
                "query": Value("string"),
                "response": Sequence(Value("string")),
                "image": ImageFeature(),
                "human_ranking": Sequence(Value("int64")),
                "models": Sequence(Value("string")),
                "judge": Value("string"),
                "rationale": Value("string"),
                "query_source": Value("string"),
                "ground_truth": Value("string"),
            }
        ),
    )
    rlhf = root / "mm_rlhf"
    (rlhf / "images" / "v_clip").mkdir(parents=True)
    _image("red").save(rlhf / "images" / "a.jpg")
    _image("blue").save(rlhf / "images" / "v_clip" / "c01_0001.jpeg")
    dirs["mm_rlhf_rewardbench"] = _hub_folder(
        rlhf,
        "train",
        [
            {
                "id": 0,
                "image": "a.jpg",
                "video": [],
                "prompt": "What is shown?",
                "chosen": "A red square.",
                "rejected": "A blue circle.",
            },
            {
                "id": 1,
                "image": None,
                "video": ["v_clip/c01_0001.jpeg"],
                "prompt": "What happens?",
                "chosen": "Nothing.",
                "rejected": "A car crash.",
            },
        ],
    )
    return dirs


class _ScriptedBackend:
    """Instant backend: each prompt's completions come from ``script(text, n, temperature)``; counts calls."""

    def __init__(self, script):
        self.script, self.calls, self.prompts = script, 0, 0

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        self.calls += 1
        self.prompts += len(requests)
        return [self.script(request.text, n, temperature) for request in requests]


@pytest.fixture
def scripted_backend():
    """The scripted backend class: ``scripted_backend(script)``."""
    return _ScriptedBackend
