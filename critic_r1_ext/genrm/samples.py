"""A rollout as a verl reward worker receives it, for the tests and the benchmark of ``critic_r1_ext.genrm``."""

from __future__ import annotations

import numpy as np
import torch


def sample(tokenizer, uid: str, session: int, response: str, reference: str | None = "q=0.5", image=None):
    """One rollout as verl's agent loop hands it to a reward worker (``_compute_score``): the tokenized
    response right-padded, and the row's fields, ``uid`` and ``session_id`` in ``non_tensor_batch``."""
    from verl import DataProto

    ids = tokenizer(response, add_special_tokens=False)["input_ids"] or [0]
    responses = torch.tensor([ids + [0, 0]])
    prompts = torch.tensor([[1, 2, 3]])
    mask = torch.cat([torch.ones(1, 3), torch.tensor([[1] * len(ids) + [0, 0]])], dim=1).long()
    content = [{"type": "image", "image": image}] if image is not None else []
    content.append({"type": "text", "text": "<image>How many red circles are there?"})

    def obj(value):
        arr = np.empty(1, dtype=object)
        arr[0] = value
        return arr

    non_tensors = {
        "uid": obj(uid), "session_id": obj(session), "data_source": obj("toy"),
        "raw_prompt": obj([{"role": "user", "content": content}]),
        "reward_model": obj({"ground_truth": reference} if reference is not None else {}),
        "extra_info": obj({}),
    }  # fmt: skip
    return DataProto.from_dict(
        tensors={"prompts": prompts, "responses": responses, "attention_mask": mask}, non_tensors=non_tensors
    )
