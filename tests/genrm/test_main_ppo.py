"""verl's real ``main_ppo`` on a CPU: 2 GRPO steps of the tiny policy rewarded by the tiny critic behind the
loopback server, through CriticGenRM on 2 reward workers, with the judge metrics in what verl's logger
writes each step (its ``file`` backend, the same dict its console backend prints).

The same CPU plug-ins as the critic_r1 dry run (``critic_r1_ext.cpu``, docs/cpu_dry_run.md); the policy
data is a verl RL parquet read by verl's own RLHFDataset. Kept short: 32-token answers, 2 steps, no
validation, no checkpoint; 8 prompts, so 2 steps of 4 prompts x 4 rollouts make one epoch.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.ray]


def _policy_parquet(path):
    import pandas as pd
    from PIL import Image

    rows = []
    for k, color in enumerate(["red", "green", "blue", "yellow", "white", "black", "purple", "orange"]):
        buffer = io.BytesIO()
        size = (56 + 28 * (k % 3), 56 + 28 * (k % 2))  # sizes vary, as in real data
        Image.new("RGB", size, color).save(buffer, format="PNG")
        rows.append(
            {
                "data_source": "toy/colors",
                "prompt": [{"role": "user", "content": "<image>What color is the square?"}],
                "images": [{"bytes": buffer.getvalue()}],
                "ability": "vision",
                "reward_model": {"style": "model", "ground_truth": f"The square is {color}."},
                "extra_info": {"index": k},
            }
        )
    pd.DataFrame(rows).to_parquet(path)


def test_two_grpo_steps_rewarded_by_the_tiny_critic(tmp_path):
    from critic_r1_ext.genrm.loopback import hf_reply, serve
    from critic_r1_ext.tiny_model import build_tiny_qwen2_5_vl

    model = build_tiny_qwen2_5_vl(tmp_path / "tiny_qwen2_5_vl")
    data = tmp_path / "policy.parquet"
    _policy_parquet(data)
    calls = []
    reply = hf_reply(str(model), pixel_bounds={"min_pixels": 3136, "max_pixels": 50176})

    def judge(payload):
        calls.append(sum(p.get("type") == "image_url" for p in payload["messages"][-1]["content"]))
        return reply(payload)

    metrics = tmp_path / "metrics.jsonl"
    with serve(judge) as url:
        cmd = [
            sys.executable, "-m", "verl.trainer.main_ppo", "+recipe=critic_genrm_smoke",
            f"actor_rollout_ref.model.path={model}", f"data.train_files={data}", f"data.val_files={data}",
            f"+reward.custom_reward_function.reward_kwargs.base_url={url}",
            f"trainer.default_local_dir={tmp_path / 'checkpoints'}",
            "+ray_kwargs.ray_init.address=local",  # a cluster of its own, even if another job runs one here
            "trainer.logger=[console,file]",  # verl's file logger: the step metrics as JSON lines
            f"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH={metrics}",
        ]  # fmt: skip
        env = {**os.environ, "VERL_PLATFORM": "cpu", "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
        out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200)
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-6000:]
    steps = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [s["step"] for s in steps] == [1, 2]
    for step in steps:
        data = step["data"]
        # 4 groups of 4 rollouts, round robin in both orders: 4 * 12 judge calls per step, no fallback.
        assert data["genrm/judge_calls"] == 48 and data["genrm/fallback"] == 0, data
        for metric in ("genrm/parse_failures", "genrm/judge_failures", "genrm/neutral", "genrm/position1_rate",
                       "genrm/swap_consistency", "genrm/reward/round_robin", "critic/score/mean"):  # fmt: skip
            assert metric in data, metric
        # The untrained critic rarely writes a verdict: failures are counted, rewards stay in [0, 1].
        assert data["genrm/parse_failures"] + data["genrm/judge_failures"] <= 48
        assert 0.0 <= data["critic/score/mean"] <= 1.0
    assert len(calls) == 96 and set(calls) == {1}  # every judge call carried the row's image
