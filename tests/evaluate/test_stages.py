import json

import pytest

from critic_r1_ext.evaluate import stages
from critic_r1_ext.evaluate.benchmarks import Item


def _item(item_id):
    return Item(item_id, "q", [], "text", "a")


def test_pending_skips_done_ids_and_refuses_other_settings(tmp_path):
    path = tmp_path / "out" / "b.greedy.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps({"id": "1", "settings": {"n": 1}}) + "\n")
    todo = stages.pending(path, [_item("1"), _item("2")], {"n": 1}, resume=True)
    assert [item.id for item in todo] == ["2"]
    with pytest.raises(SystemExit, match=r'other settings \(\{"n": 1\}, now \{"n": 2\}\)'):
        stages.pending(path, [_item("1")], {"n": 2}, resume=True)
    assert [item.id for item in stages.pending(path, [_item("1")], {"n": 2}, resume=False)] == ["1"]
