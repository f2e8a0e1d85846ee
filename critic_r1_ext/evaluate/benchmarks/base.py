"""What every benchmark module shares: :class:`Item`, :class:`Benchmark`, :class:`SkipRow` and row helpers.

A benchmark module (one file in this package) states its source (hub id, configs, split, the
authors' script it follows), turns one hub row into an :class:`Item` (the question exactly as that
script builds it, before the think/boxed instruction) and computes the benchmark's official
metric(s) from scored result records. The package's ``__init__`` finds every module that defines
``BENCHMARK`` (or ``BENCHMARKS``, a tuple) and registers it; nothing else lists benchmarks.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from critic_r1_ext.evaluate.benchmarks._metrics import by_category

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# The value a metric takes when its official definition needs an LLM judge and none was given.
NEEDS_JUDGE = "needs a judge"

# Figure 1's categories (LLaVA-Critic-R1, arXiv 2509.00676; shared/spec/paper.md "Headline results").
CATEGORIES = (
    "Perception & general VQA",
    "Image reasoning",
    "Chart understanding",
    "Video reasoning",
    "Visual reward benchmarks",
)


class SkipRow(Exception):
    """Raised by a row converter for a row the authors' script skips; counted and reported by reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Item:
    """One question (or, for critic benchmarks, one response pair), ready for prompting and scoring.

    ``videos`` holds one entry per video: a list of frame entries (PIL images, ``{"bytes"/"path"}``
    dicts or paths, passed as they are) or one video file (path or ``{"bytes"/"path"}`` dict), from
    which the benchmark's ``video_frames`` frames are sampled evenly. Videos go before any image
    and before the text, as the authors' scripts place them. ``extra`` carries what the official
    metric needs besides the answer (question/figure ids, pair ids, sub-task, ...); it must be JSON.
    Critic items: ``kind`` "pair", ``question`` the query, ``choices`` the two responses,
    ``answer`` "1"/"2" (the better one), ``category`` the benchmark's group.
    """

    id: str
    question: str  # the user turn before the think/boxed instruction; <image> markers place images
    images: list  # raw image entries (PIL images, {"bytes"/"path"} dicts or paths)
    kind: str  # "choice" (answer is option letters, comma-joined), "number", "text" or "pair"
    answer: str
    choices: list[str] = field(default_factory=list)
    precision: int | None = None  # decimals numbers are rounded to before comparing (None: exact)
    unit: str | None = None
    alternatives: list[str] = field(default_factory=list)  # other accepted spellings of the answer
    category: str | None = None
    videos: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def reference(self) -> dict:
        """Everything the scorer and metrics need, without media (stored with each result: rescoring needs no data)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "answer": self.answer,
            "choices": list(self.choices),
            "precision": self.precision,
            "unit": self.unit,
            "alternatives": list(self.alternatives),
            "category": self.category,
            "extra": dict(self.extra),
        }


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its source, the authors' protocol for it, its items and its official metrics.

    ``metrics(records, judge)`` gets the benchmark's scored, non-skipped result records (each with
    ``reference`` (``Item.reference()``), ``output``, ``extracted``, ``correct``, ``lenient``; critic
    records as ``critic.judge_rows`` writes them) and returns ``{metric name: value}``: fractions in
    [0, 1] for accuracies, the official scale otherwise (say which in the docstring), or
    :data:`NEEDS_JUDGE` when the metric needs an LLM judge and ``judge`` is None. ``main_metric``
    names the value Figure 1 averages (a fraction in [0, 1]); while it is :data:`NEEDS_JUDGE`, the
    summary averages ``stand_in`` (a rule-based metric under its own name) and says so. ``rows``
    overrides how rows are read (e.g. a repository snapshot with image files beside the table).
    """

    name: str
    hub_id: str
    split: str
    task: str  # "policy" or "critic"
    paper_name: str
    category: str  # one of CATEGORIES
    script: str  # the authors' script it follows, e.g. "eval_llama32v/model_mmmu_llama32v.py"
    item: Callable[[dict, str], Item]
    configs: tuple = (None,)
    max_model_len: int = 8192  # vLLM context as the authors' script sets it
    metrics: Callable = by_category  # default: accuracy overall and per Item.category
    main_metric: str = "accuracy"
    stand_in: str | None = None  # metric averaged into Figure 1 (flagged) while main_metric needs a judge
    video_frames: int = 32  # frames sampled evenly from a video file
    rows: Callable | None = None  # (benchmark, source, limit) -> rows; None: load_rows
    source_note: str = ""  # where the authors read a local file: the public release supported here
    variants: dict = field(default_factory=dict)  # our protocol options: name -> alternative item converter


def need(row: dict, where: str, *columns: str) -> None:
    """Raise a one-line error naming the row when a column the converter reads is missing."""
    missing = [c for c in columns if c not in row]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; is this the right benchmark file?")


def literal_list(text, where: str) -> list[str]:
    """A list given as a Python literal string (as MMMU stores options) or already a list."""
    if isinstance(text, list):
        return [str(x) for x in text]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"{where}: expected a list literal, got {text!r}") from None
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list literal, got {text!r}")
    return [str(x) for x in value]


def numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def free_form(item_id, question, images, answer, precision, category, alternatives=(), **fields) -> Item:
    """An open-answer item: "number" when any accepted answer parses as one (compared at ``precision``
    decimals, the other answers still accepted as text, as MMMU's ``eval_open`` mixes them), else "text"."""
    answers = [str(a).strip() for a in (answer, *alternatives)]
    numbers = [a for a in answers if numeric(a)]
    if not numbers:
        return Item(
            item_id, question, images, "text", answers[0], alternatives=answers[1:], category=category, **fields
        )
    first = answers.index(numbers[0])
    rest = answers[:first] + answers[first + 1 :]
    return Item(
        item_id,
        question,
        images,
        "number",
        numbers[0],
        precision=precision,
        alternatives=rest,
        category=category,
        **fields,
    )


def options_block(options: list[str], header: str = " Options:") -> str:
    """``header`` then one "A. text" line per option, as most of the authors' scripts list options."""
    return header + "".join(f"\n{LETTERS[i]}. {option}" for i, option in enumerate(options))
