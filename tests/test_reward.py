"""The critic reward: its two modes, robust mode's verdicts, hedges and format, weights, verl's reward manager,
non-text outputs, and robustness (paper mode's equality with the authors' reward is in test_reward_paper.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from authors_reward import authors_score
from conftest import compose_verl_config
from hypothesis import given, settings
from hypothesis import strategies as st

from critic_r1_ext.reward import MODES, compute_score, format_ok

GOOD = "<think>Answer 2 counts the circles correctly.</think> The better answer is \\boxed{2}."
KEYS = {"score", "acc", "format", "pred", "error"}


def robust(*args, **kwargs) -> dict:
    return compute_score(*args, mode="robust", **kwargs)


@pytest.mark.parametrize(
    "box",
    [
        "2",
        "Response 2",
        "response 2",
        "\\text{Response 2}",
        "\\textbf{Answer 2}",
        "[[2]]",
        "(2)",
        "Answer 2 is better",
        "second",
        "Response two",
        " 2. ",
        "$2$",
        "\\boxed{2}",
    ],
)
def test_equivalent_verdicts_match_label(box):
    out = robust("critic", f"<think>reasons</think> \\boxed{{{box}}}", "2")
    assert out == {"score": 1.0, "acc": 1.0, "format": 1.0, "pred": "2", "error": ""}


@pytest.mark.parametrize("label", ["2", 2, "Response 2", "[[2]]", np.str_("2")])
def test_label_forms_are_normalised_too(label):
    assert robust("critic", GOOD, label)["acc"] == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "<think>x</think> \\boxed{1 or 2}",  # names both
        "<think>x</think> \\boxed{Response 1 and Response 2}",  # names both
        "<think>x</think> \\boxed{1} \\boxed{2}",  # several different verdicts
        "<think>x</think> \\boxed{}",  # empty box
        "<think>x</think> \\boxed{ }",
        "<think>x</think> \\boxed{both}",
        "<think>x</think> no box at all: 2",
        "<think>x</think> \\boxed{2",  # unclosed
    ],
)
def test_hedges_and_missing_verdicts_score_no_accuracy(text):
    assert robust("critic", text, "2")["acc"] == 0.0
    assert robust("critic", text, "1")["acc"] == 0.0


def test_repeating_the_same_verdict_is_not_a_hedge():
    assert robust("critic", "<think>x</think> \\boxed{2}, i.e. \\boxed{Response 2}", "2")["acc"] == 1.0


def test_boxes_inside_thinking_do_not_count():
    text = "<think>maybe \\boxed{1}? no.</think> \\boxed{2}"
    assert robust("critic", text, "2")["score"] == 1.0


def test_ties_and_scores():
    assert robust("c", "<think>x</think> \\boxed{Tie}", "tie")["acc"] == 1.0
    assert robust("c", "<think>x</think> \\boxed{Both responses are equally good}", "tie")["acc"] == 1.0
    assert robust("c", "<think>x</think> \\boxed{tie}", "1")["acc"] == 0.0
    assert robust("c", "<think>x</think> \\boxed{7/10}", "7")["acc"] == 1.0
    assert robust("c", "<think>x</think> \\boxed{7.0}", 7)["acc"] == 1.0
    assert robust("c", "<think>x</think> \\boxed{7.5}", 7)["acc"] == 0.0


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (GOOD, 1.0),
        ("  <think>a</think>\\boxed{1}", 1.0),
        ("< think >a</ think > \\boxed{1}", 1.0),  # stray spaces, as the paper tolerates
        ("\\boxed{1}", 0.0),  # no thinking
        ("<think>a \\boxed{1}</think>", 0.0),  # box only inside thinking
        ("<think>a</think>", 0.0),
        ("preamble <think>a</think> \\boxed{1}", 0.0),  # must start with thinking
        ("<think>a</think> <think>b</think> \\boxed{1}", 0.0),  # one block only
        ("<think>a \\boxed{1}", 0.0),  # unclosed thinking
        ("<think>a</think> \\boxed{}", 0.0),  # empty box
    ],
)
def test_format(text, fmt):
    assert robust("critic", text, "1")["format"] == fmt


def test_weights_are_settable():
    out = robust("c", "\\boxed{1}", "1", acc_weight=0.5, format_weight=0.5)
    assert out["score"] == 0.5
    assert robust("c", "<think>a</think>\\boxed{2}", "1", acc_weight=0.5, format_weight=0.5)["score"] == 0.5


ADVERSARIAL = [
    "<think>" * 150_000,
    "\\boxed{" * 150_000,
    "</think>\\boxed{" * 70_000,
    "<" + " " * 1_000_000,
    " " * 1_000_000 + "x",
    "\\boxed" + " " * 1_000_000,
    "{" * 1_000_000 + "}" * 1_000_000,
    "\\boxed{" * 150_000 + "}" * 150_000,
]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "text",
    ADVERSARIAL,
    ids=["think", "boxed", "close-boxed", "lt-spaces", "spaces", "boxed-spaces", "braces", "nested"],
)
def test_megabyte_adversarial_outputs_finish(text, mode):
    """Guard against super-linear blow-ups (the authors' and geo3k's regexes take minutes on some of these)."""
    out = compute_score("critic", text, "1", mode=mode)
    assert out["acc"] == 0.0 and out["format"] == 0.0


@settings(max_examples=300, deadline=None)
@given(text=st.text(), label=st.sampled_from(["1", "2", "tie", "7", "Response 1"]), mode=st.sampled_from(MODES))
def test_never_raises_and_keys_are_stable(text, label, mode):
    out = compute_score("critic", text, label, extra_info={"anything": object()}, mode=mode)
    assert set(out) == KEYS and out["error"] == ""
    assert out["acc"] in (0.0, 1.0) and out["format"] in (0.0, 1.0)
    assert out["score"] == pytest.approx(0.9 * out["acc"] + 0.1 * out["format"])
    assert isinstance(out["pred"], str)


_PLAIN = st.text(st.characters(blacklist_characters="{}\\<>"), max_size=200)


@settings(max_examples=300, deadline=None)
@given(thinking=_PLAIN, tail=_PLAIN, label=st.sampled_from(["1", "2"]), mode=st.sampled_from(MODES))
def test_wrapping_any_text_in_the_format_earns_full_score(thinking, tail, label, mode):
    text = f"<think>{thinking}</think>{tail}\\boxed{{{label}}}"
    assert compute_score("critic", text, label, mode=mode)["score"] == pytest.approx(1.0)


def test_format_ok_is_the_format_term():
    assert format_ok(GOOD) and not format_ok("\\boxed{2}")


def _doc_table() -> list[tuple[str, float, float]]:
    """Rows of the table in docs/reward.md ("Where the two modes differ"): output, paper score, robust score."""
    text = (Path(__file__).parent.parent / "docs" / "reward.md").read_text()
    section = text.split("## Where the two modes differ", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows.append((cells[0][1:-1], float(cells[1]), float(cells[2])))
    return rows


MODE_TABLE = _doc_table()


def test_the_mode_table_is_there():
    assert len(MODE_TABLE) >= 20


@pytest.mark.parametrize(("text", "paper", "robust_score"), MODE_TABLE, ids=[row[0] for row in MODE_TABLE])
def test_where_the_modes_differ(text, paper, robust_score):
    """docs/reward.md's table, row by row, in both modes and in the authors' function."""
    assert compute_score("c", text, "1", mode="paper")["score"] == pytest.approx(paper)
    assert authors_score(text, "1")["overall"] == pytest.approx(paper)
    assert robust("c", text, "1")["score"] == pytest.approx(robust_score)


def test_an_invisible_mark_in_a_box():
    text = "<think>x</think> \\boxed{1\u200f}"
    assert (compute_score("c", text, "1", mode="paper")["score"], robust("c", text, "1")["score"]) == (0.1, 1.0)
    assert authors_score(text, "1")["overall"] == pytest.approx(0.1)


@pytest.mark.parametrize("recipe", ["critic_r1", "critic_r1_plus"])
def test_paper_is_the_recipes_mode(recipe):
    assert compose_verl_config(f"+recipe={recipe}").reward.custom_reward_function.reward_kwargs.mode == "paper"


def test_paper_is_the_default_mode_and_a_wrong_mode_is_a_clear_error():
    text = "<think>x</think> \\boxed{Response 1}"
    assert compute_score("c", text, "1") == compute_score("c", text, "1", mode="paper")
    with pytest.raises(ValueError, match="reward_kwargs.mode must be one of"):
        compute_score("c", text, "1", mode="Robust")


@pytest.mark.parametrize("box", ["A", "Response A", "[A]", "Answer A is better", "\\text{Response A}", "Assistant A"])
def test_letter_verdicts_both_ways(box):
    """Robust mode reads A as 1 exactly as it reads B as 2."""
    one, two = f"<think>x</think> \\boxed{{{box}}}", f"<think>x</think> \\boxed{{{box.replace('A', 'B')}}}"
    assert (robust("c", one, "1")["acc"], robust("c", two, "2")["acc"]) == (1.0, 1.0)
    assert (robust("c", one, "2")["acc"], robust("c", two, "1")["acc"]) == (0.0, 0.0)


def test_paper_mode_compares_letters_literally():
    paper = [compute_score("c", "<think>x</think> \\boxed{A}", label, mode="paper")["acc"] for label in ("A", "1", "a")]
    assert paper == [1.0, 0.0, 1.0]


@pytest.mark.parametrize(
    "box", ["not 1", "Not Response 1", "Response 1 is worse", "1 is not better", "Response 1 isn't better", "never 1"]
)
def test_negations_are_no_vote(box):
    text = f"<think>x</think> \\boxed{{{box}}}"
    assert robust("c", text, "1")["acc"] == 0.0
    assert robust("c", text, "2")["acc"] == 0.0


@pytest.mark.parametrize(
    "mark", ["\\x00", "\\u200b", "\\u200e", "\\u200f", "\\u202e", "\\u2066", "\\ufeff", "\\x00\\u200f"]
)
def test_invisible_marks_inside_a_box_are_ignored(mark):
    mark = mark.encode().decode("unicode_escape")
    assert robust("c", f"<think>x</think> \\boxed{{{mark}2{mark}}}", "2")["score"] == 1.0
    assert robust("c", f"<think>x</think> \\boxed{{Response{mark} 2}}", "2")["score"] == 1.0


@pytest.mark.parametrize("mode", MODES)
def test_bytes_are_decoded_as_utf8(mode):
    text = "<think>x</think> \\boxed{2}"
    for raw in (text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert compute_score("c", raw, "2", mode=mode) == compute_score("c", text, "2", mode=mode)
    broken = compute_score("c", b"<think>\xff</think> \\boxed{2}", "2", mode=mode)
    assert (broken["score"], broken["error"]) == (1.0, "")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("value", [None, 2, 2.0, ["\\boxed{2}"], object()])
def test_other_non_text_outputs_score_zero_with_a_reason(value, mode):
    out = compute_score("c", value, "2", mode=mode)
    assert set(out) == KEYS
    assert (out["score"], out["acc"], out["format"]) == (0.0, 0.0, 0.0)
    assert out["error"] == f"solution_str is {type(value).__name__}, not text"


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
    assert KEYS <= set(out["reward_extra_info"])


@pytest.mark.parametrize(("mode", "expected"), [("paper", 0.1), ("robust", 1.0)])
def test_recipe_mode_reaches_the_reward(tiny_tokenizer, mode, expected):
    from verl.trainer.ppo.reward import load_reward_manager

    cfg = compose_verl_config("+recipe=critic_r1", f"reward.custom_reward_function.reward_kwargs.mode={mode}")
    manager = load_reward_manager(cfg, tiny_tokenizer)
    response = "<think>x</think> \\boxed{Response 2}"
    out = manager.loop.run_until_complete(manager.run_single(_dataproto(tiny_tokenizer, response, "2")))
    assert out["reward_score"] == pytest.approx(expected)


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
