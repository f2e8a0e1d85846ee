"""A round's resumable row files: one JSONL line per sample set or judgment, flushed as it is made.

A rerun reads what is there and makes only what is missing, so no prompt is sampled twice and no
pair is judged twice; a file made with other settings (another policy, critic, N ...) is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from critic_r1_ext.common.records import append_record, load_output, other_settings
from data_prep.errors import DataPrepError


class RowFile:
    """Records keyed by ``id`` in a JSONL file, each carrying the ``settings`` that made it."""

    def __init__(self, path: Path, settings: dict):
        self.path = Path(path)
        self.settings = settings
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = load_output(self.path)
        other = other_settings(existing, settings)
        if other:
            raise DataPrepError(
                f"{self.path} was made with other settings ({other}, now {json.dumps(settings, sort_keys=True)}); "
                "use another --out or --round, or delete that file to start it over"
            )
        self.records = {r["id"]: r for r in existing}

    def add(self, records: list[dict]) -> None:
        with self.path.open("a") as handle:
            for record in records:
                record = {**record, "settings": self.settings}
                append_record(handle, record)
                self.records[record["id"]] = record
