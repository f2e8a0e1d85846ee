"""Test helper: a real ``ChatJudge`` talking to a scripted OpenAI-compatible server on localhost."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from critic_r1_ext.evaluate.judge_client import ChatJudge


@contextmanager
def scripted_judge(reply, tmp_path):
    """A ``ChatJudge`` whose server answers each request with ``reply(messages)`` (``None``: HTTP 500).

    Yields ``(judge, seen)``; ``seen`` collects every request's messages."""
    seen: list[list[dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            messages = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["messages"]
            seen.append(messages)
            answer = reply(messages)
            if answer is None:
                self.send_response(500)
                self.end_headers()
                return
            body = json.dumps({"choices": [{"message": {"content": answer}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        yield ChatJudge(url, "judge-model", cache_path=tmp_path / "judge_cache.jsonl", timeout=5, retries=0), seen
    finally:
        server.shutdown()
        server.server_close()
