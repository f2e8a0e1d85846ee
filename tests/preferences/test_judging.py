"""The critic sees the authors' wording in the order asked, and a judgment is never made twice.

The prompts come through judging.py, the one place that imports critic_r1_ext.evaluate.judge_prompts.
"""

from __future__ import annotations

from critic_r1_ext.preferences.judging import JUDGE_PROMPTS, Critic
from critic_r1_ext.preferences.prompts import Prompt
from critic_r1_ext.preferences.store import RowFile


class Recorder:
    def __init__(self):
        self.seen = []

    def generate(self, requests, n, temperature, top_p, max_new_tokens):
        self.seen += requests
        assert (n, temperature) == (1, 0.0)
        return [["\\boxed{2}"] for _ in requests]


def test_the_critic_prompt_is_the_authors_and_a_judgment_is_never_made_twice(tmp_path):
    backend = Recorder()
    judgments = RowFile(tmp_path / "judgments.jsonl", {"critic": "c"})
    critic = Critic(lambda: backend, "authors", 64, judgments)
    prompt, images = Prompt("q", "What is it?", []), ["IMAGE"]
    critic.owners = [(prompt, ["A cat.", "A <image> of a dog."], images)]
    assert critic([(0, 0, 1), (0, 1, 0), (0, 0, 1)]) == ["2", "2", "2"]
    assert [r.text for r in backend.seen] == [
        JUDGE_PROMPTS["authors"]("What is it?", "A cat.", "A image of a dog.", 1),
        JUDGE_PROMPTS["authors"]("What is it?", "A image of a dog.", "A cat.", 1),
    ]
    assert backend.seen[0].images == ["IMAGE"] and critic.calls == 2
    again = Critic(lambda: backend, "authors", 64, RowFile(tmp_path / "judgments.jsonl", {"critic": "c"}))
    again.owners = critic.owners
    assert again([(0, 1, 0)]) == ["2"] and again.calls == 0 and len(backend.seen) == 2
