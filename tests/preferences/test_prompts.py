"""Prompts in the input formats data prep reads, validated before any model loads."""

from __future__ import annotations

import argparse
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from critic_r1_ext.preferences.prompts import read_prompts
from data_prep.errors import DataPrepError


def args_for(path, **overrides):
    options = dict(
        input=str(path), hub_config=None, hub_split="train", question_col="question", image_col="image", id_col="id"
    )
    return argparse.Namespace(**{**options, "limit": None, **overrides})


def test_parquet_with_hf_image_structs_a_folder_and_image_lists_all_read(tmp_path, png):
    folder = tmp_path / "prompts"
    folder.mkdir()
    rows = [
        {
            "id": "p0",
            "question": "<image> left, <image> right: which is red?",
            "image": [
                {"bytes": png((255, 0, 0)), "path": "a.png"},
                {"bytes": png((0, 0, 255)), "path": "b.png"},
            ],
        },
        {"id": "p1", "question": "What colour?", "image": [{"bytes": png((0, 255, 0)), "path": None}]},
    ]
    pq.write_table(pa.Table.from_pylist(rows), folder / "part0.parquet")
    (folder / "part1.jsonl").write_text(json.dumps({"question": "Shape?", "image": "../img.png"}) + "\n")
    (tmp_path / "img.png").write_bytes(png((9, 9, 9), (30, 40)))
    prompts = read_prompts(args_for(folder))
    assert [p.id for p in prompts] == ["p0", "p1", f"{folder / 'part1.jsonl'}:0"]
    assert [len(p.images) for p in prompts] == [2, 1, 1]
    assert prompts[0].question.startswith("<image> left")
    assert [im.size for im in prompts[2].pil_images()] == [(30, 40)]
    assert read_prompts(args_for(folder, limit=1))[0].id == "p0"


def test_renamed_columns_are_read(tmp_path, png):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"key": 7, "query": "Why?", "picture": {"bytes": None, "path": "i.png"}}) + "\n")
    (tmp_path / "i.png").write_bytes(png((1, 1, 1)))
    (prompt,) = read_prompts(args_for(path, question_col="query", image_col="picture", id_col="key"))
    assert (prompt.id, prompt.question, len(prompt.images)) == ("7", "Why?", 1)


def test_more_image_markers_than_images_and_an_empty_file_are_refused(tmp_path, png):
    path = tmp_path / "p.jsonl"
    (tmp_path / "i.png").write_bytes(png((1, 1, 1)))
    path.write_text(json.dumps({"question": "<image><image> ?", "image": "i.png"}) + "\n")
    with pytest.raises(DataPrepError, match=r"p.jsonl:0: 2 <image> markers, 1 images"):
        read_prompts(args_for(path))
    path.write_text("\n")
    with pytest.raises(DataPrepError, match="no prompts"):
        read_prompts(args_for(path))
