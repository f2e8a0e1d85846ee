from benchmark_rows import hub_folder, png_bytes
from datasets import Features, Image, Value

from critic_r1_ext.evaluate.benchmarks.base import Benchmark, Item
from critic_r1_ext.evaluate.benchmarks.loading import load_rows


def _benchmark(split, configs=(None,)):
    return Benchmark(
        name="toy",
        hub_id="nobody/toy",
        split=split,
        task="policy",
        paper_name="Toy",
        category="Image reasoning",
        script="eval_llama32v/model_toy_llama32v.py",
        item=lambda row, where: Item(str(row["id"]), "q", [], "text", "a"),
        configs=configs,
    )


def _rows(start):
    return [{"id": start + k, "image": {"bytes": png_bytes("red"), "path": None}} for k in range(3)]


FEATURES = Features({"id": Value("int64"), "image": Image()})


def test_local_copy_with_val_files_reads_the_val_split(tmp_path):
    """``datasets`` would call "val-*" files a "validation" split; the split as the files name it is read."""
    hub_folder(tmp_path / "one", "val", _rows(0), FEATURES)
    assert [row["id"] for row in load_rows(_benchmark("val"), str(tmp_path / "one"), limit=2)] == [0, 1]
    for config, start in (("Counting", 0), ("Jigsaw", 10)):
        hub_folder(tmp_path / "many", "val", _rows(start), FEATURES, config=config)
    rows = list(load_rows(_benchmark("val", ("Counting", "Jigsaw")), str(tmp_path / "many"), limit=2))
    assert [(row["_config"], row["id"]) for row in rows] == [
        ("Counting", 0),
        ("Counting", 1),
        ("Jigsaw", 10),
        ("Jigsaw", 11),
    ]


def test_local_copy_reads_only_the_benchmark_split(tmp_path):
    hub_folder(tmp_path, "test", _rows(0), FEATURES)
    hub_folder(tmp_path, "val", _rows(100), FEATURES)
    assert [row["id"] for row in load_rows(_benchmark("val"), str(tmp_path))] == [100, 101, 102]
