"""The authors' prompt-length rule, applied at conversion so that stock verl trains on their row set.

The released EasyR1 fork kept a row when ``len(processor.apply_chat_template(messages,
add_generation_prompt=True))`` was at most ``max_prompt_length = 6142``: for a multimodal processor
that call returns the chat-template *string*, so the rule counts characters (one ``<|image_pad|>``
per image, not the image's tokens). verl's own filter (``data.filter_overlong_prompts``) counts
tokens, image tokens included, and cannot express that rule, so conversion applies it and training
keeps verl's token filter at ``data.max_prompt_length`` as a safety net against prompts the model
cannot take.

The chat template comes from ``--processor DIR`` (a local checkpoint or processor folder) or, by
default, Qwen2-VL's template as shipped with Qwen2.5-VL-7B-Instruct (bundled in
``critic_r1_ext.tiny_model``), so the character count needs no download. With ``--processor`` the
report also counts rows over verl's token limit, measured as verl measures them.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image

from critic_r1_ext.prompt import IMAGE_MARKER
from data_prep.errors import DataPrepError

AUTHORS_MAX_PROMPT_CHARS = 6142
RECIPE_MAX_PROMPT_TOKENS = 8192  # data.max_prompt_length in the critic_r1 recipe
RECIPE_MIN_PIXELS = 262144  # data.min_pixels in the critic_r1 recipe
BUNDLED_TEMPLATE = "Qwen2-VL chat template (bundled; Qwen2.5-VL-7B-Instruct's)"


def fork_messages(prompt: str) -> list[dict]:
    """The user turn as the authors' dataset built it: text pieces split at ``<image>``, one image entry each."""
    content: list[dict] = []
    for i, piece in enumerate(prompt.split(IMAGE_MARKER)):
        if i:
            content.append({"type": "image"})
        if piece:
            content.append({"type": "text", "text": piece})
    return [{"role": "user", "content": content}]


class PromptLength:
    """Characters of the chat-template string (the authors' rule) and, with a real tokenizer, verl's token count."""

    def __init__(self, processor_dir: str | None, max_pixels: int, min_pixels: int = RECIPE_MIN_PIXELS):
        self.min_pixels, self.max_pixels = min_pixels, max_pixels
        if processor_dir is None:
            from critic_r1_ext.tiny_model import build_tokenizer

            self.template, self.tokenizer, self.source = build_tokenizer(), None, BUNDLED_TEMPLATE
            return
        if not Path(processor_dir).is_dir():
            raise DataPrepError(f"--processor {processor_dir}: no such folder (a local checkpoint or processor dir)")
        from transformers import AutoProcessor

        try:
            processor = AutoProcessor.from_pretrained(processor_dir, local_files_only=True)
        except (OSError, ValueError) as err:
            raise DataPrepError(f"--processor {processor_dir}: cannot load a processor ({err})") from None
        self.template, self.source = processor, str(processor_dir)
        self.tokenizer = getattr(processor, "tokenizer", processor)

    def text(self, prompt: str) -> str:
        return self.template.apply_chat_template(fork_messages(prompt), add_generation_prompt=True, tokenize=False)

    def chars(self, prompt: str) -> int:
        """What the authors' filter compared with 6142."""
        return len(self.text(prompt))

    def tokens(self, prompt: str, images: list[dict]) -> int | None:
        """Prompt tokens as verl counts them (each image expanded to its merged patches); None without a tokenizer."""
        if self.tokenizer is None:
            return None
        from qwen_vl_utils import smart_resize

        text_tokens = len(self.tokenizer(self.text(prompt), add_special_tokens=False)["input_ids"])
        image_tokens = 0
        for image in images:
            with Image.open(BytesIO(image["bytes"])) as opened:
                width, height = opened.size
            h, w = smart_resize(height, width, factor=28, min_pixels=self.min_pixels, max_pixels=self.max_pixels)
            image_tokens += (h // 28) * (w // 28) - 1  # the template string already holds one <|image_pad|>
        return text_tokens + image_tokens
