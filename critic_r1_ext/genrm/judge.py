"""The critic's side of a comparison: the sample's images and question out of verl's ``raw_prompt``, the
critic prompt around two answers, one chat call, and the verdict read by our parser.

Images travel as data URLs in OpenAI ``image_url`` parts, before the text, which is where the training
prompt puts them (``prompt.pairwise_prompt`` adds its missing ``<image>`` markers first). The wording is
``evaluate.judge_prompts`` (``project``: the training prompt; ``authors``: the authors' evaluation prompt).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from critic_r1_ext.evaluate.judge_prompts import JUDGE_PROMPTS
from critic_r1_ext.genrm.client import ChatClient
from critic_r1_ext.prompt import IMAGE_MARKER
from critic_r1_ext.verdict import answer_part, extract_verdict

VALID_VERDICTS = ("1", "2", "tie")


@dataclass
class Outcome:
    verdict: str | None  # "1", "2", "tie", or None (no valid verdict)
    failed: bool = False  # the call failed (timeouts, HTTP errors) after its retries
    unparsed: bool = False  # the judge answered, but no valid verdict could be read


def data_url(image) -> str:
    """An image as a ``data:`` URL: PIL images, ``{"bytes": ...}`` / ``{"image": ...}`` dicts, paths or URLs."""
    if isinstance(image, dict):
        inner = image.get("bytes") or image.get("image") or image.get("path") or image.get("url")
        if inner is None:
            raise ValueError(f"image dict without bytes/image/path/url: keys {sorted(image)}")
        return data_url(inner)
    if isinstance(image, (bytes, bytearray)):
        return "data:image/png;base64," + base64.b64encode(bytes(image)).decode()
    if isinstance(image, str):
        if image.startswith(("data:", "http://", "https://")):
            return image
        return data_url(Path(image.removeprefix("file://")).read_bytes())
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def question_and_images(raw_prompt) -> tuple[str, list]:
    """The last user turn's text (``<image>`` markers removed) and its images, from verl's ``raw_prompt``."""
    messages = [m for m in list(raw_prompt) if isinstance(m, dict) and m.get("role") == "user"]
    if not messages:
        return "", []
    content = messages[-1].get("content", "")
    if isinstance(content, str):
        return content.replace(IMAGE_MARKER, "").strip(), []
    texts, images = [], []
    for part in content:
        if part.get("type") == "text":
            texts.append(part.get("text", ""))
        elif part.get("type") == "image":
            images.append(part.get("image", part))
    return " ".join(t.replace(IMAGE_MARKER, "").strip() for t in texts if t.strip()), images


class Judge:
    """Asks the critic which of two answers is better."""

    def __init__(
        self,
        client: ChatClient,
        prompt: str = "project",
        max_tokens: int = 2048,
        temperature: float = 0.0,
        answer_only: bool = True,
    ):
        if prompt not in JUDGE_PROMPTS:
            raise ValueError(f"unknown judge prompt {prompt!r}; expected one of {sorted(JUDGE_PROMPTS)}")
        self.client = client
        self.render = JUDGE_PROMPTS[prompt]
        self.sampling = {"max_tokens": max_tokens, "temperature": temperature}
        self.answer_only = answer_only

    def answer(self, text: str) -> str:
        """What the critic sees of a rollout: with ``answer_only``, the text after its last ``</think>``."""
        return (answer_part(text) if self.answer_only else text).strip()

    def messages(self, question: str, image_urls: list[str], answer_1: str, answer_2: str) -> list[dict]:
        text = self.render(question, answer_1, answer_2, 0)
        parts = [{"type": "image_url", "image_url": {"url": url}} for url in image_urls]
        return [{"role": "user", "content": [*parts, {"type": "text", "text": text}]}]

    async def compare(self, question: str, image_urls: list[str], answer_1: str, answer_2: str) -> Outcome:
        reply = await self.client.chat(self.messages(question, image_urls, answer_1, answer_2), **self.sampling)
        if reply.text is None:
            return Outcome(None, failed=True)
        verdict, _ = extract_verdict(reply.text)
        if verdict not in VALID_VERDICTS:
            return Outcome(None, unparsed=True)
        return Outcome(verdict)
