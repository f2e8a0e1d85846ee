"""Prompt files written here (never downloaded) and scripted backends for the policy and the critic."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

_ANSWERS = re.compile(r"Answer 1: (.*?)\n\nAnswer 2: (.*?)\n\nPlease evaluate", re.DOTALL)


def png_bytes(color, size=(56, 56)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def prompts_file(tmp_path):
    """Three prompts as JSONL with image paths beside the file, as users keep them."""
    rows = []
    for k, color in enumerate([(255, 0, 0), (0, 160, 0), (0, 0, 255)]):
        Image.new("RGB", (56, 56), color).save(tmp_path / f"img_{k}.png")
        rows.append({"id": f"q{k}", "question": f"What colour is shape {k}?", "image": f"img_{k}.png"})
    path = tmp_path / "prompts.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


class ScriptedPolicy:
    """Answers of known quality: answer ``i`` of a prompt is ``i + 1`` words long."""

    def __init__(self):
        self.requests = 0

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        self.requests += len(requests)
        return [[" ".join(["word"] * (i + 1)) for i in range(n)] for _ in requests]


class ScriptedCritic:
    """Reads the two answers out of the authors' prompt and prefers the longer one; counts every request.

    ``bias="first"`` always answers 1 (a fully position-biased critic).
    """

    def __init__(self, bias: str | None = None):
        self.bias = bias
        self.requests = 0

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        self.requests += len(requests)
        outputs = []
        for request in requests:
            first, second = _ANSWERS.search(request.text).groups()
            if self.bias == "first" or len(first) > len(second):
                verdict = "1"
            elif len(first) < len(second):
                verdict = "2"
            else:
                verdict = "tie"
            outputs.append([f"<think>compare</think> \\boxed{{{verdict}}}"])
        return outputs


class ScriptedSelfCritic:
    """One model that both answers (as ``ScriptedPolicy``) and judges (as ``ScriptedCritic``)."""

    def __init__(self):
        self.policy, self.critic = ScriptedPolicy(), ScriptedCritic()

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        role = self.critic if "Answer 1:" in requests[0].text else self.policy
        return role.generate(requests, n, temperature, top_p, max_new_tokens)


class ScriptedBackends:
    """``Backends``' interface over given backend objects, keyed by model name; ``built`` logs gets and releases."""

    def __init__(self, **by_model):
        self.by_model = by_model
        self.built: list[str] = []

    def get(self, model, max_images):
        self.built.append(model)
        return self.by_model[model]

    def release(self, model):
        self.built.append(f"released {model}")


@pytest.fixture
def scripted():
    """The scripted classes: ``Policy``, ``Critic``, ``SelfCritic`` and ``Backends``."""
    import types

    return types.SimpleNamespace(
        Policy=ScriptedPolicy, Critic=ScriptedCritic, SelfCritic=ScriptedSelfCritic, Backends=ScriptedBackends
    )


@pytest.fixture
def png():
    """``png(color, size=(56, 56))``: PNG bytes of a plain image."""
    return png_bytes


@pytest.fixture
def scripted_run(scripted):
    """``scripted_run(prompts_file, out, *flags, policy=, critic=)``: one round with scripted models by default;
    returns (manifest, policy, critic)."""
    from critic_r1_ext.preferences.__main__ import parse_args
    from critic_r1_ext.preferences.rounds import run_round

    def run(prompts_file, out, *extra, policy=None, critic=None):
        policy, critic = policy or scripted.Policy(), critic or scripted.Critic()
        argv = ["--input", str(prompts_file), "--out", str(out), "--policy", "policy", "--critic", "critic", *extra]
        return run_round(parse_args(argv), scripted.Backends(policy=policy, critic=critic)), policy, critic

    return run
