"""Generation backends behind one call: ``generate(requests, n, temperature, top_p, max_new_tokens)``.

* ``vllm`` (GPU, the real one): one ``LLM.generate`` per call, so a whole knockout step of all
  questions in flight is one batched generate. ``vllm`` is imported only when this backend is built.
* ``hf`` (CPU or one GPU, used by the tests): transformers ``AutoModelForImageTextToText``,
  batched ``generate`` in chunks of ``batch_size`` prompts.

Both render prompts the same way: the user turn is split at its ``<image>`` markers, images are
placed there (missing markers go first), the checkpoint's chat template is applied (the Qwen
system turn "You are a helpful assistant." comes from the template), and images are resized by
``qwen_vl_utils`` with ``min_pixels``/``max_pixels`` as in training. Temperature 0 means greedy.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

from critic_r1_ext.prompt import IMAGE_MARKER


@dataclass
class Request:
    text: str  # the user turn, with one <image> marker per image (or none: images go first)
    images: list = field(default_factory=list)  # PIL images


def user_message(request: Request, pixel_bounds: dict) -> list[dict]:
    """The one-turn chat for ``request``, images placed at their ``<image>`` markers."""
    pieces = request.text.split(IMAGE_MARKER)
    markers = len(pieces) - 1
    if markers > len(request.images):
        raise ValueError(f"prompt has {markers} {IMAGE_MARKER} markers but only {len(request.images)} images")
    images = [{"type": "image", "image": image, **pixel_bounds} for image in request.images]
    leading = images[: len(images) - markers]
    content = list(leading)
    for k, piece in enumerate(pieces):
        if k:
            content.append(images[len(leading) + k - 1])
        if piece.strip():
            content.append({"type": "text", "text": piece.strip()})
    return [{"role": "user", "content": content}]


def render(processor, request: Request, pixel_bounds: dict) -> tuple[str, list]:
    """Chat-templated prompt text and the resized images for one request."""
    from qwen_vl_utils import process_vision_info

    messages = user_message(request, pixel_bounds)
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    images, _ = process_vision_info(messages)[:2]
    return text, images or []


class HFBackend:
    """transformers generation; CPU-friendly for the tiny test model."""

    def __init__(
        self, model: str, batch_size: int = 8, dtype: str = "auto", pixel_bounds: dict | None = None, seed: int = 0, **_
    ):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        torch.manual_seed(seed)
        self.processor = AutoProcessor.from_pretrained(model)
        self.processor.tokenizer.padding_side = "left"
        self.model = AutoModelForImageTextToText.from_pretrained(model, dtype=dtype).eval()
        self.batch_size = batch_size
        self.pixel_bounds = pixel_bounds or {}

    def generate(
        self, requests: list[Request], n: int, temperature: float, top_p: float, max_new_tokens: int
    ) -> list[list[str]]:
        """``n`` completions per request, in request order."""
        outputs: list[list[str]] = []
        for start in range(0, len(requests), self.batch_size):
            outputs += self._generate_batch(
                requests[start : start + self.batch_size], n, temperature, top_p, max_new_tokens
            )
        return outputs

    def _generate_batch(self, requests, n, temperature, top_p, max_new_tokens):
        import torch

        rendered = [render(self.processor, request, self.pixel_bounds) for request in requests]
        images = [image for _, batch_images in rendered for image in batch_images]
        inputs = self.processor(
            text=[text for text, _ in rendered], images=images or None, padding=True, return_tensors="pt"
        ).to(self.model.device)
        sampling = (
            {"do_sample": True, "temperature": temperature, "top_p": top_p} if temperature > 0 else {"do_sample": False}
        )
        with torch.inference_mode():
            tokens = self.model.generate(**inputs, **sampling, max_new_tokens=max_new_tokens, num_return_sequences=n)
        texts = self.processor.batch_decode(tokens[:, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        return [texts[k * n : (k + 1) * n] for k in range(len(requests))]


class VLLMBackend:
    """vLLM offline generation (GPU); every call is one batched ``LLM.generate``."""

    def __init__(
        self,
        model: str,
        max_images: int = 1,
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float = 0.85,
        max_model_len: int | None = None,
        pixel_bounds: dict | None = None,
        seed: int = 0,
        **_,
    ):
        from transformers import AutoProcessor
        from vllm import LLM

        self.processor = AutoProcessor.from_pretrained(model)
        self.llm = LLM(
            model=model,
            limit_mm_per_prompt={"image": max(max_images, 1)},
            seed=seed,
            tensor_parallel_size=tensor_parallel_size,
            gpu_memory_utilization=gpu_memory_utilization,
            max_model_len=max_model_len,
        )
        self.pixel_bounds = pixel_bounds or {}

    def generate(
        self, requests: list[Request], n: int, temperature: float, top_p: float, max_new_tokens: int
    ) -> list[list[str]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=n, temperature=temperature, top_p=top_p if temperature > 0 else 1.0, max_tokens=max_new_tokens
        )
        prompts = []
        for request in requests:
            text, images = render(self.processor, request, self.pixel_bounds)
            prompts.append({"prompt": text, "multi_modal_data": {"image": images}} if images else {"prompt": text})
        results = self.llm.generate(prompts, params, use_tqdm=False)
        return [[completion.text for completion in result.outputs] for result in results]


BACKENDS = {"hf": HFBackend, "vllm": VLLMBackend}


def add_backend_arguments(parser) -> None:
    """The options both CLIs share: which backend, image bounds, and each backend's knobs."""
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="vllm")
    parser.add_argument("--min-pixels", type=int, help="image resize bounds, as data.min_pixels in training")
    parser.add_argument("--max-pixels", type=int)
    parser.add_argument("--batch-size", type=int, default=8, help="hf backend: prompts per generate call")
    parser.add_argument("--dtype", default="auto", help="hf backend: torch dtype")
    parser.add_argument("--tensor-parallel-size", type=int, default=1, help="vllm backend")
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.85, help="vllm backend")
    parser.add_argument("--max-model-len", type=int, help="vllm backend")


def backend_from_args(args, max_images: int):
    """The backend the parsed CLI options (see :func:`add_backend_arguments`) ask for."""
    pixel_bounds = {k: v for k, v in (("min_pixels", args.min_pixels), ("max_pixels", args.max_pixels)) if v}
    return make_backend(
        args.backend,
        args.model,
        batch_size=args.batch_size,
        dtype=args.dtype,
        pixel_bounds=pixel_bounds,
        seed=args.seed,
        max_images=max_images,
        tensor_parallel_size=args.tensor_parallel_size,
        gpu_memory_utilization=args.gpu_memory_utilization,
        max_model_len=args.max_model_len,
    )


def make_backend(name: str, model: str, **options):
    """The backend ``name`` ("vllm" or "hf") for checkpoint ``model``; unknown options are ignored."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {sorted(BACKENDS)}")
    if name == "vllm" and importlib.util.find_spec("vllm") is None:
        raise SystemExit(
            "error: the vllm backend needs vLLM, which is not installed here (it needs CUDA: "
            "pip install -e '.[gpu]' on a GPU node); on a CPU machine pass --backend hf"
        )
    return BACKENDS[name](model, **options)
