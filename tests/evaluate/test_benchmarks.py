"""Loaders on local copies in each benchmark's hub schema: prompts as the authors build them, references."""

from __future__ import annotations

import pytest

from critic_r1_ext.common.backends import user_message
from critic_r1_ext.common.records import load_images
from critic_r1_ext.evaluate.benchmarks import BENCHMARKS, policy_items
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX


def test_mmmu_places_every_referenced_image_at_its_placeholder(benchmark_dirs, tmp_path):
    multi, open_ended = policy_items("mmmu", str(benchmark_dirs["mmmu"]))
    assert multi.question.count("<image>") == len(multi.images) == 3
    assert "<image 1>" not in multi.question and "\nA. <image>\nB. Monet\nC. Degas\n" in multi.question
    assert multi.question.endswith("Answer with the option's letter from the given choices directly.")
    colors = [im.getpixel((0, 0)) for im in load_images(multi.images, "t", tmp_path)]
    assert colors == [(255, 0, 0), (0, 128, 0), (0, 0, 255)]  # image_1, image_2 in the question, image_3 in A
    content = user_message_types(multi)
    assert content[:3] == ["text", "image", "text"]  # the first image sits inside the question, not before it
    assert (multi.kind, multi.answer, multi.choices) == ("choice", "B", ["<image 3>", "Monet", "Degas"])
    assert (open_ended.kind, open_ended.answer, open_ended.alternatives) == ("number", "12.5", ["25/2"])
    assert open_ended.question.endswith("\nAnswer the question using a single word or phrase.")


def user_message_types(item):
    return [part["type"] for part in user_message(_Request(item.question, item.images), {})[0]["content"]]


class _Request:
    def __init__(self, text, images):
        self.text, self.images = text, images


def test_policy_prompt_glues_the_instruction_on_without_a_separator(benchmark_dirs):
    item = policy_items("mmstar", str(benchmark_dirs["mmstar"]))[0]
    assert policy_prompt(item) == item.question + THINK_BOXED_SUFFIX
    assert "from the given choices.You FIRST think about" in policy_prompt(item)


def test_mathvista_answers_become_letters_numbers_with_precision_and_units(benchmark_dirs):
    integer, choice, decimal = policy_items("mathvista", str(benchmark_dirs["mathvista"]))
    assert integer.question.startswith("Hint: answer with an integer.") and integer.id == "1"
    assert (integer.kind, integer.answer, integer.precision, integer.unit) == ("number", "5", None, "cm")
    assert (choice.kind, choice.answer, choice.choices) == ("choice", "B", ["3.5", "4", "7"])
    assert (decimal.kind, decimal.precision) == ("number", 2)
    assert integer.category == "geometry problem solving"


def test_mathvision_mathverse_mmstar_questions_and_options(benchmark_dirs):
    free, choice = policy_items("mathvision", str(benchmark_dirs["mathvision"]))
    assert free.question == "<image1>How many dots are there? Options:"  # the authors' header, even without options
    assert choice.question.endswith(" Options:\nA. 1\nB. 2\nC. 3\nD. 4\nE. 5") and choice.answer == "C"
    verse_mc, verse_free = policy_items("mathverse", str(benchmark_dirs["mathverse"]))
    assert verse_mc.question.startswith("Please directly answer") and verse_mc.choices == ["30°", "60°", "90°", "120°"]
    assert (verse_free.kind, verse_free.answer, verse_free.category) == ("text", "2\\sqrt{3}", "Vision Only")
    star = policy_items("mmstar", str(benchmark_dirs["mmstar"]))[0]
    assert star.choices == ["red", "blue", "green", "yellow"] and star.answer == "B"
    assert star.question.endswith("\nAnswer with the option's letter from the given choices.")


def test_limit_and_single_file_copies(benchmark_dirs):
    folder = benchmark_dirs["mathvista"]
    assert [i.id for i in policy_items("mathvista", str(folder), limit=2)] == ["1", "2"]
    single = next((folder / "data").glob("*.parquet"))
    assert [i.id for i in policy_items("mathvista", str(single))] == ["1", "2", "3"]


def test_bad_rows_and_sources_are_named(benchmark_dirs, tmp_path):
    with pytest.raises(ValueError, match=r"mmstar: row 0: missing column\(s\) \['index'"):
        policy_items("mmstar", str(next((benchmark_dirs["mathvision"] / "data").glob("*.parquet"))))
    with pytest.raises(FileNotFoundError, match="mmmu: data not found"):
        policy_items("mmmu", str(tmp_path / "nowhere"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x", "question": "<image 2> ?", "options": "[]", "answer": "1", '
        '"question_type": "open", "image_1": null, "image_2": null}\n'
    )
    with pytest.raises(ValueError, match=r"mmmu: row 0: question refers to <image 2> but image_2 is empty"):
        policy_items("mmmu", str(bad))


def test_every_benchmark_names_its_hub_dataset():
    assert {b.name for b in BENCHMARKS.values() if b.task == "policy"} == {
        "mmmu",
        "mathvista",
        "mathvision",
        "mathverse",
        "mmstar",
    }
    assert BENCHMARKS["mathverse"].config == "testmini" and BENCHMARKS["mmmu"].split == "validation"
