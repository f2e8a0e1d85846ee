"""Pairwise critic data -> critic-R1 training files: rationales dropped, only the verifiable preference kept.

Reads either of two row shapes (column names are flags):

* **columns**: ``question``, ``response_1``, ``response_2``, ``label`` (a short label such as "1", "B",
  "Response 2", "tie", or a judge rationale with an explicit verdict) and ``image``;
* **conversations** (``lmms-lab/llava-critic-113k``, ``pairwise``): a LLaVA ``conversations`` list whose
  first human turn is the judging prompt (``Question: [...]``, ``The first response: [...]``,
  ``The second response: [...]``) and whose last model turn is the GPT rationale.

Writes verl's row schema plus ``question``/``response_1``/``response_2``/``label``, from which
``critic_r1_ext.dataset.CriticPairDataset`` re-renders the prompt (and swaps positions) every epoch.

    python -m data_prep.pairwise --input data_prep/sample/critic_sample.jsonl --out data/critic_r1
    python -m data_prep.pairwise --input lmms-lab/llava-critic-113k --hub-config pairwise --out data/critic_r1
"""

from __future__ import annotations

import sys

import pyarrow as pa

from critic_r1_ext.prompt import IMAGE_MARKER, pairwise_prompt
from data_prep.images import digest, prepare_images
from data_prep.inputs import InputRow
from data_prep.pipeline import Converted, Converter, SkipRow, common_parser, data_source_name, run
from data_prep.preference import conversation_turns, preference, split_judge_prompt
from data_prep.rows import text_field, verl_schema

SCHEMA = verl_schema(
    extra_info=[("flipped", pa.bool_())],
    extra_columns=[(name, pa.string()) for name in ("question", "response_1", "response_2", "label")],
)
_SWAP = {"1": "2", "2": "1", "tie": "tie"}


def columns(args) -> list[str]:
    return [
        args.question_col,
        args.response1_col,
        args.response2_col,
        args.label_col,
        args.conversations_col,
        args.image_col,
        args.id_col,
        args.source_col,
    ]


def parse_pair(data: dict, args) -> tuple[str, str, str, str]:
    """``(question, response 1, response 2, label)`` from either row shape."""
    if args.question_col not in data and data.get(args.conversations_col) is not None:
        turns = conversation_turns(data[args.conversations_col])
        if turns is None:
            raise SkipRow("unparsed_conversation")
        parts = split_judge_prompt(turns[0])
        if parts is None:
            raise SkipRow("unparsed_judge_prompt")
        if not all(parts):
            raise SkipRow("empty_field:judge_prompt")
        label = preference(turns[1])
        if label is None:
            raise SkipRow("unparsed_preference")
        return (*parts, label)
    question = text_field(data, args.question_col, "question")
    first = text_field(data, args.response1_col, "response_1")
    second = text_field(data, args.response2_col, "response_2")
    raw_label = data.get(args.label_col)
    if raw_label is None or not str(raw_label).strip():
        raise SkipRow("missing_field:label", args.label_col)
    label = preference(raw_label)
    if label is None:
        raise SkipRow("unknown_label", str(raw_label)[:80])
    return question, first, second, label


def render(row: dict, args) -> str:
    """The stored prompt: exactly what ``CriticPairDataset`` renders for an unswapped row."""
    return pairwise_prompt(
        row["question"], row["response_1"], row["response_2"], len(row["images"]), allow_tie=args.keep_ties
    )


def convert(item: InputRow, row_id: str, args) -> Converted:
    data = item.data
    question, first, second, label = parse_pair(data, args)
    if IMAGE_MARKER in first or IMAGE_MARKER in second:
        raise SkipRow("image_marker_in_response")
    images, resized = prepare_images(data.get(args.image_col), item.base_dir, args.max_pixels)
    if not images:
        raise SkipRow("missing_image", args.image_col)
    if question.count(IMAGE_MARKER) > len(images):
        raise SkipRow("too_many_image_markers", f"{question.count(IMAGE_MARKER)} markers, {len(images)} images")
    row = {
        "data_source": data_source_name(args.data_source_prefix, data.get(args.source_col), data.get(args.id_col)),
        "images": images,
        "ability": "critic",
        "reward_model": {"style": "rule", "ground_truth": label},
        "extra_info": {"id": row_id},
        "question": question,
        "response_1": first,
        "response_2": second,
        "label": label,
    }
    row["prompt"] = [{"role": "user", "content": render(row, args)}]
    key = digest(*(image["bytes"] for image in images), question, first, second)
    return Converted(row=row, label=label, digest=key, resized=resized)


def flip(row: dict, args) -> dict:
    """The same judgment with the responses in the other order (the label follows)."""
    label = _SWAP[row["label"]]
    flipped = {**row, "response_1": row["response_2"], "response_2": row["response_1"], "label": label}
    flipped["reward_model"] = {"style": "rule", "ground_truth": label}
    flipped["prompt"] = [{"role": "user", "content": render(flipped, args)}]
    return flipped


CONVERTER = Converter(name="pairwise", columns=columns, schema=SCHEMA, convert=convert, flip=flip)


def build_parser():
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--question-col", default="question")
    parser.add_argument("--response1-col", default="response_1")
    parser.add_argument("--response2-col", default="response_2")
    parser.add_argument("--label-col", default="label", help="preference: a label or a rationale with a verdict")
    parser.add_argument(
        "--conversations-col", default="conversations", help="LLaVA conversations (used when no question column)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(CONVERTER, build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
