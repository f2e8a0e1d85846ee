"""Prompts with images, from anything data prep reads (a .parquet/.jsonl/.json file, a folder, a hub id).

Rows are streamed by ``data_prep.inputs`` and their images read and checked by ``data_prep.images``
(encoded bytes kept, decoded once to catch corrupt files), so every row is validated before a model
is loaded. A bad row stops the run with one line naming the row and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from critic_r1_ext.common.records import load_images
from critic_r1_ext.prompt import IMAGE_MARKER
from data_prep.errors import DataPrepError
from data_prep.images import ImageError, prepare_images
from data_prep.inputs import open_input
from data_prep.pipeline import PAPER_MAX_PIXELS


@dataclass
class Prompt:
    id: str
    question: str
    images: list[dict]  # {"bytes", "path", "max_pixels"}: data prep's image structs

    def pil_images(self) -> list:
        """The images decoded (RGB), for a generation backend."""
        return load_images([{"bytes": image["bytes"]} for image in self.images], f"prompt {self.id}", None)


def read_prompts(args) -> list[Prompt]:
    """Every prompt of ``args.input`` (up to ``args.limit``), validated; ``DataPrepError`` on the first bad row."""
    source = open_input(args.input, args.hub_config, args.hub_split)
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for row in source.rows([args.question_col, args.image_col, args.id_col], batch_size=256):
        if args.limit is not None and len(prompts) >= args.limit:
            break
        where = row.ref if source.files else f"{args.input} {row.ref}"  # file:row, or hub id split:row
        if row.data is None:
            raise DataPrepError(f"{where}: {row.error}")
        question = row.data.get(args.question_col)
        if not isinstance(question, str) or not question.strip():
            raise DataPrepError(f"{where}: column {args.question_col!r} must be a non-empty string, got {question!r}")
        try:
            images, _ = prepare_images(row.data.get(args.image_col), row.base_dir, PAPER_MAX_PIXELS)
        except ImageError as err:
            raise DataPrepError(f"{where}: {err}") from None
        if not images:
            raise DataPrepError(f"{where}: no image in column {args.image_col!r} (preference pairs need one)")
        if question.count(IMAGE_MARKER) > len(images):
            raise DataPrepError(f"{where}: {question.count(IMAGE_MARKER)} {IMAGE_MARKER} markers, {len(images)} images")
        value = row.data.get(args.id_col)
        prompt_id = str(value).strip() if value is not None and str(value).strip() else row.ref
        if prompt_id in seen:
            raise DataPrepError(f"{where}: duplicate id {prompt_id!r} (ids key the resumable files)")
        seen.add(prompt_id)
        prompts.append(Prompt(prompt_id, question.strip(), images))
    if not prompts:
        raise DataPrepError(f"{args.input}: no prompts")
    return prompts
