"""The OpenAI-compatible judge client against a real local HTTP server: answers, cache, bounded failure."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from judge_server import judge_servers

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY
from critic_r1_ext.evaluate.judge_client import ChatJudge


@pytest.fixture
def server():
    """``server(reply)``: a loopback chat server answering ``reply(prompt)`` (HTTP 500 on None), with its ``url`` and
    the ``requests`` (JSON bodies) it got. It serves only ``/v1/chat/completions`` (404 elsewhere)."""
    with judge_servers() as start:

        def begin(reply):
            srv = SimpleNamespace(requests=[])

            def answer(body):
                srv.requests.append(body)
                return reply(body["messages"][-1]["content"])

            srv.url = start(answer)
            return srv

        yield begin


def test_answers_are_cached_in_the_run_folder(server, tmp_path):
    srv = server(lambda prompt: f"echo: {prompt}")
    judge = ChatJudge(srv.url, "judge-model", cache_path=tmp_path / "cache.jsonl")
    assert judge.ask("hello", system="be brief") == "echo: hello"
    body = srv.requests[0]  # reached the server, which routes only /v1/chat/completions
    assert body["model"] == "judge-model" and body["temperature"] == 0.0
    assert body["messages"] == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]
    again = ChatJudge(srv.url, "judge-model", cache_path=tmp_path / "cache.jsonl")
    assert again.ask("hello", system="be brief") == "echo: hello" and len(srv.requests) == 1


def test_a_failing_server_gives_none_after_bounded_retries(server, monkeypatch):
    monkeypatch.setattr("critic_r1_ext.evaluate.judge_client.time.sleep", lambda seconds: None)
    srv = server(lambda prompt: None)
    judge = ChatJudge(srv.url, "m", retries=2, timeout=5)
    assert judge.ask("x") is None and judge.failures == 1 and len(srv.requests) == 3
    assert ChatJudge("http://127.0.0.1:9", "m", retries=0, timeout=1).ask("x") is None  # nothing listening


def test_mathvista_official_accuracy_needs_a_judge_and_uses_one_when_given(server):
    records = [
        {"id": "1", "question": "Q1", "output": "it is five", "correct": False, "reference": {"kind": "number"}}
        | {"reference": {"kind": "number", "answer": "5", "choices": [], "precision": None, "unit": None}},
        {"id": "2", "question": "Q2", "output": "\\boxed{C}", "correct": True}
        | {"reference": {"kind": "choice", "answer": "B", "choices": ["3.5", "4", "7"], "unit": None}},
    ]
    metrics = REGISTRY["mathvista"].metrics
    assert metrics(records, None)["accuracy"] == NEEDS_JUDGE and metrics(records, None)["accuracy_rule_based"] == 0.5
    srv = server(lambda prompt: "5" if "Q1" in prompt else "C")
    judged = metrics(records, ChatJudge(srv.url, "m"))
    assert judged["accuracy"] == 0.5 and judged["judge_failures"] == 0


def test_main_passes_the_judge_to_the_metrics(server, benchmark_dirs, tmp_path, monkeypatch, scripted_backend):
    from critic_r1_ext.evaluate import __main__ as entry

    monkeypatch.setattr(entry, "backend_from_args", lambda args, max_images, **o: scripted_backend(_boxed_b))
    srv = server(lambda prompt: "1" if "Judgement" in prompt else "B")
    argv = ["--model", "m", "--backend", "hf", "--output", str(tmp_path), "--benchmarks", "mathverse"]
    argv += ["--data", f"mathverse={benchmark_dirs['mathverse']}"]
    without = entry.main(argv)["benchmarks"]["mathverse"]
    assert without["main"] == NEEDS_JUDGE and without["stand_in"]["metric"] == "accuracy_rule_based"
    assert "needs a judge; accuracy_rule_based" in (tmp_path / "summary.md").read_text()
    judged = entry.main([*argv, "--judge-url", srv.url, "--judge-model", "m"])
    assert judged["benchmarks"]["mathverse"]["main"] == 1.0 and "stand_in" not in judged["benchmarks"]["mathverse"]
    assert judged["judge"]["failures"] == 0 and (tmp_path / "judge_cache.jsonl").exists()


def _boxed_b(text, n, temperature):
    return ["<think>x</think> \\boxed{B}"] * n


def test_unread_critic_verdicts_are_asked_of_the_judge_as_lmms_eval_does(server):
    from critic_r1_ext.evaluate.critic_benchmarks import parse_with_judge

    srv = server(lambda prompt: "Answer 2" if "second" in prompt else "I am not sure")
    records = [
        {"id": "a", "label": "1", "first_shown": ["2"], "verdicts": [None], "picked": [None], "correct": [False]}
        | {"verdict_sources": ["none"], "outputs": ["The second one wins."]},
        {"id": "b", "label": "1", "first_shown": ["1"], "verdicts": [None], "picked": [None], "correct": [False]}
        | {"verdict_sources": ["none"], "outputs": ["Hard to say."]},
    ]
    first, second = parse_with_judge(records, ChatJudge(srv.url, "m"))
    assert first["verdicts"] == ["2"] and first["picked"] == ["1"] and first["correct"] == [True]
    assert first["verdict_sources"] == ["judge"] and second == records[1]
