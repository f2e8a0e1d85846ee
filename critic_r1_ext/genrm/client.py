"""A small async OpenAI-compatible chat client: bounded concurrency, retries with backoff, a per-call timeout.

It never raises on a failed call: ``chat`` returns ``Reply(text=None, error=...)`` once the retries are
spent, so a judge that is down or slow costs a counted neutral reward, not a crashed training step.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

import aiohttp

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass
class Reply:
    text: str | None  # the first choice's message content; None when every attempt failed
    error: str = ""  # the last failure ("timeout", "http 503", "ConnectionError: ..."), empty on success
    attempts: int = 0


class ChatClient:
    """Posts ``/chat/completions`` to ``base_url`` (e.g. ``http://host:8000/v1``), at most ``max_concurrency`` at once.

    The semaphore and the HTTP session belong to the event loop of the first call; a call from another
    loop (a new ``asyncio.run``) gets fresh ones.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        max_concurrency: int = 64,
        timeout_s: float = 300.0,
        max_retries: int = 3,
        backoff_s: float = 1.0,
    ):
        if max_concurrency < 1 or max_retries < 0 or timeout_s <= 0:
            raise ValueError(f"bad client limits: {max_concurrency=} {max_retries=} {timeout_s=}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.max_concurrency = max_concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None
        self._session: aiohttp.ClientSession | None = None

    async def chat(self, messages: list[dict], **sampling) -> Reply:
        """One chat completion; retried on timeouts, connection errors and 408/429/5xx, never raises."""
        if self._loop is not asyncio.get_running_loop():
            self._loop = asyncio.get_running_loop()
            self._semaphore = asyncio.Semaphore(self.max_concurrency)
            self._session = None
        payload = {"model": self.model, "messages": messages, **sampling}
        error = ""
        for attempt in range(1, self.max_retries + 2):
            async with self._semaphore:
                text, error, retry = await self._post(payload)
            if text is not None or not retry or attempt > self.max_retries:
                return Reply(text, "" if text is not None else error, attempt)
            await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1) * (0.5 + random.random()))
        return Reply(None, error, self.max_retries + 1)

    async def _post(self, payload: dict) -> tuple[str | None, str, bool]:
        """(text, error, retryable) of one attempt."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.max_concurrency))
        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout_s)
            async with self._session.post(self.url, json=payload, timeout=timeout) as resp:
                if resp.status != 200:
                    return None, f"http {resp.status}", resp.status in RETRY_STATUS
                body = await resp.json(content_type=None)
        except asyncio.TimeoutError:
            return None, "timeout", True
        except (aiohttp.ClientError, OSError) as err:
            return None, f"{type(err).__name__}: {err}", True
        except ValueError as err:  # a body that is not JSON
            return None, f"bad body: {err}", False
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            return None, "no choices[0].message.content in the reply", False
        return (content if isinstance(content, str) else ""), "", False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
