"""The authors' prompt-length rule at conversion: characters of the chat-template string, <= 6142 kept."""

from __future__ import annotations

import json
from io import BytesIO

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import compose_verl_config
from PIL import Image

from critic_r1_ext.prompt import with_suffix
from data_prep import llava_critic_grpo
from data_prep.length import fork_messages


def png(width: int, height: int) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (width % 255, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def released(i: int, question: str, size=(40, 40)) -> dict:
    return {"id": f"q{i}", "question": question, "answer": "1" if i % 2 else "2", "image": {"bytes": png(*size)}}


def template_chars(processor, question: str) -> int:
    """What the authors' fork compared with 6142: the length of the chat-template string."""
    messages = fork_messages(with_suffix(question))
    return len(processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False))


def convert(tmp_path, rows, *flags) -> dict:
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    out = tmp_path / "out"
    argv = ["--input", str(tmp_path / "in.parquet"), "--out", str(out), "--val-frac", "0", *flags]
    assert llava_critic_grpo.main(argv) == 0
    return json.loads((out / "report.json").read_text())


def test_fork_messages_split_at_image_markers_like_the_authors():
    assert fork_messages("<image>\nQ <image>end") == [
        {
            "role": "user",
            "content": [
                {"type": "image"},
                {"type": "text", "text": "\nQ "},
                {"type": "image"},
                {"type": "text", "text": "end"},
            ],
        }
    ]


def test_rows_over_6142_template_characters_are_dropped_and_counted(tmp_path, tiny_processor):
    base = "<image>\nWhich response is better? x"
    pad = 6142 - template_chars(tiny_processor, base)
    rows = [released(0, base + "x" * pad), released(1, base + "x" * (pad + 1)), released(2, base)]
    assert [template_chars(tiny_processor, r["question"]) for r in rows] == [6142, 6143, 6142 - pad]
    rep = convert(tmp_path, rows)
    assert rep["skipped_ids"] == {"prompt_too_long": ["q1"]} and rep["rows_skipped_by_rule"] == 1
    assert rep["prompt_length"]["over_max_prompt_chars"] == 1 and rep["prompt_length"]["rows_measured"] == 3
    assert rep["prompt_length"]["over_max_prompt_tokens"] is None  # no --processor: tokens not measured
    kept = pq.read_table(tmp_path / "out" / "train.parquet").to_pylist()
    assert sorted(r["extra_info"]["id"] for r in kept) == ["q0", "q2"]


def test_max_prompt_chars_zero_keeps_every_row(tmp_path):
    rep = convert(tmp_path, [released(0, "<image>" + "x" * 9000)], "--max-prompt-chars", "0")
    assert rep["rows_out"]["train"] == 1 and rep["prompt_length"]["applied"] == "none"


def test_token_counts_with_a_processor_match_verls_own_filter(tmp_path, tiny_qwen_dir, tiny_processor):
    """With --processor, the rows counted over --max-prompt-tokens are exactly those verl's filter drops."""
    from omegaconf import OmegaConf
    from verl.trainer.ppo.utils import create_rl_dataset

    rows = [released(i, "<image>\nWhich is better? " + "word " * (15 * i), size=(40 + 30 * i, 60)) for i in range(12)]
    limit = 200
    flags = ["--processor", str(tiny_qwen_dir), "--max-prompt-tokens", str(limit)]
    rep = convert(tmp_path, rows, *flags, "--min-pixels", "3136", "--max-pixels", "12544")
    over = rep["prompt_length"]["over_max_prompt_tokens"]
    assert 0 < over < 12 and rep["prompt_length"]["chat_template"] == str(tiny_qwen_dir)

    train = str(tmp_path / "out" / "train.parquet")
    cfg = compose_verl_config(
        "+recipe=critic_r1",
        f"data.train_files={train}",
        f"data.val_files={train}",
        f"data.max_prompt_length={limit}",
        "data.min_pixels=3136",
        "data.max_pixels=12544",
    )
    data_cfg = OmegaConf.merge(cfg.data, {"filter_overlong_prompts_workers": None})
    kept = create_rl_dataset(train, data_cfg, tiny_processor.tokenizer, tiny_processor, is_train=True)
    assert 12 - len(kept) == over


def test_a_missing_processor_folder_is_one_line(tmp_path, capsys):
    pq.write_table(pa.Table.from_pylist([released(0, "<image>q")]), tmp_path / "in.parquet")
    argv = [
        "--input",
        str(tmp_path / "in.parquet"),
        "--out",
        str(tmp_path / "out"),
        "--processor",
        str(tmp_path / "no_such_model"),
    ]
    assert llava_critic_grpo.main(argv) == 1
    assert "--processor" in capsys.readouterr().err and not (tmp_path / "out" / "report.json").exists()
