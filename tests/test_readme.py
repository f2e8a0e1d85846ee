"""The README's offline demo runs as written (on the tiny model, CPU, HF backend)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def demo_commands() -> list[str]:
    """The shell commands of the README's "Offline demo" code block, continuation lines joined."""
    section = REPO.joinpath("README.md").read_text().split("## Offline demo", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_offline_demo_runs_end_to_end(tmp_path):
    commands = demo_commands()
    assert [shlex.split(c)[2] for c in commands] == [
        "critic_r1_ext.tiny_model",
        "critic_r1_ext.self_critic",
        "critic_r1_ext.evaluate.critic",
    ]
    for command in commands:
        argv = [arg.replace("runs/", f"{tmp_path}/") for arg in shlex.split(command)]
        assert argv[0] == "python"
        subprocess.run([sys.executable, *argv[1:]], cwd=REPO, check=True, timeout=600)
    best_of_n = [json.loads(line) for line in (tmp_path / "demo_bo4.jsonl").read_text().splitlines()]
    critic = [json.loads(line) for line in (tmp_path / "demo_critic.jsonl").read_text().splitlines()]
    assert len(best_of_n) == 4 and len(critic) == 4
