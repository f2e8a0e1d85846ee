"""The dataset adapter, built by verl's own factory with a real Qwen2.5-VL processor."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from conftest import compose_verl_config
from PIL import Image

from critic_r1_ext.dataset import CriticPairDataset, swap_positions
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX, pairwise_prompt


def png(color, size=(56, 56)) -> dict:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return {"bytes": buf.getvalue(), "path": f"{color}.png"}


def pairwise_rows(n: int, long_row: int | None = None) -> list[dict]:
    rows = []
    for i in range(n):
        first = f"There are {i % 5} red circles." + (" very long" * 3000 if i == long_row else "")
        rows.append(
            {
                "question": f"How many red circles are in the image? (item {i})",
                "response_1": first,
                "response_2": f"I see {i % 5 + 1} circles.",
                "label": "1" if i % 2 else "2",
                "images": [png("red")],
                "data_source": "sample/shapes",
                "extra_info": {"id": f"row-{i}", "index": i},
            }
        )
    return rows


def write(tmp_path, rows, name="train.parquet"):
    path = tmp_path / name
    pd.DataFrame(rows).to_parquet(path)
    return str(path)


def build(tmp_path, rows, tokenizer, processor, *overrides, name="train.parquet"):
    from verl.trainer.ppo.utils import create_rl_dataset

    path = write(tmp_path, rows, name)
    cfg = compose_verl_config(
        "+recipe=critic_r1",
        f"data.train_files={path}",
        f"data.val_files={tmp_path / 'val.parquet'}",
        "data.max_prompt_length=1024",
        "data.filter_overlong_prompts_workers=0",  # in-process: a forked pool can hang in torch
        "data.min_pixels=3136",
        "data.max_pixels=12544",
        *overrides,
    )
    return create_rl_dataset(path, cfg.data, tokenizer, processor, is_train=True)


def user_text(item) -> str:
    return "".join(c.get("text", "") for c in item["raw_prompt"][0]["content"])


def test_verl_factory_builds_our_class_and_renders_the_critic_prompt(tmp_path, tiny_tokenizer, tiny_processor):
    ds = build(tmp_path, pairwise_rows(4), tiny_tokenizer, tiny_processor, "data.swap_prob=0")
    assert type(ds) is CriticPairDataset and len(ds) == 4
    item = ds[1]
    content = item["raw_prompt"][0]["content"]
    assert content[0]["type"] == "image" and content[0]["max_pixels"] == 12544
    text = user_text(item)
    assert "There are 1 red circles." in text and "I see 2 circles." in text
    assert text.endswith(THINK_BOXED_SUFFIX)
    assert text == pairwise_prompt(
        "How many red circles are in the image? (item 1)", "There are 1 red circles.", "I see 2 circles.", 1
    ).replace("<image>\n", "\n", 1)
    assert item["reward_model"]["ground_truth"] == "1"
    assert item["data_source"] == "sample/shapes"
    assert item["extra_info"]["id"] == "row-1" and item["index"] == 1
    for column in ("question", "response_1", "response_2", "label", "images"):
        assert column not in item


def test_swaps_follow_label_and_are_deterministic_per_epoch(tmp_path, tiny_tokenizer, tiny_processor):
    rows = pairwise_rows(40)
    ds = build(tmp_path, rows, tiny_tokenizer, tiny_processor, "data.swap_prob=0.5", "data.seed=7")
    epochs = [[ds[i] for i in range(len(ds))] for _ in range(3)]
    for epoch, items in enumerate(epochs):
        for row, item in zip(rows, items):
            swapped = item["extra_info"]["swapped"]
            assert swapped == swap_positions(7, row["extra_info"]["id"], epoch, 0.5)
            truth = {"1": "2", "2": "1"}[row["label"]] if swapped else row["label"]
            assert item["reward_model"]["ground_truth"] == truth
            text = user_text(item)
            first_shown = row["response_2"] if swapped else row["response_1"]
            assert text.index(first_shown) < text.index("[Answer 2]")
    rates = [sum(i["extra_info"]["swapped"] for i in items) / len(items) for items in epochs]
    assert all(0.2 < r < 0.8 for r in rates)
    assert [i["extra_info"]["swapped"] for i in epochs[0]] != [i["extra_info"]["swapped"] for i in epochs[1]]
    again = build(tmp_path, rows, tiny_tokenizer, tiny_processor, "data.swap_prob=0.5", "data.seed=7")
    assert [again[i]["extra_info"]["swapped"] for i in range(len(again))] == [
        i["extra_info"]["swapped"] for i in epochs[0]
    ]


def test_swap_state_survives_a_stateful_dataloader_resume(tmp_path, tiny_tokenizer, tiny_processor):
    from torchdata.stateful_dataloader import StatefulDataLoader
    from verl.utils.dataset.rl_dataset import collate_fn

    ds = build(tmp_path, pairwise_rows(8), tiny_tokenizer, tiny_processor, "data.swap_prob=0.5")
    loader = StatefulDataLoader(ds, batch_size=4, num_workers=0, collate_fn=collate_fn)
    list(loader)  # epoch 0
    state = loader.state_dict()
    expected = [b["extra_info"][j]["swapped"] for b in loader for j in range(4)]  # epoch 1
    fresh = build(tmp_path, pairwise_rows(8), tiny_tokenizer, tiny_processor, "data.swap_prob=0.5")
    resumed = StatefulDataLoader(fresh, batch_size=4, num_workers=0, collate_fn=collate_fn)
    resumed.load_state_dict(state)
    assert [b["extra_info"][j]["swapped"] for b in resumed for j in range(4)] == expected


def test_validation_files_keep_one_fixed_order(tmp_path, tiny_tokenizer, tiny_processor):
    from verl.trainer.ppo.utils import create_rl_dataset

    path = write(tmp_path, pairwise_rows(12), "val.parquet")
    cfg = compose_verl_config(
        "+recipe=critic_r1",
        f"data.val_files={path}",
        f"data.train_files={tmp_path / 'train.parquet'}",
        "data.filter_overlong_prompts=false",
        "data.swap_prob=0.5",
    )
    ds = create_rl_dataset(path, cfg.data, tiny_tokenizer, tiny_processor, is_train=False)
    first = [ds[i]["extra_info"]["swapped"] for i in range(len(ds))]
    assert first == [ds[i]["extra_info"]["swapped"] for i in range(len(ds))]
    assert any(first)


def test_overlong_rows_are_filtered_by_verl(tmp_path, tiny_tokenizer, tiny_processor):
    ds = build(tmp_path, pairwise_rows(4, long_row=2), tiny_tokenizer, tiny_processor)
    assert len(ds) == 3
    assert [ds[i]["extra_info"]["id"] for i in range(3)] == ["row-0", "row-1", "row-3"]


def test_collate_and_vision_processing_give_image_tokens(tmp_path, tiny_tokenizer, tiny_processor):
    import asyncio

    from verl import DataProto
    from verl.utils.dataset.rl_dataset import collate_fn

    ds = build(tmp_path, pairwise_rows(2), tiny_tokenizer, tiny_processor)
    batch = DataProto.from_single_dict(collate_fn([ds[0], ds[1]]))
    assert len(batch) == 2 and list(batch.non_tensor_batch["data_source"]) == ["sample/shapes"] * 2
    messages = batch.non_tensor_batch["raw_prompt"][0]
    images, videos, _ = asyncio.run(CriticPairDataset.process_multi_modal_info(messages, 14, ds.config))
    assert videos is None and max(images[0].size) <= 112  # data.max_pixels=12544 -> at most 112x112
    text = tiny_processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = tiny_processor(text=[text], images=images, return_tensors="pt")
    image_pad = tiny_processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    grid = inputs["image_grid_thw"][0]
    assert int((inputs["input_ids"] == image_pad).sum()) == int(grid.prod()) // 4


def test_a_smaller_data_max_pixels_caps_images_that_carry_their_own(tmp_path, tiny_tokenizer, tiny_processor):
    rows = pairwise_rows(2)
    rows[0]["images"] = [{**png("red"), "max_pixels": 4194304}]
    rows[1]["images"] = [{**png("red"), "max_pixels": 6272}]
    ds = build(tmp_path, rows, tiny_tokenizer, tiny_processor)
    assert [ds[i]["raw_prompt"][0]["content"][0]["max_pixels"] for i in range(2)] == [12544, 6272]


def test_released_rows_with_a_full_prompt(tmp_path, tiny_tokenizer, tiny_processor):
    rows = [
        {
            "question": "<image>\nWhich response is better?\n[Response 1] a\n[Response 2] b",
            "answer": "2",
            "image": png("blue"),
        }
    ]
    ds = build(tmp_path, rows, tiny_tokenizer, tiny_processor)
    item = ds[0]
    assert user_text(item).endswith(THINK_BOXED_SUFFIX) and "[Response 2] b" in user_text(item)
    assert item["reward_model"]["ground_truth"] == "2"
    assert item["data_source"] == "lmms-lab/LLaVA-Critic-GRPO-dataset"
    assert [c["type"] for c in item["raw_prompt"][0]["content"]][0] == "image"
    assert "image" not in item and "question" not in item and item["extra_info"]["id"].startswith("sha1:")


def test_plain_verl_rows_pass_through(tmp_path, tiny_tokenizer, tiny_processor):
    rows = [
        {
            "prompt": [{"role": "user", "content": "<image>Count the circles."}],
            "images": [png("green")],
            "data_source": "geo",
            "reward_model": {"ground_truth": "3"},
            "extra_info": {"index": 0},
        }
    ]
    item = build(tmp_path, rows, tiny_tokenizer, tiny_processor)[0]
    assert user_text(item) == "Count the circles." and item["reward_model"]["ground_truth"] == "3"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "3"}, "row row-0: label must be 1 or 2"),
        ({"label": "tie"}, "set data.allow_tie=true"),
        ({"question": "<image><image> two markers"}, "row row-0: question has 2 <image> markers but only 1 images"),
        ({"response_2": None, "question": None}, "row row-0: not a critic row"),
    ],
)
def test_bad_rows_name_the_row_and_the_problem(tmp_path, tiny_tokenizer, tiny_processor, change, message):
    rows = pairwise_rows(1)
    rows[0].update(change)
    ds = build(tmp_path, rows, tiny_tokenizer, tiny_processor, "data.filter_overlong_prompts=false")
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        ds[0]


def test_ties_are_accepted_when_allowed(tmp_path, tiny_tokenizer, tiny_processor):
    rows = pairwise_rows(1)
    rows[0]["label"] = "Tie"
    item = build(tmp_path, rows, tiny_tokenizer, tiny_processor, "data.allow_tie=true", "data.swap_prob=1")[0]
    assert item["reward_model"]["ground_truth"] == "tie" and "tie if they are equally good" in user_text(item)


def test_swap_prob_is_validated(tmp_path, tiny_tokenizer, tiny_processor):
    with pytest.raises(ValueError, match="swap_prob"):
        build(tmp_path, pairwise_rows(1), tiny_tokenizer, tiny_processor, "data.swap_prob=1.5")


def raw_pairwise_rows(n: int) -> list[dict]:
    """``data_prep.pairwise``'s default input layout: the picture in an ``image`` column, no ``images``."""
    rows = pairwise_rows(n)
    for row in rows:
        row["image"] = row.pop("images")[0]
    return rows


def test_a_picture_in_an_image_column_reaches_the_prompt(tmp_path, tiny_tokenizer, tiny_processor):
    import asyncio

    ds = build(tmp_path, raw_pairwise_rows(3), tiny_tokenizer, tiny_processor, "data.swap_prob=0")
    assert len(ds) == 3
    item = ds[1]
    content = item["raw_prompt"][0]["content"]
    assert [c["type"] for c in content].count("image") == 1 and content[0]["max_pixels"] == 12544
    assert "image" not in item and "images" not in item
    images, _, _ = asyncio.run(CriticPairDataset.process_multi_modal_info(item["raw_prompt"], 14, ds.config))
    assert len(images) == 1 and images[0].getpixel((0, 0)) == (255, 0, 0)


def test_an_image_column_holding_a_list_gives_every_image(tmp_path, tiny_tokenizer, tiny_processor):
    rows = raw_pairwise_rows(1)
    rows[0]["image"] = [png("red"), png("blue")]
    item = build(tmp_path, rows, tiny_tokenizer, tiny_processor)[0]
    assert [c["type"] for c in item["raw_prompt"][0]["content"]].count("image") == 2


@pytest.mark.parametrize("filter_overlong", ["true", "false"])
def test_a_critic_row_without_any_image_is_an_error_naming_it(
    tmp_path, tiny_tokenizer, tiny_processor, filter_overlong
):
    rows = pairwise_rows(4)
    rows[2]["images"] = []
    message = r"row row-2: no image in 'images' or 'image' \(1 of 4 rows\).*allow_text_only"
    with pytest.raises(ValueError, match=message):
        build(tmp_path, rows, tiny_tokenizer, tiny_processor, f"data.filter_overlong_prompts={filter_overlong}")


def test_a_released_row_without_image_is_an_error(tmp_path, tiny_tokenizer, tiny_processor):
    question = "Which response is better?\n[Response 1] a\n[Response 2] b"
    rows = [{"question": question, "answer": "2", "image": None, "id": "r7"}]
    with pytest.raises(ValueError, match="row r7: no image"):
        build(tmp_path, rows, tiny_tokenizer, tiny_processor)


def test_text_only_rows_train_when_explicitly_allowed(tmp_path, tiny_tokenizer, tiny_processor):
    rows = pairwise_rows(2)
    for row in rows:
        row["images"] = []
    ds = build(tmp_path, rows, tiny_tokenizer, tiny_processor, "data.allow_text_only=true", "data.swap_prob=0")
    content = ds[0]["raw_prompt"][0]["content"]
    assert len(ds) == 2 and isinstance(content, str) and "There are 0 red circles." in content


def test_recipe_keeps_positions_as_the_authors_did(tmp_path, tiny_tokenizer, tiny_processor):
    """The authors' training never swapped positions: the recipe's default shows each row as written."""
    assert compose_verl_config("+recipe=critic_r1").data.swap_prob == 0
    ds = build(tmp_path, pairwise_rows(8), tiny_tokenizer, tiny_processor)
    assert not any(ds[i]["extra_info"]["swapped"] for i in range(len(ds)))
