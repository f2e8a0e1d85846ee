"""The loopback judge server the per-benchmark tests share (see ``tests/judge_server.py``)."""

from __future__ import annotations

import pytest
from judge_server import judge_servers, prompt_and_system


@pytest.fixture
def loopback_judge():
    """An OpenAI-compatible chat server on 127.0.0.1: ``loopback_judge(reply)`` gives its URL, the server answering
    ``reply(prompt, system)``; ``.seen`` the request bodies."""
    with judge_servers() as start:

        def begin(reply) -> str:
            return start(lambda body: reply(*prompt_and_system(body["messages"])))

        begin.seen = start.seen
        yield begin
