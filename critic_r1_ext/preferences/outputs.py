"""A round's outputs: the pairs with their evidence, TRL's vision DPO file and our pairwise critic file.

* ``pairs.jsonl``: one line per pair: prompt id, chosen/rejected answer indices and texts, and every
  judgment the pair rests on (order shown, verdict, the critic's full output).
* ``dpo.parquet``: TRL's conversational vision preference layout (TRL docs, "Dataset formats": an
  explicit ``prompt`` plus ``chosen``/``rejected``; "Vision datasets": an ``images`` column, and
  message ``content`` as a list of ``{"type": "image"}`` / ``{"type": "text", "text": ...}`` items),
  written by ``datasets`` so ``load_dataset("parquet", ...)`` gives ``images`` as decoded images.
  The prompt is the user turn the policy answered, image items at its ``<image>`` markers.
* ``critic_pairs/round_K.parquet`` (beside the round folders): ``question``, ``response_1``,
  ``response_2``, ``label``, ``image``, ``id``, ``source``, the input of ``python -m data_prep.pairwise``;
  pass the ``critic_pairs`` folder to train the critic on every round's judgments so far.

Each file is written to a temp file and renamed into place.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from critic_r1_ext.common.backends import Request, user_message

_IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
CRITIC_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("source", pa.string()),
        ("question", pa.string()),
        ("response_1", pa.string()),
        ("response_2", pa.string()),
        ("label", pa.string()),
        ("image", pa.list_(_IMAGE)),
    ]
)


def dpo_features():
    """The ``datasets`` features of the DPO file: three message lists and a list of images."""
    from datasets import Features, Image, Value

    message = [{"role": Value("string"), "content": [{"type": Value("string"), "text": Value("string")}]}]
    return Features({"prompt": message, "chosen": message, "rejected": message, "images": [Image()]})


def _temp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def prompt_messages(text: str, num_images: int) -> list[dict]:
    """The user turn as TRL's vision messages: image items where the backends place the images."""
    content = user_message(Request(text, [None] * num_images), {})[0]["content"]
    items = [{"type": "image", "text": None} if item["type"] == "image" else item for item in content]
    return [{"role": "user", "content": items}]


def _answer(text: str) -> list[dict]:
    return [{"role": "assistant", "content": [{"type": "text", "text": text}]}]


def write_dpo(path: Path, pairs: list[dict], prompts: dict, prompt_texts: dict) -> None:
    from datasets import Dataset

    rows = [
        {
            "prompt": prompt_messages(prompt_texts[pair["prompt_id"]], len(prompts[pair["prompt_id"]].images)),
            "chosen": _answer(pair["chosen_text"]),
            "rejected": _answer(pair["rejected_text"]),
            "images": [{"bytes": im["bytes"], "path": im["path"]} for im in prompts[pair["prompt_id"]].images],
        }
        for pair in pairs
    ]
    temp = _temp(path)
    features = dpo_features()
    columns = {name: [row[name] for row in rows] for name in features}  # from_dict: an empty round is a file too
    Dataset.from_dict(columns, features=features).to_parquet(str(temp))
    os.replace(temp, path)


def write_critic_pairs(path: Path, pairs: list[dict], prompts: dict, round_no: int) -> None:
    """The pairs as pairwise critic rows; the answer with the lower sample index is response 1."""
    rows = []
    for pair in pairs:
        prompt = prompts[pair["prompt_id"]]
        chosen_first = pair["chosen"] < pair["rejected"]
        first, second = (pair["chosen_text"], pair["rejected_text"])[:: 1 if chosen_first else -1]
        rows.append(
            {
                "id": f"r{round_no}|{pair['prompt_id']}|{min(pair['chosen'], pair['rejected'])}"
                f"|{max(pair['chosen'], pair['rejected'])}",
                "source": f"critic-preferences/round_{round_no}",
                "question": prompt.question,
                "response_1": first,
                "response_2": second,
                "label": "1" if chosen_first else "2",
                "image": [{"bytes": im["bytes"], "path": im["path"]} for im in prompt.images],
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp(path)
    pq.write_table(pa.Table.from_pylist(rows, schema=CRITIC_SCHEMA), temp)
    os.replace(temp, path)


def write_jsonl(path: Path, records: list[dict]) -> None:
    temp = _temp(path)
    temp.write_text("".join(json.dumps(record) + "\n" for record in records))
    os.replace(temp, path)


def write_json(path: Path, value: dict) -> None:
    temp = _temp(path)
    temp.write_text(json.dumps(value, indent=2) + "\n")
    os.replace(temp, path)
