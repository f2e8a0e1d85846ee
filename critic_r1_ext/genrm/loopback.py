"""A loopback OpenAI-compatible chat server (stdlib only) for tests, benchmarks and the CPU dry run.

``serve(reply)`` starts ``POST /v1/chat/completions`` on 127.0.0.1 in a thread; ``reply(payload)``
returns the answer text, or an ``(http_status, text)`` pair to script failures, and may sleep to
inject latency. ``hf_reply(model_dir)`` answers with a real (e.g. tiny) Qwen2.5-VL: it decodes the
``image_url`` data URLs back to images, so what the critic sees is what a vLLM server would get.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


@contextmanager
def serve(reply: Callable[[dict], str | tuple[int, str]]):
    """Yield the base URL (``http://127.0.0.1:<port>/v1``) of a chat server answering with ``reply``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._send(404, {"error": f"no route {self.path}"})
            answer = reply(body)
            status, text = answer if isinstance(answer, tuple) else (200, answer)
            if status != 200:
                return self._send(status, {"error": text})
            message = {"role": "assistant", "content": text}
            self._send(
                200,
                {
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": message}],
                },
            )

        def _send(self, status: int, obj: dict) -> None:
            data = json.dumps(obj).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def log_message(self, *args):
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def images_and_text(payload: dict) -> tuple[list, str]:
    """The PIL images (decoded from data URLs) and the text of a chat request's last user turn."""
    from PIL import Image

    content = payload["messages"][-1]["content"]
    if isinstance(content, str):
        return [], content
    images, texts = [], []
    for part in content:
        if part.get("type") == "image_url":
            url = part["image_url"]["url"]
            if not url.startswith("data:"):
                raise ValueError(f"expected a data URL, got {url[:40]!r}")
            images.append(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))
        elif part.get("type") == "text":
            texts.append(part["text"])
    return images, "\n".join(texts)


def hf_reply(model_dir: str, seed: int = 0, pixel_bounds: dict | None = None) -> Callable[[dict], str]:
    """A ``reply`` that generates with a local Qwen2.5-VL checkpoint (one request at a time)."""
    from critic_r1_ext.common.backends import HFBackend, Request

    backend = HFBackend(model_dir, batch_size=1, dtype="float32", pixel_bounds=pixel_bounds, seed=seed)
    lock = threading.Lock()

    def reply(payload: dict) -> str:
        images, text = images_and_text(payload)
        temperature = float(payload.get("temperature", 0.0))
        with lock:
            out = backend.generate([Request(text, images)], 1, temperature, 1.0, int(payload.get("max_tokens", 16)))
        return out[0][0]

    return reply
