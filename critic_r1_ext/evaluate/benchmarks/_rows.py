"""Row readers some benchmarks need besides ``load_rows``: rows numbered by position, for tables without ids."""

from __future__ import annotations

from critic_r1_ext.evaluate.benchmarks.loading import load_rows


def numbered_rows(benchmark, source: str | None = None, limit: int | None = None):
    """``load_rows`` with each row's position within its config under ``_row`` (the item id of a table
    that has no id column; stable for a given release of the data)."""
    seen: dict = {}
    for row in load_rows(benchmark, source, limit):
        position = seen.get(row.get("_config"), 0)
        seen[row.get("_config")] = position + 1
        yield {**row, "_row": position}
