"""Every command on bad input, run as a user runs it: one line per problem, no traceback, a known exit code.

Each row: the command, a function that writes the bad input into a fresh folder and returns the
arguments, the exit code, and the texts that must each appear on exactly one output line.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def _png_b64() -> str:
    buffer = BytesIO()
    Image.new("RGB", (32, 32), (10, 10, 200)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _pairs(tmp: Path, image) -> list[str]:
    row = {"question": "Count", "response_1": "1", "response_2": "2", "label": "1", "image": image}
    rows = [{**row, "id": f"row_{i}"} for i in range(3)]
    (tmp / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return ["--input", str(tmp / "in.jsonl"), "--out", str(tmp / "out")]


def _run_dir(tmp: Path, tracker: str | None, step: int = 3) -> list[str]:
    (tmp / "run" / f"global_step_{step}" / "actor").mkdir(parents=True)
    if tracker is not None:
        (tmp / "run" / "latest_checkpointed_iteration.txt").write_text(tracker)
    return ["--checkpoint", str(tmp / "run"), "--out", str(tmp / "hf")]


def _dump(tmp: Path, *lines: str) -> list[str]:
    (tmp / "dump").mkdir()
    (tmp / "dump" / "1.jsonl").write_text("".join(line + "\n" for line in lines))
    return [str(tmp / "dump")]


def _eval_data(tmp: Path, rows: list | None) -> list[str]:
    data = tmp / "mmstar.jsonl"
    if rows is not None:
        data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return ["--model", str(tmp / "no_model"), "--benchmarks", "mmstar", "--data", f"mmstar={data}"] + [
        "--output",
        str(tmp / "eval"),
    ]


GOOD = "<think>a</think> \\boxed{1}"
PREFLIGHT = [sys.executable, "-m", "critic_r1_ext.preflight", "--sample", "1"]
DATA_PREP = [sys.executable, "-m", "data_prep.pairwise"]
EXPORT = [sys.executable, "-m", "critic_r1_ext.export"]
METRICS = [sys.executable, "-m", "critic_r1_ext.rollout_metrics"]
EVALUATE = [sys.executable, "-m", "critic_r1_ext.evaluate"]

CASES = {
    "preflight: an override Hydra cannot apply": (
        PREFLIGHT,
        lambda tmp: ["+recipe=critic_r1", "trainer.totl_epochs=3"],
        1,
        ["[FAIL] compose: ConfigCompositionException: Could not override 'trainer.totl_epochs'."],
    ),
    "preflight: misspelt + key, zero nodes, lr not a number, a GRPO group of one": (
        PREFLIGHT,
        lambda tmp: [
            "+recipe=critic_r1",
            "+trainer.totl_epochs=3",
            "trainer.nnodes=0",
            "actor_rollout_ref.actor.optim.lr=1e-6x",
            "actor_rollout_ref.rollout.n=1",
        ],
        1,
        [
            "[FAIL] config keys: trainer.totl_epochs is read by nobody; did you mean trainer.total_epochs",
            "[FAIL] values: trainer.nnodes=0 is zero or negative",
            "[FAIL] values: actor_rollout_ref.actor.optim.lr='1e-6x' is not a number",
            "[FAIL] divisibility: not checked: a count is not a positive integer",
        ],
    ),
    "data prep: no such input": (
        DATA_PREP,
        lambda tmp: ["--input", str(tmp / "missing.jsonl"), "--out", str(tmp / "out")],
        1,
        ["pairwise: error:"],
    ),
    "data prep: image dict whose bytes are not base64": (
        DATA_PREP,
        lambda tmp: _pairs(tmp, {"bytes": "not*base64!", "path": None}),
        2,
        ["FAILED: 3 of 3 rows were bad input", "image bytes are text but not base64"],
    ),
    "data prep: image bytes as a list with a non-byte": (
        DATA_PREP,
        lambda tmp: _pairs(tmp, {"bytes": [137, 80, 999], "path": None}),
        2,
        ["FAILED: 3 of 3 rows were bad input", "hold 999, not a byte"],
    ),
    "data prep: a data URI whose base64 does not decode": (
        DATA_PREP,
        lambda tmp: _pairs(tmp, "data:image/png;base64,@@" + _png_b64()[:8]),
        2,
        ["FAILED: 3 of 3 rows were bad input", "a data URI whose base64 does not decode"],
    ),
    "export: no such folder": (
        EXPORT,
        lambda tmp: ["--checkpoint", str(tmp / "nope"), "--out", str(tmp / "hf")],
        2,
        ["export: error:", "nope: no such folder"],
    ),
    "export: tracker missing": (
        EXPORT,
        lambda tmp: _run_dir(tmp, None),
        2,
        ["export: error:", "latest_checkpointed_iteration.txt is missing; folders here: global_step_3"],
    ),
    "export: tracker garbled": (
        EXPORT,
        lambda tmp: _run_dir(tmp, "three"),
        2,
        ["export: error:", "latest_checkpointed_iteration.txt: holds 'three', not a step number"],
    ),
    "export: tracker names a step that is gone": (
        EXPORT,
        lambda tmp: _run_dir(tmp, "9"),
        2,
        ["export: error:", "says step 9, but", "global_step_9/actor is missing"],
    ),
    "export: actor folder without its shards": (
        EXPORT,
        lambda tmp: _run_dir(tmp, "3"),
        2,
        ["export: error:", "fsdp_config.json: missing"],
    ),
    "rollout metrics: a fractional step": (
        METRICS,
        lambda tmp: _dump(tmp, json.dumps({"output": GOOD, "gts": "1", "step": 1.5})),
        2,
        ["rollout_metrics: error:", "step 1.5 is not a whole number"],
    ),
    "rollout metrics: nothing scorable": (
        METRICS,
        lambda tmp: _dump(tmp, "[1, 2]", json.dumps({"output": 7, "gts": "1"}), json.dumps({"output": GOOD})),
        2,
        ["rollout_metrics: error:", "not scored: 3 lines", "not a JSON object", "output not text", "gts) missing"],
    ),
    "rollout metrics: some lines not scorable (counted, reported, exit 0)": (
        METRICS,
        lambda tmp: _dump(tmp, json.dumps({"output": GOOD, "gts": "1"}), json.dumps({"output": GOOD, "gts": [1]})),
        0,
        ["rollout_metrics: not scored: 1 lines: 1 label (gts) not a scalar (a list) (1.jsonl:2)"],
    ),
    "evaluate: --data path that does not exist": (
        EVALUATE,
        lambda tmp: _eval_data(tmp, None),
        2,
        ["critic-r1-evaluate: error:", "mmstar.jsonl"],
    ),
    "evaluate: a row without the benchmark's fields": (
        EVALUATE,
        lambda tmp: _eval_data(tmp, [{"foo": 1}]),
        2,
        ["critic-r1-evaluate: error:", "row 0"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_and_an_exit_code(tmp_path, case):
    command, make_args, code, needles = CASES[case]
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    result = subprocess.run(
        [*command, *make_args(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == code, output[-3000:]
    lines = output.splitlines()
    for needle in needles:
        assert len([line for line in lines if needle in line]) == 1, (needle, output[-3000:])
    error_lines = [line for line in lines if "error:" in line or "FAILED" in line]
    assert len(error_lines) == (1 if code else 0) or command is PREFLIGHT, error_lines
