"""MMMU (validation), ``lmms-lab/MMMU``, as ``eval_llama32v/model_mmmu_llama32v.py`` builds it.

The authors' run: options (read with their ``'(.*?)'`` regex) as "A. ..." lines and their
answer-format line; only ``image_1``, sent before the text, with the literal ``<image 1>`` left
in the question (the default here). Variant ``inline_images`` (ours): every ``<image N>``
placeholder of the question and options becomes an ``<image>`` marker with that image
(unreferenced images first), so multi-image questions are answerable. Official metric: MMMU's
accuracy (``eval_open``/``parse_multi_choice_response`` semantics in our scorer), overall and per
subject (the id's middle part), as MMMU reports.
"""

from __future__ import annotations

import re

from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item, free_form, literal_list, need, options_block

IMAGE_PLACEHOLDER = re.compile(r"<image (\d+)>")
_AUTHORS_OPTION = re.compile(r"'(.*?)'")


def _item(row: dict, where: str, inline_images: bool) -> Item:
    need(row, where, "id", "question", "options", "answer", "question_type")
    question = row["question"]
    if row["question_type"] == "multiple-choice":
        options = (
            literal_list(row["options"], where)
            if inline_images or isinstance(row["options"], list)
            else _AUTHORS_OPTION.findall(row["options"])
        )
        question += options_block(options)
        question += "\nAnswer with the option's letter from the given choices directly."
    else:
        options = []
        question += "\nAnswer the question using a single word or phrase."
    if inline_images:
        question, images = _place_images(question, row, where)
    else:
        if row.get("image_1") is None:
            raise ValueError(f"{where}: image_1 is empty (the authors' script sends image_1)")
        images = [row["image_1"]]
    item_id, subject = str(row["id"]), "_".join(str(row["id"]).split("_")[1:-1]) or None
    if options:
        answer = str(row["answer"]).strip()
        return Item(
            item_id, question, images, "choice", answer, choices=options, category=subject, interleaved=inline_images
        )
    answers = literal_list(row["answer"], where) if str(row["answer"]).startswith("[") else [row["answer"]]
    return free_form(item_id, question, images, answers[0], 2, subject, answers[1:], interleaved=inline_images)


def _place_images(text: str, row: dict, where: str) -> tuple[str, list]:
    """``<image N>`` -> ``<image>`` with ``image_N`` at that spot; unreferenced images go first."""
    numbers = [int(n) for n in IMAGE_PLACEHOLDER.findall(text)]
    available = {n for n in range(1, 8) if row.get(f"image_{n}") is not None}
    unknown = sorted(set(numbers) - available)
    if unknown:
        raise ValueError(f"{where}: question refers to <image {unknown[0]}> but image_{unknown[0]} is empty")
    leading = [row[f"image_{n}"] for n in sorted(available - set(numbers))]
    return IMAGE_PLACEHOLDER.sub("<image>", text), leading + [row[f"image_{n}"] for n in numbers]


def mmmu_item(row: dict, where: str) -> Item:
    """The authors' protocol: ``image_1`` first, ``<image N>`` left as text."""
    return _item(row, where, inline_images=False)


def mmmu_inline_item(row: dict, where: str) -> Item:
    """Ours: every referenced image at its placeholder."""
    return _item(row, where, inline_images=True)


BENCHMARK = Benchmark(
    name="mmmu",
    hub_id="lmms-lab/MMMU",
    split="validation",
    task="policy",
    paper_name="MMMU (validation)",
    category="Image reasoning",
    script="eval_llama32v/model_mmmu_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=mmmu_item,
    variants={"inline_images": mmmu_inline_item},
)
