"""An LLM judge behind any OpenAI-compatible chat server, for metrics whose official definition needs one.

    python -m critic_r1_ext.evaluate ... --judge-url http://host:8000/v1 --judge-model NAME

``ChatJudge.ask(prompt, system=None)`` posts one ``/chat/completions`` request (temperature 0) with
the standard library only: a timeout per request, a bounded number of retries with back-off, and
``None`` (counted in ``failures``) when the server never answers, so a metric can say so instead
of inventing a number. Answers are cached in a JSONL file in the run folder, keyed by model and
messages, so rebuilding a summary never asks twice. The key comes from ``OPENAI_API_KEY`` if set.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path


class ChatJudge:
    """A bounded, cached chat-completions client (see the module docstring)."""

    def __init__(
        self,
        url: str,
        model: str,
        cache_path: Path | None = None,
        timeout: float = 60.0,
        retries: int = 3,
        max_tokens: int = 1024,
    ):
        self.url = url.rstrip("/") + ("" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions")
        self.model, self.timeout, self.retries, self.max_tokens = model, timeout, retries, max_tokens
        self.cache_path, self.cache, self.failures, self.calls = cache_path, {}, 0, 0
        if cache_path is not None and Path(cache_path).exists():
            for line in Path(cache_path).read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self.cache[entry["key"]] = entry["answer"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    def ask(self, prompt: str, system: str | None = None) -> str | None:
        """The judge's answer to one prompt, or None after ``retries`` failed attempts."""
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        key = hashlib.sha256(json.dumps([self.model, messages]).encode()).hexdigest()
        if key in self.cache:
            return self.cache[key]
        answer = self._post(messages)
        if answer is None:
            self.failures += 1
            return None
        self.cache[key] = answer
        if self.cache_path is not None:
            with Path(self.cache_path).open("a") as handle:
                handle.write(json.dumps({"key": key, "answer": answer}) + "\n")
        return answer

    def _post(self, messages: list[dict]) -> str | None:
        body = json.dumps(
            {"model": self.model, "messages": messages, "temperature": 0.0, "max_tokens": self.max_tokens}
        ).encode()
        headers = {"Content-Type": "application/json"}
        if os.environ.get("OPENAI_API_KEY"):
            headers["Authorization"] = f"Bearer {os.environ['OPENAI_API_KEY']}"
        for attempt in range(self.retries + 1):
            self.calls += 1
            try:
                request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    content = json.loads(response.read())["choices"][0]["message"]["content"]
                return content if isinstance(content, str) else None
            except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError):
                if attempt < self.retries:
                    time.sleep(min(2**attempt, 8))
        return None
