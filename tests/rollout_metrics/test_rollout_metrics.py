"""Per-step acc, format and position bias from dumps written by verl's own rollout writer."""

from __future__ import annotations

import csv
import json

import pytest

from critic_r1_ext.rollout_metrics import metrics_table
from critic_r1_ext.rollout_metrics.__main__ import main


def write_step(dump_dir, step, outputs, gts):
    """One step's dump through verl's V1 trainer writer (the ``trainer.rollout_data_dir`` format)."""
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    PPOTrainer._write_generations(
        inputs=["prompt"] * len(outputs),
        outputs=outputs,
        gts=gts,
        scores=[0.0] * len(outputs),
        reward_extra_infos_dict={"uid": [f"u{i}" for i in range(len(outputs))]},
        dump_path=str(dump_dir),
        global_steps=step,
    )


def test_metrics_per_step_including_position_bias(tmp_path):
    good = "<think>I compared them.</think> \\boxed{1}"
    write_step(tmp_path, 1, [good, good, "no box", good], ["1", "2", "1", "2"])
    write_step(tmp_path, 10, [good, "<think>x</think> \\boxed{2}"], ["1", "2"])
    table = metrics_table(tmp_path)
    assert [row["step"] for row in table] == [1, 10]
    first, last = table
    assert (first["acc"], first["format"], first["no_verdict"]) == (0.25, 0.75, 0.25)
    assert (first["verdict_1"], first["label_1"], first["position_bias"]) == (0.75, 0.5, 0.25)
    assert (last["acc"], last["format"], last["position_bias"]) == (1.0, 1.0, 0.0)


def test_cli_prints_and_writes_csv_and_json(tmp_path, capsys):
    write_step(tmp_path / "dump", 3, ["<think>a</think> \\boxed{2}"], ["Response 2"])
    argv = [str(tmp_path / "dump"), "--csv", str(tmp_path / "m.csv"), "--json", str(tmp_path / "m.json")]
    assert main([*argv, "--mode", "robust"]) == 0  # "Response 2" matches \\boxed{2} only in the robust mode
    assert "position_bias" in capsys.readouterr().out
    rows = list(csv.DictReader((tmp_path / "m.csv").open()))
    assert rows[0]["step"] == "3" and float(rows[0]["acc"]) == 1.0
    assert json.loads((tmp_path / "m.json").read_text())[0]["label_1"] == 0.0


@pytest.mark.parametrize("content, message", [(None, "no <step>.jsonl"), ("{not json", "1.jsonl:1")])
def test_cli_names_the_problem(tmp_path, capsys, content, message):
    if content is not None:
        (tmp_path / "1.jsonl").write_text(content + "\n")
    assert main([str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_unscorable_lines_are_skipped_counted_and_summarised(tmp_path, capsys):
    good = "<think>a</think> \\boxed{1}"
    write_step(tmp_path, 2, [good, good], ["1", "2"])
    bad_lines = [
        "[1, 2]",
        '"just a string"',
        json.dumps({"output": ["not", "text"], "gts": "1", "step": 2}),
        json.dumps({"output": good, "step": 2}),
        json.dumps({"output": good, "gts": {"label": "1"}, "step": 2}),
        "{truncated",
    ]
    with (tmp_path / "2.jsonl").open("a") as f:
        f.write("\n".join(bad_lines) + "\n")
    (row,) = metrics_table(tmp_path)
    assert (row["rollouts"], row["skipped"], row["acc"]) == (2, 6, 0.5)
    assert main([str(tmp_path)]) == 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not scored: 6 lines" in err
    for why in (
        "not a JSON object (a list)",
        "output not text (a list)",
        "label (gts) missing",
        "not a scalar",
        "JSON",
    ):
        assert why in err


def test_a_fractional_step_is_refused(tmp_path, capsys):
    (tmp_path / "1.jsonl").write_text(json.dumps({"output": "x", "gts": "1", "step": 1.5}) + "\n")
    assert main([str(tmp_path)]) == 2
    assert "1.jsonl:1: step 1.5 is not a whole number" in capsys.readouterr().err
