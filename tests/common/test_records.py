"""Result files: a torn line, including one that is valid JSON but not a record, is dropped and reported."""

from __future__ import annotations

import json

from critic_r1_ext.common.records import load_output


def test_torn_lines_and_non_objects_are_dropped_and_the_file_repaired(tmp_path, capsys):
    path = tmp_path / "out.jsonl"
    good = [{"id": "a", "output": "x"}, {"id": "b", "output": "y"}]
    path.write_text(
        json.dumps(good[0]) + "\n12\n" + '"text"\n[1, 2]\n{"no_id": 1}\n' + json.dumps(good[1]) + '\n{"id": "c", "out'
    )
    assert load_output(path) == good
    assert "dropped 5 unreadable line(s)" in capsys.readouterr().out
    assert [json.loads(line) for line in path.read_text().splitlines()] == good
