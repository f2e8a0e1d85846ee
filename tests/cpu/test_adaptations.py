"""The CPU loop's own adaptation of verl's padding-free batch: equal-length sequences keep ragged mrope ids."""

from __future__ import annotations

import torch
from tensordict import TensorDict


def test_equal_length_batch_gets_position_ids_ragged_along_the_sequence():
    from verl.workers.utils.padding import left_right_2_no_padding

    from critic_r1_ext.cpu.grpo_loop import _ragged_mrope_positions

    bs, prompt, response = 3, 5, 4
    positions = torch.arange(prompt + response).expand(bs, 4, -1).clone()
    batch = TensorDict(
        {
            "input_ids": torch.ones(bs, prompt + response, dtype=torch.long),
            "attention_mask": torch.ones(bs, prompt + response, dtype=torch.long),
            "response_mask": torch.ones(bs, response, dtype=torch.long),
            "position_ids": positions,
        },
        batch_size=bs,
    )
    td = left_right_2_no_padding(batch)
    assert td["position_ids"]._ragged_idx == 1  # verl 0.9.1: the 4 mrope rows became the ragged dim
    fixed = _ragged_mrope_positions(td)["position_ids"]
    assert fixed._ragged_idx == 2
    assert [tuple(t.shape) for t in fixed.unbind()] == [(4, prompt + response)] * bs
    assert all(torch.equal(t, positions[0]) for t in fixed.unbind())
