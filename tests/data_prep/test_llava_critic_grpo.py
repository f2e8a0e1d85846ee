"""data_prep.llava_critic_grpo (the released RL set) and data_prep.pairwise on llava-critic-113k conversations."""

from __future__ import annotations

import json
from io import BytesIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from critic_r1_ext.prompt import THINK_BOXED_SUFFIX, pairwise_prompt
from data_prep import llava_critic_grpo, pairwise
from data_prep.preference import preference, split_judge_prompt


def png(color=(10, 20, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (24, 24), color).save(buffer, format="PNG")
    return buffer.getvalue()


def released_row(i: int, answer="1", question=None, image="default"):
    text = (
        question or f"<image>\nQuestion: what is shown? ({i})\nResponse 1: a cat.\nResponse 2: a dog.\nWhich is better?"
    )
    return {
        "question": text,
        "answer": answer,
        "image": {"bytes": png((i, i, i)), "path": None} if image == "default" else image,
    }


def test_released_set_converts_with_suffix_and_reports_label_balance(tmp_path):
    rows = [released_row(i, answer="1" if i % 4 else "2") for i in range(40)]
    rows += [
        released_row(40, answer="Response 2"),
        released_row(41, answer="3"),
        released_row(42, question="No marker here: which is better?"),
        released_row(43, question="<image> vs <image>?"),
        released_row(44, image=None),
        released_row(45, answer=None),
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "train-00000-of-00001.parquet")
    out = tmp_path / "out"
    code = llava_critic_grpo.main(
        ["--input", str(tmp_path / "train-00000-of-00001.parquet"), "--out", str(out), "--max-skip-frac", "0.1"]
    )
    assert code == 0
    rep = json.loads((out / "report.json").read_text())
    refs = "train-00000-of-00001.parquet:"
    assert rep["skipped_ids"] == {
        "unknown_label": [refs + "41"],
        "too_many_image_markers": [refs + "43"],
        "missing_image": [refs + "44"],
        "missing_field:answer": [refs + "45"],
    }
    assert rep["labels_in"] == {"1": 31, "2": 11} and rep["position_balance"]["total"]["first_better"] == pytest.approx(
        31 / 42
    )
    written = pq.read_table(out / "train.parquet").to_pylist() + pq.read_table(out / "val.parquet").to_pylist()
    assert len(written) == 42 and {r["data_source"] for r in written} == {"llava-critic-grpo"}
    by_id = {r["extra_info"]["id"]: r for r in written}
    assert by_id[refs + "40"]["reward_model"]["ground_truth"] == "2"
    assert (
        by_id[refs + "42"]["prompt"][0]["content"] == "<image>\nNo marker here: which is better? " + THINK_BOXED_SUFFIX
    )
    assert all(r["prompt"][0]["content"].count("<image>") == len(r["images"]) == 1 for r in written)
    assert set(written[0]) == {"data_source", "prompt", "images", "ability", "reward_model", "extra_info"}


GPT = {
    "first": "Response 1 names the right colour while response 2 invents a dog.\nThe better response: [first]",
    "second": "The first response misses the sign, so overall Response 2 is better.",
    "tie": "Both are accurate and helpful; the two responses are equally good.",
    "arena": "My verdict: [[B>A]]",
    "unclear": "Both responses have strengths and weaknesses in different respects overall.",
}


def judge_prompt(question: str, first: str, second: str) -> str:
    return (
        "<image>\nGiven an image and a question, judge which answer is better.\n"
        f"Question: [{question}]\nThe first response: [{first}]\nThe second response: [{second}]\nASSISTANT:\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "2"),
        ("Response B", "2"),
        ("first", "1"),
        ("[[1]]", "1"),
        ("Tie", "tie"),
        ("maybe", None),
        (GPT["first"], "1"),
        (GPT["second"], "2"),
        (GPT["tie"], "tie"),
        (GPT["arena"], "2"),
        (GPT["unclear"], None),
        ("Response 1 is better at colours, but after checking the count, the better response is Response 2.", "2"),
        ("A long rationale that finally concludes with the verdict \\boxed{Response 1} for this pair.", "1"),
    ],
)
def test_preference_reads_labels_and_explicit_verdicts_only(text, expected):
    assert preference(text) == expected


def test_judge_prompt_split_keeps_brackets_inside_responses():
    assert split_judge_prompt(judge_prompt("What is [x]?", "It is [1].", "Two [2]")) == (
        "What is [x]?",
        "It is [1].",
        "Two [2]",
    )
    assert split_judge_prompt("Rate this response from 1 to 10.") is None


def test_llava_critic_conversations_become_pairwise_rows_and_unparsed_ones_are_reported(tmp_path):
    rows = []
    for i, kind in enumerate(["first", "second", "tie", "arena", "unclear"] * 4):
        conversation = [
            {"from": "human", "value": judge_prompt(f"What colour is object {i}?", f"Red {i}.", f"Blue {i}.")},
            {"from": "gpt", "value": GPT[kind]},
        ]
        rows.append(
            {
                "id": f"vlfeedback_{i}",
                "conversations": conversation,
                "image": {"bytes": png((i, 0, 0)), "path": f"{i}.jpg"},
            }
        )
    rows.append(
        {
            "id": "rlhf_99",
            "conversations": [{"from": "human", "value": "Describe."}],
            "image": {"bytes": png(), "path": None},
        }
    )
    rows.append(
        {
            "id": "rlhf_100",
            "conversations": [{"from": "human", "value": "Describe the image."}, {"from": "gpt", "value": "A cat."}],
            "image": {"bytes": png(), "path": None},
        }
    )
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pairwise.parquet")
    out = tmp_path / "out"
    assert (
        pairwise.main(["--input", str(tmp_path / "pairwise.parquet"), "--out", str(out), "--max-skip-frac", "1"]) == 0
    )
    rep = json.loads((out / "report.json").read_text())
    assert rep["skipped_by_reason"] == {
        "unparsed_conversation": 1,
        "unparsed_judge_prompt": 1,
        "unparsed_preference": 4,
        "tie_dropped": 4,
    }
    written = pq.read_table(out / "train.parquet").to_pylist() + pq.read_table(out / "val.parquet").to_pylist()
    assert len(written) == 12 and {r["data_source"] for r in written} == {"pairwise/vlfeedback"}
    for row in written:
        i = int(row["extra_info"]["id"].split("_")[1])
        better = f"Red {i}." if i % 5 == 0 else f"Blue {i}."
        assert row[f"response_{row['label']}"] == better
        assert (
            row["question"] == f"What colour is object {i}?" and "judge which answer" not in row["prompt"][0]["content"]
        )
        assert row["prompt"][0]["content"] == pairwise_prompt(row["question"], row["response_1"], row["response_2"], 1)


def test_hub_streaming_path_yields_encoded_image_bytes(tmp_path):
    """The hub code path (``datasets`` streaming, no PIL decode), pointed at a local dataset folder."""
    import datasets

    from data_prep.inputs import InputSource

    features = datasets.Features(
        {"question": datasets.Value("string"), "answer": datasets.Value("string"), "image": datasets.Image()}
    )
    rows = [
        {"question": f"<image> q{i}", "answer": "2", "image": {"bytes": png((i, 0, 0)), "path": None}} for i in range(5)
    ]
    (tmp_path / "data").mkdir()
    datasets.Dataset.from_list(rows, features=features).to_parquet(
        str(tmp_path / "data" / "train-00000-of-00001.parquet")
    )
    source = InputSource(name="local", files=[], hub_id=str(tmp_path), hub_split="train")
    streamed = list(source.rows(["question", "answer", "image", "id"], batch_size=2))
    assert [r.ref for r in streamed] == [f"train:{i}" for i in range(5)]
    assert streamed[3].data["image"]["bytes"] == png((3, 0, 0)) and set(streamed[3].data) == {
        "question",
        "answer",
        "image",
    }
