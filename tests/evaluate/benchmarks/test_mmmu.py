"""MMMU: the authors' protocol (image_1 first, ``<image N>`` left as text) and our inline-images variant."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.common.backends import Request, user_message
from critic_r1_ext.common.records import load_images
from critic_r1_ext.evaluate.benchmarks import items


def write_mmmu(root):
    from datasets import Features, Value
    from datasets import Image as ImageFeature

    features = Features(
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
    rows = [
        {
            **blank,
            "id": "validation_Art_1",
            "question": "Which painting <image 1> shares the style of <image 2>?",
            "options": "['<image 3>', 'Monet', 'Degas']",
            "explanation": "",
            "image_1": image("red"),
            "image_2": image("green"),
            "image_3": image("blue"),
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
            "image_1": image("white"),
            "img_type": "['Diagrams']",
            "answer": "['12.5', '25/2']",
            "topic_difficulty": "Medium",
            "question_type": "open",
            "subfield": "Geometry",
        },
    ]
    return hub_folder(root, "validation", rows, features)


FIXTURES = {"mmmu": write_mmmu}


def _types(item):
    return [part["type"] for part in user_message(Request(item.question, item.images), {})[0]["content"]]


def test_authors_protocol_sends_only_image_1_before_the_text(tmp_path):
    (multi, open_ended), skipped = items("mmmu", str(write_mmmu(tmp_path)))
    assert skipped == {} and len(multi.images) == 1 and _types(multi) == ["image", "text"]
    assert multi.question.startswith("Which painting <image 1> shares the style of <image 2>? Options:")
    assert "\nA. <image 3>\nB. Monet\nC. Degas\n" in multi.question
    assert multi.question.endswith("Answer with the option's letter from the given choices directly.")
    assert (multi.kind, multi.answer, multi.category) == ("choice", "B", "Art")
    assert (open_ended.kind, open_ended.answer, open_ended.alternatives) == ("number", "12.5", ["25/2"])
    assert open_ended.category == "Math"
    assert open_ended.question.endswith("\nAnswer the question using a single word or phrase.")


def test_inline_images_variant_places_every_referenced_image(tmp_path):
    (multi, _), _ = items("mmmu", str(write_mmmu(tmp_path)), variant="inline_images")
    assert multi.question.count("<image>") == len(multi.images) == 3 and "<image 1>" not in multi.question
    colors = [im.getpixel((0, 0)) for im in load_images(multi.images, "t", tmp_path)]
    assert colors == [(255, 0, 0), (0, 128, 0), (0, 0, 255)]  # image_1, image_2 in the question, image_3 in A
    assert _types(multi)[:3] == ["text", "image", "text"]
