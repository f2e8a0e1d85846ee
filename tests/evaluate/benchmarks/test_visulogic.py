"""VisuLogic: the public release's layout (``data.jsonl`` + ``images.zip``), the official rules, then the judge."""

from __future__ import annotations

import json
import zipfile

import pytest
from benchmark_rows import png_bytes
from judge_server import scripted_judge

from critic_r1_ext.evaluate.benchmarks import NEEDS_JUDGE, REGISTRY, items
from critic_r1_ext.evaluate.benchmarks.visulogic import JUDGE_SYSTEM, metrics, rule_option
from critic_r1_ext.evaluate.policy import policy_prompt
from critic_r1_ext.evaluate.scoring import score
from critic_r1_ext.prompt import THINK_BOXED_SUFFIX

QUESTION = "Which option completes the sequence?\nOptions: A: ..., B: ..., C: ..., D: ..."


def write_visulogic(root):
    """Two rows with their images in ``images.zip`` and a third whose image is unpacked in the folder."""
    rows = [
        {
            "id": "00001",
            "question": QUESTION,
            "label": "C",
            "image_path": "images/00001.png",
            "tag": "Quantitative Reasoning",
        },
        {
            "id": "00002",
            "question": "Which shape differs?",
            "label": "A",
            "image_path": "images/00002.png",
            "tag": "Spatial Reasoning",
        },
        {"id": "00003", "question": "Which one?", "label": "D", "image_path": "./images/00003.png", "tag": "Other"},
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "data.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    with zipfile.ZipFile(root / "images.zip", "w") as archive:
        archive.writestr("images/00001.png", png_bytes("red"))
        archive.writestr("images/00002.png", png_bytes("blue"))
    (root / "images").mkdir()
    (root / "images" / "00003.png").write_bytes(png_bytes("green"))
    return root


FIXTURES = {"visulogic": write_visulogic}


def _records(found, outputs):
    return [{"reference": i.reference(), "output": o, **score(i.reference(), o)} for i, o in zip(found, outputs)]


def test_visulogic_reads_the_release_folder_zip_and_unpacked_images(tmp_path):
    (first, second, third), skipped = items("visulogic", str(write_visulogic(tmp_path / "v")))
    assert skipped == {} and REGISTRY["visulogic"].hub_id == "VisuLogic/VisuLogic"
    assert policy_prompt(first) == QUESTION + THINK_BOXED_SUFFIX
    assert first.images[0]["bytes"] == png_bytes("red") and third.images[0]["path"].endswith("images/00003.png")
    assert (first.id, first.kind, first.answer, first.extra) == (
        "00001",
        "choice",
        "C",
        {"tag": "Quantitative Reasoning"},
    )
    assert len(items("visulogic", str(tmp_path / "v" / "data.jsonl"), limit=1)[0]) == 1  # the table file itself


def test_visulogic_names_a_missing_image_and_a_torn_line(tmp_path):
    root = write_visulogic(tmp_path / "v")
    (root / "images" / "00003.png").unlink()
    with pytest.raises(FileNotFoundError, match="line 3: image 'images/00003.png' is neither in"):
        items("visulogic", str(root))
    (root / "data.jsonl").write_text('{"id": "1", "question"\n')
    with pytest.raises(ValueError, match="data.jsonl: line 1: not JSON"):
        items("visulogic", str(root))


def test_visulogic_rules_read_boxes_and_phrases_and_leave_the_rest_to_the_judge():
    assert rule_option("<think>\\boxed{A}</think> so \\boxed{\\text{C}}") == "C"
    assert rule_option("\\boxed{$B$}") == "B"
    assert rule_option("The answer is D. Because the dots grow.") == "D"
    assert rule_option("C") == "C"  # a bare answer
    assert rule_option("\\boxed{A or B}") is None  # a hedge
    assert rule_option("\\boxed{Option B is the correct answer}") is None  # too long for the box rule
    assert rule_option("I cannot tell") is None


def test_visulogic_metrics_without_a_judge_say_so_and_report_the_rule_only_value(tmp_path):
    found = items("visulogic", str(write_visulogic(tmp_path / "v")))[0]
    records = _records(found, ["\\boxed{C}", "\\boxed{B}", "it must be the fourth one"])
    result = metrics(records)
    assert result["accuracy"] == NEEDS_JUDGE and result["per_tag"] == NEEDS_JUDGE
    assert result["accuracy_rules_only"] == pytest.approx(1 / 3) and result["needs_judge_items"] == 1
    every_rule = metrics(records[:2])
    assert every_rule["accuracy"] == 0.5 and every_rule["per_tag"] == {
        "Quantitative Reasoning": 1.0,
        "Spatial Reasoning": 0.0,
    }


def test_visulogic_metrics_ask_the_judge_only_for_what_the_rules_cannot_read(tmp_path):
    found = items("visulogic", str(write_visulogic(tmp_path / "v")))[0]
    records = _records(found, ["\\boxed{C}", "maybe the first", "it must be the fourth one"])
    replies = {"maybe the first": "None of them", "it must be the fourth one": "D.\nBecause"}
    with scripted_judge(lambda m: next(v for k, v in replies.items() if k in m[-1]["content"]), tmp_path) as (
        judge,
        seen,
    ):
        result = metrics(records, judge)
    assert len(seen) == 2 and seen[0][0] == {"role": "system", "content": JUDGE_SYSTEM}
    assert seen[0][1]["content"].endswith("Solution: maybe the first\n")
    assert result["accuracy"] == pytest.approx(2 / 3)
    assert result["per_tag"] == {"Other": 1.0, "Quantitative Reasoning": 1.0, "Spatial Reasoning": 0.0}
    (tmp_path / "down").mkdir()
    with scripted_judge(lambda m: None, tmp_path / "down") as (down, _):
        failed = metrics(records, down)
    assert failed["accuracy"] == NEEDS_JUDGE and failed["judge_failures"] == 2


def test_visulogic_without_data_downloads_the_release_repository(tmp_path, monkeypatch):
    import huggingface_hub

    calls = []
    release = write_visulogic(tmp_path / "snapshot")
    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda **kw: calls.append(kw) or str(release))
    found = items("visulogic", None, limit=2)[0]
    assert calls == [{"repo_id": "VisuLogic/VisuLogic", "repo_type": "dataset"}] and len(found) == 2
