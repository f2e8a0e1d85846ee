"""Generation backends behind one call: ``generate(requests, n, temperature, top_p, max_new_tokens)``.

* ``vllm`` (GPU, the real one): one ``LLM.generate`` per call, so a whole knockout step of all
  questions in flight is one batched generate. ``vllm`` is imported only when this backend is built.
* ``hf`` (CPU or one GPU, used by the tests): transformers ``AutoModelForImageTextToText``,
  batched ``generate`` in chunks of ``batch_size`` prompts.

Both render prompts the same way: the user turn is split at its ``<image>`` markers, images are
placed there (missing markers go first; a request with ``markers=False`` has none: a literal
``<image>`` in its text stays text and every image goes first), videos (lists of frames) go before everything, and the
checkpoint's chat template is applied with ``system_prompt`` as an explicit system turn (None: the
template's own default) and ``generation_prefix`` (e.g. ``<think>`` for MiMo-VL thinking) appended
after the generation prompt. Without ``pixel_bounds`` the raw images and frames go to the
processor, whose own defaults size them (what the authors' evaluation runs did); with
``min_pixels``/``max_pixels`` images are resized by ``qwen_vl_utils`` as in training (an option of
ours). Temperature 0 means greedy.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

import numpy as np

from critic_r1_ext.prompt import IMAGE_MARKER


@dataclass
class Request:
    text: str  # the user turn, with one <image> marker per image (or none: images go first)
    images: list = field(default_factory=list)  # PIL images
    videos: list = field(default_factory=list)  # one list of PIL frames per video
    markers: bool = True  # False: "<image>" in the text is plain text, every image goes before it


def user_message(request: Request, pixel_bounds: dict, system_prompt: str | None = None) -> list[dict]:
    """The chat for ``request``: videos first, images placed at their ``<image>`` markers (or all first)."""
    pieces = request.text.split(IMAGE_MARKER) if request.markers else [request.text]
    markers = len(pieces) - 1
    if markers > len(request.images):
        raise ValueError(f"prompt has {markers} {IMAGE_MARKER} markers but only {len(request.images)} images")
    images = [{"type": "image", "image": image, **pixel_bounds} for image in request.images]
    leading = images[: len(images) - markers]
    content = [{"type": "video", "video": frames} for frames in request.videos] + leading
    for k, piece in enumerate(pieces):
        if k:
            content.append(images[len(leading) + k - 1])
        if piece.strip():
            content.append({"type": "text", "text": piece.strip()})
    system = [{"role": "system", "content": system_prompt}] if system_prompt is not None else []
    return [*system, {"role": "user", "content": content}]


def render(
    processor, request: Request, pixel_bounds: dict, system_prompt: str | None = None, generation_prefix: str = ""
) -> tuple[str, list, list]:
    """Chat-templated prompt text, the images (resized only with ``pixel_bounds``) and videos of one request."""
    messages = user_message(request, pixel_bounds, system_prompt)
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) + generation_prefix
    images = list(request.images)
    if pixel_bounds and images:
        from qwen_vl_utils import fetch_image

        images = [fetch_image({"image": image, **pixel_bounds}) for image in images]
    return text, images, [list(frames) for frames in request.videos]


class HFBackend:
    """transformers generation; CPU-friendly for the tiny test model."""

    def __init__(
        self,
        model: str,
        batch_size: int = 8,
        dtype: str = "auto",
        pixel_bounds: dict | None = None,
        seed: int = 0,
        system_prompt: str | None = None,
        generation_prefix: str = "",
        **_,
    ):
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        torch.manual_seed(seed)
        self.processor = AutoProcessor.from_pretrained(model)
        self.processor.tokenizer.padding_side = "left"
        self.model = AutoModelForImageTextToText.from_pretrained(model, dtype=dtype).eval()
        self.batch_size = batch_size
        self.pixel_bounds = pixel_bounds or {}
        self.system_prompt, self.generation_prefix = system_prompt, generation_prefix

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

        rendered = [
            render(self.processor, request, self.pixel_bounds, self.system_prompt, self.generation_prefix)
            for request in requests
        ]
        images = [image for _, batch_images, _ in rendered for image in batch_images]
        videos = [video for _, _, batch_videos in rendered for video in batch_videos]
        inputs = self.processor(
            text=[text for text, _, _ in rendered],
            images=images or None,
            videos=videos or None,
            padding=True,
            return_tensors="pt",
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
        max_videos: int = 0,
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float = 0.85,
        max_model_len: int | None = None,
        pixel_bounds: dict | None = None,
        seed: int = 0,
        system_prompt: str | None = None,
        generation_prefix: str = "",
        **_,
    ):
        from transformers import AutoProcessor
        from vllm import LLM

        self.processor = AutoProcessor.from_pretrained(model)
        self.llm = LLM(
            model=model,
            limit_mm_per_prompt={"image": max(max_images, 1), "video": max_videos},
            seed=seed,
            tensor_parallel_size=tensor_parallel_size,
            gpu_memory_utilization=gpu_memory_utilization,
            max_model_len=max_model_len,
        )
        self.pixel_bounds = pixel_bounds or {}
        self.system_prompt, self.generation_prefix = system_prompt, generation_prefix

    def close(self) -> None:
        """Shut the engine down and free its GPU memory (before another context length needs a new one)."""
        import gc

        shutdown = getattr(getattr(self.llm, "llm_engine", None), "engine_core", None)
        if shutdown is not None and hasattr(shutdown, "shutdown"):
            shutdown.shutdown()
        del self.llm
        gc.collect()

    def generate(
        self, requests: list[Request], n: int, temperature: float, top_p: float, max_new_tokens: int
    ) -> list[list[str]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=n, temperature=temperature, top_p=top_p if temperature > 0 else 1.0, max_tokens=max_new_tokens
        )
        prompts = []
        for request in requests:
            text, images, videos = render(
                self.processor, request, self.pixel_bounds, self.system_prompt, self.generation_prefix
            )
            media = {"image": images} if images else {}
            if videos:
                # One video = its frames stacked (T, H, W, 3), the array form vLLM takes for a video.
                media["video"] = [np.stack([np.asarray(frame.convert("RGB")) for frame in frames]) for frames in videos]
            prompts.append({"prompt": text, "multi_modal_data": media} if media else {"prompt": text})
        results = self.llm.generate(prompts, params, use_tqdm=False)
        return [[completion.text for completion in result.outputs] for result in results]


BACKENDS = {"hf": HFBackend, "vllm": VLLMBackend}


def add_backend_arguments(parser) -> None:
    """The options both CLIs share: which backend, image bounds, and each backend's knobs."""
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="vllm")
    parser.add_argument(
        "--min-pixels",
        type=int,
        help="resize images to at least this many pixels, as data.min_pixels in training (default: processor's own)",
    )
    parser.add_argument("--max-pixels", type=int, help="resize images to at most this many pixels")
    parser.add_argument("--batch-size", type=int, default=8, help="hf backend: prompts per generate call")
    parser.add_argument("--dtype", default="auto", help="hf backend: torch dtype")
    parser.add_argument("--tensor-parallel-size", type=int, default=1, help="vllm backend")
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.85, help="vllm backend")
    parser.add_argument("--max-model-len", type=int, help="vllm backend")


def backend_from_args(args, max_images: int, **overrides):
    """The backend the parsed CLI options (see :func:`add_backend_arguments`) ask for; ``overrides`` win
    (e.g. ``max_model_len`` per benchmark, ``system_prompt``, ``generation_prefix``, ``max_videos``)."""
    pixel_bounds = {k: v for k, v in (("min_pixels", args.min_pixels), ("max_pixels", args.max_pixels)) if v}
    options = {
        "batch_size": args.batch_size,
        "dtype": args.dtype,
        "pixel_bounds": pixel_bounds,
        "seed": args.seed,
        "max_images": max_images,
        "tensor_parallel_size": args.tensor_parallel_size,
        "gpu_memory_utilization": args.gpu_memory_utilization,
        "max_model_len": args.max_model_len,
    }
    return make_backend(args.backend, args.model, **{**options, **overrides})


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
