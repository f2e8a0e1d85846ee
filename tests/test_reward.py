"""The critic reward: verdict normalisation, hedges, format, weights, verl's reward manager, and robustness."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import compose_verl_config
from hypothesis import given, settings
from hypothesis import strategies as st

from critic_r1_ext.reward import compute_score, format_ok

GOOD = "<think>Answer 2 counts the circles correctly.</think> The better answer is \\boxed{2}."


@pytest.mark.parametrize(
    "box",
    ["2", "Response 2", "response 2", "\\text{Response 2}", "\\textbf{Answer 2}", "[[2]]", "(2)", "Answer 2 is better",
     "second", "Response two", " 2. ", "$2$", "\\boxed{2}"],
)
def test_equivalent_verdicts_match_label(box):
    out = compute_score("critic", f"<think>reasons</think> \\boxed{{{box}}}", "2")
    assert out == {"score": 1.0, "acc": 1.0, "format": 1.0, "pred": "2"}


@pytest.mark.parametrize("label", ["2", 2, "Response 2", "[[2]]", np.str_("2")])
def test_label_forms_are_normalised_too(label):
    assert compute_score("critic", GOOD, label)["acc"] == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "<think>x</think> \\boxed{1 or 2}",                     # names both
        "<think>x</think> \\boxed{Response 1 and Response 2}",  # names both
        "<think>x</think> \\boxed{1} \\boxed{2}",               # several different verdicts
        "<think>x</think> \\boxed{}",                           # empty box
        "<think>x</think> \\boxed{ }",
        "<think>x</think> \\boxed{both}",
        "<think>x</think> no box at all: 2",
        "<think>x</think> \\boxed{2",                           # unclosed
    ],
)
def test_hedges_and_missing_verdicts_score_no_accuracy(text):
    assert compute_score("critic", text, "2")["acc"] == 0.0
    assert compute_score("critic", text, "1")["acc"] == 0.0


def test_repeating_the_same_verdict_is_not_a_hedge():
    assert compute_score("critic", "<think>x</think> \\boxed{2}, i.e. \\boxed{Response 2}", "2")["acc"] == 1.0


def test_boxes_inside_thinking_do_not_count():
    text = "<think>maybe \\boxed{1}? no.</think> \\boxed{2}"
    assert compute_score("critic", text, "2")["score"] == 1.0


def test_ties_and_scores():
    assert compute_score("c", "<think>x</think> \\boxed{Tie}", "tie")["acc"] == 1.0
    assert compute_score("c", "<think>x</think> \\boxed{Both responses are equally good}", "tie")["acc"] == 1.0
    assert compute_score("c", "<think>x</think> \\boxed{tie}", "1")["acc"] == 0.0
    assert compute_score("c", "<think>x</think> \\boxed{7/10}", "7")["acc"] == 1.0
    assert compute_score("c", "<think>x</think> \\boxed{7.0}", 7)["acc"] == 1.0
    assert compute_score("c", "<think>x</think> \\boxed{7.5}", 7)["acc"] == 0.0


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (GOOD, 1.0),
        ("  <think>a</think>\\boxed{1}", 1.0),
        ("< think >a</ think > \\boxed{1}", 1.0),               # stray spaces, as the paper tolerates
        ("\\boxed{1}", 0.0),                                     # no thinking
        ("<think>a \\boxed{1}</think>", 0.0),                    # box only inside thinking
        ("<think>a</think>", 0.0),
        ("preamble <think>a</think> \\boxed{1}", 0.0),           # must start with thinking
        ("<think>a</think> <think>b</think> \\boxed{1}", 0.0),   # one block only
        ("<think>a \\boxed{1}", 0.0),                            # unclosed thinking
        ("<think>a</think> \\boxed{}", 0.0),                     # empty box
    ],
)
def test_format(text, fmt):
    assert compute_score("critic", text, "1")["format"] == fmt


def test_weights_are_settable():
    out = compute_score("c", "\\boxed{1}", "1", acc_weight=0.5, format_weight=0.5)
    assert out["score"] == 0.5
    assert compute_score("c", "<think>a</think>\\boxed{2}", "1", acc_weight=0.5, format_weight=0.5)["score"] == 0.5


ADVERSARIAL = [
    "<think>" * 150_000,
    "\\boxed{" * 150_000,
    "</think>\\boxed{" * 70_000,
    "<" + " " * 1_000_000,
    "\\boxed" + " " * 1_000_000,
    "{" * 1_000_000 + "}" * 1_000_000,
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", ADVERSARIAL, ids=["think", "boxed", "close-boxed", "lt-spaces", "boxed-spaces", "braces"])
def test_megabyte_adversarial_outputs_finish(text):
    """Guard against super-linear blow-ups (the geo3k-style regex takes minutes on some of these)."""
    out = compute_score("critic", text, "1")
    assert out["acc"] == 0.0 and out["format"] == 0.0


@settings(max_examples=400, deadline=None)
@given(text=st.text(), label=st.sampled_from(["1", "2", "tie", "7", "Response 1"]))
def test_never_raises_and_keys_are_stable(text, label):
    out = compute_score("critic", text, label, extra_info={"anything": object()})
    assert set(out) == {"score", "acc", "format", "pred"}
    assert out["acc"] in (0.0, 1.0) and out["format"] in (0.0, 1.0)
    assert out["score"] == pytest.approx(0.9 * out["acc"] + 0.1 * out["format"])
    assert isinstance(out["pred"], str)


_PLAIN = st.text(st.characters(blacklist_characters="{}\\<>"), max_size=200)


@settings(max_examples=300, deadline=None)
@given(thinking=_PLAIN, tail=_PLAIN, label=st.sampled_from(["1", "2"]))
def test_wrapping_any_text_in_the_format_earns_full_score(thinking, tail, label):
    text = f"<think>{thinking}</think>{tail}\\boxed{{{label}}}"
    assert compute_score("critic", text, label)["score"] == pytest.approx(1.0)


def test_format_ok_is_the_format_term():
    assert format_ok(GOOD) and not format_ok("\\boxed{2}")


def _dataproto(tokenizer, response: str, ground_truth: str):
    from verl import DataProto

    prompt = tokenizer("Which answer is better?", return_tensors="pt")["input_ids"]
    resp = tokenizer(response, return_tensors="pt")["input_ids"]
    pad = torch.full((1, 4), tokenizer.pad_token_id)
    responses = torch.cat([resp, pad], dim=1)
    mask = torch.cat([torch.ones_like(prompt), torch.ones_like(resp), torch.zeros_like(pad)], dim=1)
    return DataProto.from_dict(
        tensors={"prompts": prompt, "responses": responses, "attention_mask": mask},
        non_tensors={
            "data_source": np.array(["critic_r1/pairwise"], dtype=object),
            "reward_model": np.array([{"ground_truth": ground_truth}], dtype=object),
            "extra_info": np.array([{"id": "r0"}], dtype=object),
        },
    )


@pytest.mark.parametrize(
    ("response", "expected"),
    [(GOOD, 1.0), ("\\boxed{2}", 0.9), ("<think>x</think> \\boxed{1}", 0.1), ("I cannot decide.", 0.0)],
)
def test_through_verls_reward_manager(tiny_tokenizer, response, expected):
    from verl.trainer.ppo.reward import load_reward_manager

    manager = load_reward_manager(compose_verl_config("+recipe=critic_r1"), tiny_tokenizer)
    out = manager.loop.run_until_complete(manager.run_single(_dataproto(tiny_tokenizer, response, "2")))
    assert out["reward_score"] == pytest.approx(expected)
    assert {"score", "acc", "format", "pred"} <= set(out["reward_extra_info"])


def test_recipe_weights_reach_the_reward(tiny_tokenizer):
    from verl.trainer.ppo.reward import load_reward_manager

    cfg = compose_verl_config(
        "+recipe=critic_r1",
        "reward.custom_reward_function.reward_kwargs.acc_weight=0.5",
        "reward.custom_reward_function.reward_kwargs.format_weight=0.5",
    )
    manager = load_reward_manager(cfg, tiny_tokenizer)
    out = manager.loop.run_until_complete(manager.run_single(_dataproto(tiny_tokenizer, "\\boxed{2}", "2")))
    assert out["reward_score"] == pytest.approx(0.5)
