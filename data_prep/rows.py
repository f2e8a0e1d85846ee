"""The output row schema (verl's RL parquet row, see verl's geo3k example) and required-field checks."""

from __future__ import annotations

import pyarrow as pa

from data_prep.pipeline import SkipRow

IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string()), ("max_pixels", pa.int64())])


def verl_schema(extra_info: list[tuple[str, pa.DataType]], extra_columns: list[tuple[str, pa.DataType]]) -> pa.Schema:
    """verl's row columns (data_source, prompt, images, ability, reward_model, extra_info) plus ``extra_columns``."""
    info = [("id", pa.string()), ("index", pa.int64()), ("split", pa.string()), *extra_info]
    return pa.schema(
        [
            ("data_source", pa.string()),
            ("prompt", pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))),
            ("images", pa.list_(IMAGE)),
            ("ability", pa.string()),
            ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", pa.string())])),
            ("extra_info", pa.struct(info)),
            *extra_columns,
        ]
    )


def text_field(data: dict, column: str, name: str) -> str:
    """A required, non-empty text field (stripped), or a skip naming what is wrong with it."""
    value = data.get(column)
    if value is None:
        raise SkipRow(f"missing_field:{name}", column)
    if not isinstance(value, str):
        raise SkipRow(f"bad_field:{name}", f"{column} is a {type(value).__name__}")
    if not value.strip():
        raise SkipRow(f"empty_field:{name}", column)
    return value.strip()
