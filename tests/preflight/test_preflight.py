"""Preflight: real Hydra composition, verl validation, our dataset and the tiny Qwen2.5-VL processor."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from critic_r1_ext.preflight.__main__ import main


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (40 * width % 255, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def write_pairwise(path, n: int = 16, labels=None) -> None:
    """``n`` pairwise critic rows with images of varied shape and questions of varied length."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "question": "How many red circles are in the image? " * (1 + 3 * i),
                "response_1": f"There are {i} red circles.",
                "response_2": f"There are {i + 1} red circles.",
                "label": (labels or ["1", "2"])[i % len(labels or ["1", "2"])],
                "images": [{"bytes": _png(56 + 40 * i, 56 + 20 * (i % 3)), "path": f"img_{i}.png"}],
                "data_source": "critic/test",
                "extra_info": {"id": f"row_{i}"},
            }
        )
    pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("preflight_data")
    write_pairwise(root / "train.parquet", 16)
    write_pairwise(root / "val.parquet", 4)
    return root


@pytest.fixture
def base_overrides(data_dir, tiny_qwen_dir):
    return [
        "+recipe=critic_r1",
        f"data.train_files={data_dir / 'train.parquet'}",
        f"data.val_files={data_dir / 'val.parquet'}",
        f"actor_rollout_ref.model.path={tiny_qwen_dir}",
        "data.train_batch_size=8",
        "actor_rollout_ref.actor.ppo_mini_batch_size=4",
    ]


def run_preflight(capsys, *argv) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    checks = json.loads(capsys.readouterr().out)
    by_name: dict = {}
    for check in checks:
        by_name.setdefault(check["name"], []).append(check)
    return code, by_name


def failures(by_name) -> dict:
    return {name: c for name, cs in by_name.items() for c in cs if c["status"] == "FAIL"}


def test_preflight_passes_on_a_good_setup(capsys, base_overrides, tiny_qwen_dir):
    code, checks = run_preflight(capsys, *base_overrides)
    assert failures(checks) == {}
    assert code == 0
    assert checks["processor"][0]["status"] == "PASS" and str(tiny_qwen_dir) in checks["processor"][0]["detail"]
    assert "16 rows; 1: 8 (50%), 2: 8 (50%)" in checks["train labels"][0]["detail"]
    assert "0/16 sampled rows over max_prompt_length=8192" in checks["train prompt length"][0]["detail"]
    assert "~2 steps/epoch x 15 epochs" in checks["steps"][0]["detail"]
    assert "correct 1.00" in checks["reward"][0]["detail"] and "wrong 0.10" in checks["reward"][0]["detail"]
    memory = checks["GPU memory"][0]
    assert memory["status"] == "PASS" and "config.json" in memory["detail"]


def test_preflight_fails_on_legacy_reward_key(capsys, base_overrides):
    code, checks = run_preflight(capsys, *base_overrides, "custom_reward_function.path=pkg://critic_r1_ext.reward")
    assert code == 1
    legacy = checks["legacy reward keys"][0]
    assert legacy["status"] == "FAIL" and "custom_reward_function.path" in legacy["detail"]
    assert "reward.custom_reward_function" in legacy["fix"]


def test_preflight_fails_without_recipe(capsys, data_dir):
    code, checks = run_preflight(capsys, f"data.train_files={data_dir / 'train.parquet'}")
    assert code == 1
    assert checks["recipe"][0]["status"] == "FAIL" and "+recipe=critic_r1" in checks["recipe"][0]["fix"]


def test_preflight_fails_on_indivisible_batch(capsys, base_overrides):
    code, checks = run_preflight(capsys, *base_overrides, "trainer.nnodes=3", "data.train_batch_size=10")
    assert code == 1
    failed = [c["detail"] for c in checks["divisibility"] if c["status"] == "FAIL"]
    assert any("train_batch_size*rollout.n = 10*8 over 24 GPUs" in d for d in failed)
    assert any("ppo_mini_batch_size 4 divides train_batch_size 10" in d for d in failed)


def test_preflight_fails_on_missing_data_file(capsys, base_overrides, tmp_path):
    missing = tmp_path / "nope.parquet"
    code, checks = run_preflight(capsys, *base_overrides, f"data.val_files={missing}")
    assert code == 1
    val = checks["val data"][0]
    assert val["status"] == "FAIL" and str(missing) in val["detail"] and "data-prep" in val["fix"]


def test_preflight_counts_overlong_rows_like_verls_filter(capsys, base_overrides, data_dir, tiny_processor):
    """Fails when long rows would reach rollout unfiltered, and its count equals what verl's filter drops."""
    from omegaconf import OmegaConf
    from verl.trainer.ppo.utils import create_rl_dataset

    from critic_r1_ext.preflight.__main__ import compose

    _, checks = run_preflight(capsys, *base_overrides)
    longest = int(checks["train prompt length"][0]["detail"].split(": ")[-1].split()[0])
    limit = longest - 150
    code, checks = run_preflight(
        capsys, *base_overrides, f"data.max_prompt_length={limit}", "data.filter_overlong_prompts=false"
    )
    assert code == 1
    length = checks["train prompt length"][0]
    assert length["status"] == "FAIL" and "filter_overlong_prompts=true" in length["fix"]
    over = int(length["detail"].split("/")[0])
    assert 0 < over < 16

    cfg = compose([*base_overrides, f"data.max_prompt_length={limit}"])
    data_cfg = OmegaConf.merge(cfg.data, {"filter_overlong_prompts_workers": None})  # no process pool
    kept = create_rl_dataset(cfg.data.train_files, data_cfg, tiny_processor.tokenizer, tiny_processor)
    assert 16 - len(kept) == over


def test_preflight_flags_unusable_labels_and_broken_rows(capsys, base_overrides, tmp_path):
    bad = tmp_path / "bad.parquet"
    write_pairwise(bad, 8, labels=["1", "2", "maybe"])
    table = pq.read_table(bad).to_pylist()
    table[0]["question"] = "<image> <image> two markers, one image"
    pq.write_table(pa.Table.from_pylist(table), bad)
    code, checks = run_preflight(capsys, *base_overrides, f"data.train_files={bad}")
    assert code == 1
    assert "2 rows with an unusable label" in checks["train labels"][0]["detail"]
    rows = checks["train rows"][0]
    assert rows["status"] == "FAIL" and "row 0:" in rows["detail"]


def test_preflight_fails_on_a_missing_model_folder_a_misspelt_key_and_a_node_that_cannot_train(
    capsys, base_overrides, tmp_path
):
    missing = tmp_path / "checkpoints" / "qwen"
    code, checks = run_preflight(
        capsys, *base_overrides, f"actor_rollout_ref.model.path={missing}", "+data.swap_probb=0.5", "--on-node"
    )
    assert code == 1
    model = checks["model path"][0]
    assert model["status"] == "FAIL" and f"{missing}: no such folder" in model["detail"]
    assert "hf download" in model["fix"]
    keys = checks["config keys"][0]
    assert keys["status"] == "FAIL" and "did you mean data.swap_prob" in keys["detail"]
    gpus = checks["node GPUs"][0]
    assert gpus["status"] == "FAIL" and "1 x 8 = 8 GPUs" in gpus["detail"]
    for module in ("vllm", "transfer_queue", "flash_attn"):
        check = checks[f"node {module}"][0]
        assert check["status"] == "PASS" or check["fix"] == 'pip install -e ".[gpu]"'


def test_node_check_counts_gpus_for_every_node(verl_config):
    from critic_r1_ext.preflight.node import check_node

    cfg = verl_config("+recipe=critic_r1", "trainer.nnodes=2", "trainer.n_gpus_per_node=4")
    short = {c.name: c for c in check_node(cfg, on_node=True, gpus=2)}["node GPUs"]
    assert short.status == "FAIL" and "2 x 4 = 8 GPUs, 4 on each node; this node sees 2" in short.detail
    enough = {c.name: c for c in check_node(cfg, on_node=False, gpus=4)}["node GPUs"]
    assert enough.status == "PASS" and "other 1 node(s) are not visible" in enough.detail


def test_without_gpus_the_preflight_says_what_training_needs(verl_config):
    from critic_r1_ext.preflight.node import check_node

    (laptop,) = check_node(verl_config("+recipe=critic_r1"), on_node=False, gpus=0)
    assert laptop.status == "WARN" and 'pip install -e ".[gpu]"' in laptop.fix and "GPU node" in laptop.fix


def test_unknown_data_keys_far_from_any_known_one_only_warn(capsys, base_overrides):
    _, checks = run_preflight(capsys, *base_overrides, "+data.my_own_flag=1", "--sample", "2")
    (keys,) = checks["config keys"]
    assert keys["status"] == "WARN" and "data.my_own_flag" in keys["detail"]


def write_raw_pairwise(path, n: int = 8, image_column: str | None = "image", empty_rows=()) -> None:
    """``data_prep.pairwise``'s input layout: one picture per row in ``image_column``."""
    rows = []
    for i in range(n):
        row = {
            "question": f"Count the circles ({i}).",
            "response_1": f"{i}",
            "response_2": f"{i + 1}",
            "label": "1" if i % 2 else "2",
            "extra_info": {"id": f"raw_{i}"},
        }
        if image_column:
            row[image_column] = None if i in empty_rows else {"bytes": _png(56, 56), "path": f"{i}.png"}
        rows.append(row)
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_pictures_in_an_image_column_pass_with_our_dataset_and_fail_with_one_that_ignores_them(
    capsys, base_overrides, tmp_path
):
    raw = tmp_path / "raw.parquet"
    write_raw_pairwise(raw)
    code = main([*base_overrides, f"data.train_files={raw}"])
    out = capsys.readouterr().out
    assert "[PASS] train images" in out
    assert "Dry-run the real loop on your laptop: the README section of that name" in out
    code, checks = run_preflight(capsys, *base_overrides, f"data.train_files={raw}", "data.custom_cls.path=null")
    assert code == 1
    images = checks["train images"][0]
    assert images["status"] == "FAIL" and "pictures in column 'image'" in images["detail"]
    assert "data.image_key=image" in images["fix"]


def test_critic_rows_without_an_image_fail_unless_text_only_is_allowed(capsys, base_overrides, tmp_path):
    raw = tmp_path / "raw.parquet"
    write_raw_pairwise(raw, empty_rows=(3,))
    code, checks = run_preflight(capsys, *base_overrides, f"data.train_files={raw}")
    assert code == 1
    images = checks["train images"][0]
    assert images["status"] == "FAIL" and "1/8 sampled rows have no image (rows 3)" in images["detail"]
    assert "data.allow_text_only=true" in images["fix"]
    text_only = tmp_path / "text_only.parquet"
    write_raw_pairwise(text_only, image_column=None)
    _, checks = run_preflight(capsys, *base_overrides, f"data.train_files={text_only}")
    assert checks["train images"][0]["status"] == "FAIL" and "no image column" in checks["train images"][0]["detail"]
    _, checks = run_preflight(capsys, *base_overrides, f"data.train_files={text_only}", "data.allow_text_only=true")
    assert checks["train images"][0]["status"] == "WARN"


def test_a_check_that_raises_is_a_fail_line_naming_it_not_a_traceback():
    from critic_r1_ext.preflight.__main__ import guarded

    (check,) = guarded("GPU memory", lambda cfg: cfg["trainer"]["nnodes"] // 0, {"trainer": {"nnodes": 1}})
    assert check.status == "FAIL" and check.name == "GPU memory"
    assert check.detail == "the check stopped on ZeroDivisionError: integer division or modulo by zero"
