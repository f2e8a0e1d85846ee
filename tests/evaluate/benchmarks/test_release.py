"""Benchmarks published as repositories of files: the hub snapshot fetches only the table and the media."""

from __future__ import annotations

import huggingface_hub
import pytest
from benchmark_rows import fixture_writers

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items


@pytest.mark.parametrize(
    ("name", "patterns"),
    [("mmhal", ["response_template.json", "images/*"]), ("mmvu", ["validation.json", "videos/**"])],
)
def test_without_data_the_repository_snapshot_is_read(name, patterns, tmp_path, monkeypatch):
    folder, calls = fixture_writers()[name](tmp_path), []

    def snapshot_download(repo_id, repo_type, allow_patterns):  # the hub is unreachable here: stands in for it
        calls.append((repo_id, repo_type, allow_patterns))
        return str(folder)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    from_hub, _ = items(name)
    assert calls == [(REGISTRY[name].hub_id, "dataset", patterns)]
    assert [i.reference() for i in from_hub] == [i.reference() for i in items(name, str(folder))[0]]
