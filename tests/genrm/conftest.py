"""Shared pieces of the genrm tests: a scripted critic behind the loopback server, real verl samples."""

from __future__ import annotations

import re
import threading
import time

import pytest

from critic_r1_ext.genrm.samples import sample  # noqa: F401 (the tests import it from here)

ANSWER = re.compile(r"\[Answer (\d)\]\n(.*?)\n\[End of Answer \1\]", re.S)


def answers(payload: dict) -> tuple[str, str]:
    """The two answers of a critic request in the project wording."""
    text = payload["messages"][-1]["content"][-1]["text"]
    found = dict(ANSWER.findall(text))
    return found["1"], found["2"]


def quality(answer: str) -> float:
    match = re.search(r"q=([0-9.]+)", answer)
    return float(match.group(1)) if match else 0.0


class ScriptedCritic:
    """Prefers the answer with the larger ``q=<x>``; ``bias`` picks position 1 whenever it is on; answers
    holding GARBAGE get no box, SLOW ones sleep ``slow_s``, TIE ones a tie; ``fail_first`` 503s the first calls."""

    def __init__(self, bias: bool = False, slow_s: float = 0.0, fail_first: int = 0):
        self.bias, self.slow_s, self.fail_first = bias, slow_s, fail_first
        self.calls = 0
        self.images: list[int] = []
        self.lock = threading.Lock()

    def __call__(self, payload: dict):
        with self.lock:
            self.calls += 1
            call = self.calls
            self.images.append(sum(p.get("type") == "image_url" for p in payload["messages"][-1]["content"]))
        if call <= self.fail_first:
            return 503, "warming up"
        one, two = answers(payload)
        if "SLOW" in one + two:
            time.sleep(self.slow_s)
        if "GARBAGE" in one + two:
            return "<think>hmm</think> both have merits"
        if "TIE" in one + two:
            return "<think>same</think> \\boxed{tie}"
        choice = "1" if self.bias or quality(one) >= quality(two) else "2"
        return f"<think>compare</think> \\boxed{{{choice}}}"


@pytest.fixture(scope="session")
def tiny_tokenizer():
    from critic_r1_ext.tiny_model import build_tokenizer

    return build_tokenizer()


def genrm_config(base_url: str, *overrides: str):
    from critic_r1_ext.preflight.__main__ import compose

    return compose(
        [
            "+recipe=critic_genrm",
            "reward.reward_model.enable=false",
            f"+reward.custom_reward_function.reward_kwargs.base_url={base_url}",
            "+reward.custom_reward_function.reward_kwargs.timeout_s=5",
            "+reward.custom_reward_function.reward_kwargs.backoff_s=0.01",
            *(
                []
                if any(".mode=" in o for o in overrides)
                else ["reward.custom_reward_function.reward_kwargs.mode=reference"]
            ),
            *overrides,
        ]
    )


def manager(config, tokenizer):
    from verl.trainer.ppo.reward import load_reward_manager

    return load_reward_manager(config, tokenizer)
