"""Test helpers: judge servers on localhost, all served by the package's loopback chat server
(``critic_r1_ext.genrm.loopback.serve``), and a real ``ChatJudge`` talking to one."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from critic_r1_ext.evaluate.judge_client import ChatJudge
from critic_r1_ext.genrm.loopback import serve


@contextmanager
def judge_servers():
    """Yield ``start(reply) -> URL``: each call starts a loopback chat server answering ``reply(body)``
    (the request's JSON body; a ``None`` answer is an HTTP 500). ``start.seen`` keeps every body."""
    seen: list[dict] = []
    with ExitStack() as stack:

        def start(reply) -> str:
            def answer(body):
                seen.append(body)
                text = reply(body)
                return (500, "scripted failure") if text is None else text

            return stack.enter_context(serve(answer))

        start.seen = seen
        yield start


def prompt_and_system(messages: list[dict]) -> tuple[str, str | None]:
    """The last turn's text and the system turn's text (None without one) of a chat request."""
    return messages[-1]["content"], next((m["content"] for m in messages if m["role"] == "system"), None)


@contextmanager
def scripted_judge(reply, tmp_path):
    """A ``ChatJudge`` whose server answers each request with ``reply(messages)`` (``None``: HTTP 500).

    Yields ``(judge, seen)``; ``seen`` collects every request's messages."""
    seen: list[list[dict]] = []

    def answer(body):
        seen.append(body["messages"])
        return reply(body["messages"])

    with judge_servers() as start:
        yield (
            ChatJudge(start(answer), "judge-model", cache_path=tmp_path / "judge_cache.jsonl", timeout=5, retries=0),
            seen,
        )
