"""The authors' released RL set (``lmms-lab/LLaVA-Critic-GRPO-dataset``) -> critic-R1 training files.

Each row's ``question`` already holds the whole critic prompt (``<image>``, the question, both
responses) and ``answer`` says which response is better. The prompt gets the paper's think/boxed
suffix; the answer must normalise to "1" or "2" ("tie" with ``--keep-ties``). The responses sit inside
free text, so positions cannot be swapped here: the report measures how often response 1 is the
better one. The origin subset is not in the data, so ``data_source`` is ``llava-critic-grpo`` unless
a ``--source-col`` or subset-style ids (``vlfeedback_12``) say more.

    python -m data_prep.llava_critic_grpo --input lmms-lab/LLaVA-Critic-GRPO-dataset --out data/critic_r1
"""

from __future__ import annotations

import sys

from critic_r1_ext.prompt import IMAGE_MARKER, with_suffix
from data_prep.images import digest, prepare_images
from data_prep.inputs import InputRow
from data_prep.pipeline import Converted, Converter, SkipRow, common_parser, data_source_name, run
from data_prep.preference import label_verdict
from data_prep.rows import text_field, verl_schema

SCHEMA = verl_schema(extra_info=[], extra_columns=[])


def columns(args) -> list[str]:
    return [args.question_col, args.answer_col, args.image_col, args.id_col, args.source_col]


def convert(item: InputRow, row_id: str, args) -> Converted:
    data = item.data
    question = text_field(data, args.question_col, "question")
    raw_answer = data.get(args.answer_col)
    if raw_answer is None or not str(raw_answer).strip():
        raise SkipRow("missing_field:answer", args.answer_col)
    label = label_verdict(raw_answer)
    if label is None:
        raise SkipRow("unknown_label", str(raw_answer)[:80])
    images, resized = prepare_images(data.get(args.image_col), item.base_dir, args.max_pixels)
    if not images:
        raise SkipRow("missing_image", args.image_col)
    markers = question.count(IMAGE_MARKER)
    if markers > len(images):
        raise SkipRow("too_many_image_markers", f"{markers} markers, {len(images)} images")
    prompt = IMAGE_MARKER * (len(images) - markers) + ("\n" if markers < len(images) else "") + question
    row = {
        "data_source": data_source_name(args.data_source_prefix, data.get(args.source_col), data.get(args.id_col)),
        "prompt": [{"role": "user", "content": with_suffix(prompt)}],
        "images": images,
        "ability": "critic",
        "reward_model": {"style": "rule", "ground_truth": label},
        "extra_info": {"id": row_id},
    }
    key = digest(*(image["bytes"] for image in images), question)
    return Converted(row=row, label=label, digest=key, resized=resized)


CONVERTER = Converter(
    name="llava_critic_grpo", columns=columns, schema=SCHEMA, convert=convert, data_source_prefix="llava-critic-grpo"
)


def build_parser():
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--question-col", default="question", help="the full critic prompt with <image> markers")
    parser.add_argument("--answer-col", default="answer", help="which response is better: 1 or 2")
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(CONVERTER, build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
