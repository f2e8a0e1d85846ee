"""Test helpers for benchmark metrics: scored result records, a scripted judge, a loopback judge server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from critic_r1_ext.evaluate.benchmarks import items
from critic_r1_ext.evaluate.scoring import safe_score


def scored_records(name: str, source, outputs: dict[str, str]) -> list[dict]:
    """Result records as the evaluation writes them: the items of ``name`` with an output in ``outputs``, scored."""
    found, _ = items(name, str(source))
    return [
        {"id": i.id, "reference": i.reference(), "output": outputs[i.id], **safe_score(i.reference(), outputs[i.id])}
        for i in found
        if i.id in outputs
    ]


class ScriptedJudge:
    """A judge with ``ChatJudge``'s ``ask``: replies from ``reply(prompt, system)``, every request kept."""

    def __init__(self, reply):
        self.reply, self.requests, self.calls, self.failures = reply, [], 0, 0

    def ask(self, prompt: str, system: str | None = None) -> str | None:
        self.requests.append((prompt, system))
        self.calls += 1
        return self.reply(prompt, system)


def loopback_servers():
    """OpenAI-compatible chat servers on 127.0.0.1: ``start(reply)`` serves ``reply(prompt, system)`` and
    returns the URL; ``start.seen`` keeps the request bodies. Returns ``(start, servers)``."""
    servers, seen = [], []

    def start(reply):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                seen.append(body)
                messages = body["messages"]
                system = next((m["content"] for m in messages if m["role"] == "system"), None)
                content = reply(messages[-1]["content"], system)
                payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    start.seen = seen
    return start, servers
