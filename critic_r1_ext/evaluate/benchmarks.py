"""The benchmarks the evaluation knows: where each lives on the hub, and its rows as :class:`Item`.

Each loader turns one hub row into an :class:`Item`: the question exactly as the authors' scripts
(si0wang/LLaVA-Critic-R1 ``eval_llama32v/model_*_llama32v.py``) build it, before the think/boxed
instruction is glued on, plus what the scorer needs (kind, reference, options, precision, unit).
Rows come from ``datasets.load_dataset`` by hub id, or from a local copy (streamed, no cache copy):
a folder with the hub repository's layout (``data/<split>-*.parquet``) or one
``.parquet``/``.jsonl``/``.json`` file.

MMMU differs from the authors' script on purpose: they send only ``image_1``; here every
``<image N>`` placeholder of the question and options becomes an ``<image>`` marker with that image
(images not referenced go first), so multi-image questions are answerable.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
IMAGE_PLACEHOLDER = re.compile(r"<image (\d+)>")


@dataclass
class Item:
    """One question, ready for prompting and scoring."""

    id: str
    question: str  # the user turn before the think/boxed instruction; <image> markers place images
    images: list  # raw image entries (PIL images, {"bytes"/"path"} dicts or paths)
    kind: str  # "choice" (answer is option letters, comma-joined), "number" or "text"
    answer: str
    choices: list[str] = field(default_factory=list)
    precision: int | None = None  # decimals numbers are rounded to before comparing (None: exact)
    unit: str | None = None
    alternatives: list[str] = field(default_factory=list)  # other accepted spellings of the answer
    category: str | None = None

    def reference(self) -> dict:
        """Everything the scorer needs, without images (stored with each result so rescoring needs no data)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "answer": self.answer,
            "choices": list(self.choices),
            "precision": self.precision,
            "unit": self.unit,
            "alternatives": list(self.alternatives),
            "category": self.category,
        }


@dataclass(frozen=True)
class Benchmark:
    name: str
    hub_id: str
    config: str | None
    split: str
    task: str  # "policy" or "critic"
    paper_name: str


BENCHMARKS = {
    "mmmu": Benchmark("mmmu", "lmms-lab/MMMU", None, "validation", "policy", "MMMU (validation)"),
    "mathvista": Benchmark("mathvista", "AI4Math/MathVista", None, "testmini", "policy", "MathVista (testmini)"),
    "mathvision": Benchmark("mathvision", "MathLLMs/MathVision", None, "testmini", "policy", "MathVision (testmini)"),
    "mathverse": Benchmark("mathverse", "AI4Math/MathVerse", "testmini", "testmini", "policy", "MathVerse (testmini)"),
    "mmstar": Benchmark("mmstar", "Lin-Chen/MMStar", None, "val", "policy", "MMStar (val)"),
    "vl_rewardbench": Benchmark(
        "vl_rewardbench", "MMInstruction/VL-RewardBench", None, "test", "critic", "VL-RewardBench"
    ),
    "mm_rlhf_rewardbench": Benchmark(
        "mm_rlhf_rewardbench", "yifanzhang114/MM-RLHF-RewardBench", None, "train", "critic", "MM-RLHF-RewardBench"
    ),
}


def load_rows(benchmark: Benchmark, source: str | None = None, limit: int | None = None):
    """The benchmark's rows: from the hub by id (downloaded and cached by ``datasets``), or streamed from a
    local copy at ``source``. Images stay encoded (``{"bytes", "path"}``) until an item is prepared."""
    from datasets import Image, load_dataset

    if source is None:
        rows = load_dataset(benchmark.hub_id, benchmark.config, split=benchmark.split)
    elif Path(source).is_dir():
        rows = load_dataset(str(source), split=benchmark.split, streaming=True)
    elif Path(source).is_file():
        kind = {".parquet": "parquet", ".jsonl": "json", ".json": "json"}.get(Path(source).suffix)
        if kind is None:
            raise ValueError(f"{source}: unsupported file type (use a hub-layout folder, .parquet, .jsonl or .json)")
        rows = load_dataset(kind, data_files=str(source), split="train", streaming=True)
    else:
        raise FileNotFoundError(f"{benchmark.name}: data not found: {source}")
    for name, feature in (rows.features or {}).items():
        if isinstance(feature, Image):
            rows = rows.cast_column(name, Image(decode=False))
    if limit is None:
        return rows
    return rows.take(limit) if source is not None else rows.select(range(min(limit, len(rows))))


def _need(row: dict, where: str, *columns: str) -> None:
    missing = [c for c in columns if c not in row]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing}; is this the right benchmark file?")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _free_form(item_id, question, images, answer, precision, category, alternatives=()) -> Item:
    answer = str(answer).strip()
    kind = "number" if _numeric(answer) else "text"
    return Item(
        item_id,
        question,
        images,
        kind,
        answer,
        precision=precision if kind == "number" else None,
        alternatives=list(alternatives),
        category=category,
    )


def mmmu_item(row: dict, where: str) -> Item:
    """MMMU: options listed as "A. ..." lines and the authors' answer-format line; ``<image N>`` placed."""
    _need(row, where, "id", "question", "options", "answer", "question_type")
    question = row["question"]
    if row["question_type"] == "multiple-choice":
        options = _literal_list(row["options"], where)
        question += " Options:" + "".join(f"\n{LETTERS[i]}. {option}" for i, option in enumerate(options))
        question += "\nAnswer with the option's letter from the given choices directly."
    else:
        options = []
        question += "\nAnswer the question using a single word or phrase."
    question, images = _place_images(question, row, where)
    category = row.get("subfield")
    if options:
        return Item(
            str(row["id"]), question, images, "choice", str(row["answer"]).strip(), choices=options, category=category
        )
    answers = _literal_list(row["answer"], where) if str(row["answer"]).startswith("[") else [row["answer"]]
    return _free_form(str(row["id"]), question, images, answers[0], 2, category, answers[1:])


def _literal_list(text, where: str) -> list[str]:
    if isinstance(text, list):
        return [str(x) for x in text]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"{where}: expected a list literal, got {text!r}") from None
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list literal, got {text!r}")
    return [str(x) for x in value]


def _place_images(text: str, row: dict, where: str) -> tuple[str, list]:
    """``<image N>`` -> ``<image>`` with ``image_N`` at that spot; unreferenced images go first."""
    numbers = [int(n) for n in IMAGE_PLACEHOLDER.findall(text)]
    available = {n for n in range(1, 8) if row.get(f"image_{n}") is not None}
    unknown = sorted(set(numbers) - available)
    if unknown:
        raise ValueError(f"{where}: question refers to <image {unknown[0]}> but image_{unknown[0]} is empty")
    leading = [row[f"image_{n}"] for n in sorted(available - set(numbers))]
    return IMAGE_PLACEHOLDER.sub("<image>", text), leading + [row[f"image_{n}"] for n in numbers]


def mathvista_item(row: dict, where: str) -> Item:
    """MathVista: the dataset's ``query`` (hint, question, choices) as the authors send it."""
    _need(row, where, "pid", "query", "answer", "question_type", "answer_type", "decoded_image")
    images = [row["decoded_image"]]
    meta = row.get("metadata") or {}
    category = meta.get("task") if isinstance(meta, dict) else None
    if row["question_type"] == "multi_choice":
        choices = list(row.get("choices") or [])
        if row["answer"] not in choices:
            raise ValueError(f"{where}: answer {row['answer']!r} is not one of the choices {choices}")
        letter = LETTERS[choices.index(row["answer"])]
        return Item(str(row["pid"]), row["query"], images, "choice", letter, choices=choices, category=category)
    if row["answer_type"] in ("integer", "float"):
        precision = None if row["answer_type"] == "integer" else int(row.get("precision") or 0)
        return Item(
            str(row["pid"]),
            row["query"],
            images,
            "number",
            str(row["answer"]),
            precision=precision,
            unit=row.get("unit") or None,
            category=category,
        )
    return Item(
        str(row["pid"]),
        row["query"],
        images,
        "text",
        str(row["answer"]),
        unit=row.get("unit") or None,
        category=category,
    )


def mathvision_item(row: dict, where: str) -> Item:
    """MathVision: the authors append " Options:" and "A. ..." lines (the header even without options)."""
    _need(row, where, "id", "question", "options", "answer", "decoded_image")
    options = list(row["options"] or [])
    question = row["question"] + " Options:" + "".join(f"\n{LETTERS[i]}. {o}" for i, o in enumerate(options))
    images = [row["decoded_image"]]
    category = row.get("subject")
    if options:
        return Item(
            str(row["id"]), question, images, "choice", str(row["answer"]).strip(), choices=options, category=category
        )
    return _free_form(str(row["id"]), question, images, row["answer"], 2, category)


_MATHVERSE_CHOICE = re.compile(r"^\(?([A-Z])\)?\s*[:.]\s*(.*)$")


def mathverse_item(row: dict, where: str) -> Item:
    """MathVerse: ``query_wo`` as the authors send it; options parsed from ``question_for_eval``'s Choices."""
    _need(row, where, "sample_index", "query_wo", "answer", "question_type", "image")
    images = [row["image"]]
    category = row.get("problem_version")
    answer = str(row["answer"]).strip()
    if row["question_type"] == "multi-choice":
        block = str(row.get("question_for_eval") or row["query_wo"]).split("Choices:")[-1]
        choices = [m.group(2).strip() for line in block.splitlines() if (m := _MATHVERSE_CHOICE.match(line.strip()))]
        letters = re.findall(r"[A-Z]", answer)
        if not letters:
            raise ValueError(f"{where}: multiple-choice answer {answer!r} names no option letter")
        return Item(
            str(row["sample_index"]),
            row["query_wo"],
            images,
            "choice",
            ",".join(letters),
            choices=choices,
            category=category,
        )
    return _free_form(str(row["sample_index"]), row["query_wo"], images, answer, 2, category)


_MMSTAR_OPTION = re.compile(r"(?:^|\s)([A-F]): (.*?)(?=,\s*[A-F]: |\n|$)", re.S)


def mmstar_item(row: dict, where: str) -> Item:
    """MMStar: the question (options inline, "A: ..., B: ...") plus the authors' answer-format line."""
    _need(row, where, "index", "question", "answer", "image")
    options_text = row["question"].split("Options:")[-1] if "Options:" in row["question"] else ""
    choices = [m.group(2).strip() for m in _MMSTAR_OPTION.finditer(options_text)]
    question = row["question"] + "\nAnswer with the option's letter from the given choices."
    return Item(
        str(row["index"]),
        question,
        [row["image"]],
        "choice",
        str(row["answer"]).strip(),
        choices=choices,
        category=row.get("category"),
    )


POLICY_LOADERS = {
    "mmmu": mmmu_item,
    "mathvista": mathvista_item,
    "mathvision": mathvision_item,
    "mathverse": mathverse_item,
    "mmstar": mmstar_item,
}


def policy_items(name: str, source: str | None = None, limit: int | None = None) -> list[Item]:
    """All items of policy benchmark ``name``; a bad row raises an error naming it."""
    benchmark = BENCHMARKS[name]
    convert = POLICY_LOADERS[name]
    items, seen = [], set()
    for position, row in enumerate(load_rows(benchmark, source, limit)):
        item = convert(row, f"{name}: row {position}")
        if item.id in seen:
            raise ValueError(f"{name}: row {position}: duplicate id {item.id!r} (ids key the resumable output)")
        seen.add(item.id)
        items.append(item)
    return items
