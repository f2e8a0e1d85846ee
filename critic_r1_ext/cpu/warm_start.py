"""Supervised warm start for the CPU GRPO loop: teach a random-init tiny model the think/boxed format.

A random-init model never writes ``\\boxed{}``: every reward is 0, every GRPO advantage is 0 and
nothing trains. A few teacher-forced steps on the dataset's own prompts, with targets
``<think>...</think> \\boxed{<verdict>}``, make it write the format and name a verdict, so rewards
vary within a group. The verdict of each target is a seeded coin flip, never the row's label: the
warm start teaches the format only, and whatever the model learns about which answer is better
comes from GRPO. This is a warm start, not part of GRPO; the loop's output and the benchmark say so.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

THINKING = "I compare the two answers."


def target_text(verdict: str) -> str:
    """The supervised answer: the paper's think/boxed format around ``verdict``."""
    return f"<think>{THINKING}</think> \\boxed{{{verdict}}}"


def warm_start(
    model_dir: str | Path,
    out_dir: str | Path,
    items: list[dict],
    prompt_inputs,
    steps: int = 40,
    lr: float = 3e-3,
    seed: int = 0,
) -> dict:
    """Teacher-force ``steps`` SGD steps (AdamW, one row per step) and save the model next to its processor.

    ``items`` are dataset items (``raw_prompt``); ``prompt_inputs(item)``
    returns the processor's prompt tensors for one of them. Returns the first and last losses.
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    torch.manual_seed(seed)
    coin = random.Random(seed)
    processor = AutoProcessor.from_pretrained(model_dir)
    model = AutoModelForImageTextToText.from_pretrained(model_dir).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    eos = processor.tokenizer.eos_token_id
    losses = []
    for step in range(steps):
        item = items[step % len(items)]
        inputs = prompt_inputs(item)
        target = processor.tokenizer(target_text(coin.choice(("1", "2"))))["input_ids"] + [eos]
        prompt_len = inputs["input_ids"].shape[1]
        input_ids = torch.cat([inputs["input_ids"], torch.tensor([target])], dim=1)
        labels = input_ids.clone()
        labels[:, :prompt_len] = -100
        loss = model(
            input_ids=input_ids,
            attention_mask=torch.ones_like(input_ids),
            labels=labels,
            pixel_values=inputs["pixel_values"],
            image_grid_thw=inputs["image_grid_thw"],
        ).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    out_dir = Path(out_dir)
    model.eval().save_pretrained(out_dir)
    processor.save_pretrained(out_dir)
    return {"steps": steps, "loss_first": losses[0], "loss_last": losses[-1]}
