"""Export: a genuine verl FSDP checkpoint of the tiny Qwen2.5-VL (FSDP2, gloo, world size 1, CPU),
merged by verl's model merger through ``critic_r1_ext.export``, then loaded with transformers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch

SAVE_CHECKPOINT = textwrap.dedent(
    """
    import os, socket, sys
    import torch
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from verl.utils.checkpoint.checkpoint_manager import get_checkpoint_tracker_filename
    from verl.utils.checkpoint.fsdp_checkpoint_manager import FSDPCheckpointManager

    src, run_dir, expected = sys.argv[1:4]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=port, RANK="0", WORLD_SIZE="1", LOCAL_RANK="0")
    model = AutoModelForImageTextToText.from_pretrained(src, dtype=torch.float32)
    with torch.no_grad():  # "training": the export must carry these weights, not the initial ones
        for param in model.parameters():
            param.mul_(1.5).add_(0.01)
    torch.save({k: v.clone() for k, v in model.state_dict().items()}, expected)
    dist.init_process_group("gloo")
    fully_shard(model, mesh=init_device_mesh("cpu", (1,), mesh_dim_names=("fsdp",)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-6)
    manager = FSDPCheckpointManager(model, optimizer, processing_class=AutoProcessor.from_pretrained(src))
    manager.save_checkpoint(os.path.join(run_dir, "global_step_3", "actor"), global_step=3)
    with open(get_checkpoint_tracker_filename(run_dir), "w") as f:  # what verl's trainer writes
        f.write("3")
    dist.destroy_process_group()
    """
)


@pytest.fixture(scope="module")
def fsdp_run(tiny_qwen_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("fsdp_run")
    run_dir, expected = root / "critic_r1" / "exp", root / "expected.pt"
    subprocess.run(
        [sys.executable, "-c", SAVE_CHECKPOINT, str(tiny_qwen_dir), str(run_dir), str(expected)],
        check=True,
        timeout=120,
    )
    return run_dir, torch.load(expected)


def test_export_merges_latest_checkpoint_into_loadable_hf_folder(fsdp_run, tmp_path):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from critic_r1_ext.export.__main__ import main

    run_dir, expected = fsdp_run
    out = tmp_path / "hf"
    assert main(["--checkpoint", str(run_dir), "--out", str(out), "--check-load"]) == 0

    model = AutoModelForImageTextToText.from_pretrained(out, dtype=torch.float32)
    merged = model.state_dict()
    assert set(merged) == set(expected)
    for key, value in expected.items():  # the merger stores bf16
        torch.testing.assert_close(merged[key], value.to(torch.bfloat16).float(), rtol=0, atol=0)
    processor = AutoProcessor.from_pretrained(out)
    assert processor.tokenizer.convert_tokens_to_ids("<|image_pad|>") == model.config.image_token_id


def test_export_accepts_step_and_actor_folders(fsdp_run):
    from critic_r1_ext.export.__main__ import find_actor_dir

    run_dir, _ = fsdp_run
    actor = run_dir / "global_step_3" / "actor"
    assert find_actor_dir(run_dir) == actor
    assert find_actor_dir(run_dir / "global_step_3") == actor
    assert find_actor_dir(actor) == actor


def test_export_rejects_folder_without_checkpoint(tmp_path, capsys):
    from critic_r1_ext.export.__main__ import main

    assert main(["--checkpoint", str(tmp_path), "--out", str(tmp_path / "hf")]) == 2
    err = capsys.readouterr().err
    assert "no verl FSDP checkpoint here (latest_checkpointed_iteration.txt is missing)" in err


def test_export_names_a_garbled_tracker_and_a_missing_shard(fsdp_run, tmp_path):
    """Copies of a real checkpoint with one file broken: the error names that file."""
    import shutil

    from critic_r1_ext.export.__main__ import ExportError, find_actor_dir

    run_dir, _ = fsdp_run
    broken = tmp_path / "run"
    shutil.copytree(run_dir, broken)
    (broken / "latest_checkpointed_iteration.txt").write_text("3\x00garbage")
    with pytest.raises(ExportError, match="latest_checkpointed_iteration.txt: holds .*not a step number"):
        find_actor_dir(broken)
    (broken / "latest_checkpointed_iteration.txt").write_text("7")
    with pytest.raises(ExportError, match="says step 7, but .*global_step_7/actor is missing; folders here: global_"):
        find_actor_dir(broken)
    (broken / "latest_checkpointed_iteration.txt").write_text("3")
    (broken / "global_step_3" / "actor" / "model_world_size_1_rank_0.pt").unlink()
    with pytest.raises(ExportError, match="missing model_world_size_1_rank_0.pt"):
        find_actor_dir(broken)
