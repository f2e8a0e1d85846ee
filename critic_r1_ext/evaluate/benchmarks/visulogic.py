"""VisuLogic, the public release ``VisuLogic/VisuLogic`` (``data.jsonl`` and ``images.zip``).

``eval_llama32v/model_visulogic_llama32v.py`` reads a local ``VisuLogic/data.jsonl`` with the images
unpacked beside it; that is this hub dataset repository, read here from a snapshot of it (or from
``--data visulogic=DIR``: a folder with ``data.jsonl`` and the images unpacked or as ``images.zip``,
or the ``data.jsonl`` file itself). The row's ``question`` (options included) is sent as it is,
the image before it; images under 28 px on a side are skipped (``min_image_side``).

Official metric (VisuLogic-Benchmark/VisuLogic-Eval ``evaluation/eval_model.py``): the option is
read by rules first (the last ``\\boxed{}`` with ``\\text{``, ``\\rm{``, ``\\mathbf{``, ``$`` and braces
removed, unless it holds "letter" or "or" or is longer than 2 characters; else phrases such as
"the answer is X" or a trailing " X."), then by an LLM (gpt-4o-mini there) with the official
extraction prompt; right when it equals ``label`` ignoring case. Accuracy overall and per ``tag``.
Outputs the rules cannot read need ``--judge-url``; without one (or when the judge fails on any of
them, counted in ``judge_failures``) ``accuracy`` says it needs a judge, and ``accuracy_rules_only``
counts them wrong. The rules see the text after the thinking; the judge the whole output, as the
official code sends it.
"""

from __future__ import annotations

import json
import zipfile
from contextlib import nullcontext
from pathlib import Path

from critic_r1_ext.evaluate.benchmarks._metrics import accuracy, by_extra
from critic_r1_ext.evaluate.benchmarks.base import NEEDS_JUDGE, Benchmark, Item, need
from critic_r1_ext.verdict import answer_part, boxed_spans

OPTIONS = ("A", "B", "C", "D")
_FLAGS = (
    "answer:",
    "the final answer is:",
    "the answer is option:",
    "the answer is:",
    "the correct answer is option:",
    "the correct answer is:",
    "the answer should be:",
    "the final answer is",
    "the answer is option",
    "the answer is",
    "the correct answer is option",
    "the correct answer is",
    "the answer should be",
)
# The official extraction prompt (VisuLogic-Eval evaluation/eval_model.py, ``extract_gpt``), sent as is.
JUDGE_SYSTEM = "You are a helpful and precise assistant for extract the final option in the answer."
JUDGE_PROMPT = (
    "Extract the option in the solution. Just answer only capital letters. "
    "If solution have multi options or has no clear option just answer None.\nSolution: {solution}\n"
)


def visulogic_rows(benchmark, source: str | None = None, limit: int | None = None):
    """``data.jsonl`` rows with their image read from the folder or from ``images.zip`` (``{"bytes", "path"}``)."""
    if source is None:
        from huggingface_hub import snapshot_download

        source = snapshot_download(repo_id=benchmark.hub_id, repo_type="dataset")
    folder = Path(source) if Path(source).is_dir() else Path(source).parent
    table = Path(source) if Path(source).is_file() else folder / "data.jsonl"
    if not table.is_file():
        raise FileNotFoundError(f"{benchmark.name}: {table} not found (give the VisuLogic folder or its data.jsonl)")
    zipped = folder / "images.zip"
    with table.open() as lines, zipfile.ZipFile(zipped) if zipped.is_file() else nullcontext() as archive:
        for position, line in enumerate(lines):
            if limit is not None and position >= limit:
                break
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{table}: line {position + 1}: not JSON ({error.msg})") from None
            path = str(row.get("image_path") or "").removeprefix("./")
            yield {**row, "image": _image(folder, archive, path, f"{table}: line {position + 1}")}


def _image(folder: Path, archive, path: str, where: str) -> dict:
    if (folder / path).is_file():
        return {"bytes": None, "path": str(folder / path)}
    if archive is not None and path in archive.NameToInfo:
        return {"bytes": archive.read(path), "path": path}
    raise FileNotFoundError(f"{where}: image {path!r} is neither in {folder} nor in its images.zip")


def visulogic_item(row: dict, where: str) -> Item:
    need(row, where, "id", "question", "label", "image")
    label = str(row["label"]).strip().upper()
    if label not in OPTIONS:
        raise ValueError(f"{where}: label {row['label']!r} is not one of {OPTIONS}")
    tag = row.get("tag")
    return Item(
        str(row["id"]), row["question"], [row["image"]], "choice", label, choices=[], category=tag, extra={"tag": tag}
    )


def _box_rule(text: str) -> str:
    if len(text) < 3:
        return text
    boxes = boxed_spans(text)
    if not boxes:
        return "N"
    content = boxes[-1]
    for command in (r"\text{", r"\rm{", r"\mathbf{", "$"):
        content = content.replace(command, "")
    content = content.replace("}", "")
    return text if "letter" in content.lower() or "or" in content or len(content) > 2 else content


def _phrase_rule(text: str) -> str:
    text = text.replace("<|endoftext|>", "")
    for c in OPTIONS:
        endings = (f" {c}.", f" ({c}).")
        if text.endswith(endings) or text.startswith((f"{c}\n", f"({c})\n", f"({c}) {c}\n")):
            return c
    lower = text.lower()
    for flag in _FLAGS:
        if flag in lower:
            lower = lower.split(flag)[-1].strip().split("\n")[0].split(".")[0]
            if lower.upper() in OPTIONS:
                return lower.upper()
    return text


def rule_option(output: str) -> str | None:
    """The option the official rules read from an output (text after the thinking); ``None``: ask the judge."""
    text = answer_part(output)
    if (boxed := _box_rule(text).strip()) in OPTIONS:
        return boxed
    if (phrased := _phrase_rule(text)) in OPTIONS:
        return phrased
    return None


def judge_option(judge, output: str) -> str | None:
    """The judge's reading, as the official code cuts it ("N": no clear option); ``None`` when it never answered."""
    reply = judge.ask(JUDGE_PROMPT.format(solution=output), system=JUDGE_SYSTEM)
    if reply is None:
        return None
    reply = reply.strip().split("\n")[0].split(".")[0]
    return "N" if "none" in reply.lower() else reply


def metrics(records: list[dict], judge=None) -> dict:
    """Accuracy and accuracy per tag (fractions); rule-only accuracy and the count the rules cannot read."""
    read = [rule_option(str(r.get("output") or "")) for r in records]
    unread = [i for i, option in enumerate(read) if option is None]
    rules_only = [{**r, "correct": o == r["reference"]["answer"]} for r, o in zip(records, read, strict=True)]
    result = {
        "accuracy_rules_only": accuracy(rules_only),
        "needs_judge_items": len(unread),
    }
    if unread and judge is None:
        return {"accuracy": NEEDS_JUDGE, "per_tag": NEEDS_JUDGE, **result}
    for i in unread:
        read[i] = judge_option(judge, str(records[i].get("output") or ""))
    failed = sum(read[i] is None for i in unread)
    if failed:
        return {"accuracy": NEEDS_JUDGE, "per_tag": NEEDS_JUDGE, **result, "judge_failures": failed}
    scored = [
        {**r, "correct": o.lower() == r["reference"]["answer"].lower()} for r, o in zip(records, read, strict=True)
    ]
    return {**by_extra(scored, "tag"), **result}


BENCHMARK = Benchmark(
    name="visulogic",
    hub_id="VisuLogic/VisuLogic",
    split="train",
    task="policy",
    paper_name="VisuLogic",
    category="Image reasoning",
    script="eval_llama32v/model_visulogic_llama32v.py",
    min_image_side=28,  # the script skips images under 28 px a side
    item=visulogic_item,
    metrics=metrics,
    rows=visulogic_rows,
    source_note="the authors read a local data.jsonl; here the hub dataset repository VisuLogic/VisuLogic "
    "(data.jsonl + images.zip), downloaded whole, or a local copy of it",
)
