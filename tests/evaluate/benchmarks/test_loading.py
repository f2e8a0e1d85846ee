from benchmark_rows import hub_folder, png_bytes
from datasets import Features, Image, List, Value

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


def test_images_and_image_lists_stay_encoded(tmp_path):
    features = Features({"id": Value("int64"), "image": Image(), "images": List(Image())})
    rows = [{**row, "images": [row["image"], row["image"]]} for row in _rows(0)]
    hub_folder(tmp_path, "test", rows, features)
    (row, *_) = load_rows(_benchmark("test"), str(tmp_path))
    assert isinstance(row["image"], dict) and row["image"]["bytes"] == png_bytes("red")
    assert [type(image) for image in row["images"]] == [dict, dict] and row["images"][1]["bytes"] == png_bytes("red")


def test_hub_dataset_rows_keep_image_lists_encoded():
    """The hub path (a cached ``Dataset``) keeps list-of-image columns encoded too."""
    from datasets import Dataset

    from critic_r1_ext.evaluate.benchmarks.loading import _undecoded

    features = Features({"id": Value("int64"), "images": List(Image())})
    dataset = Dataset.from_list([{"id": 0, "images": [{"bytes": png_bytes("red"), "path": None}]}], features=features)
    assert next(iter(_undecoded(dataset)))["images"] == [{"bytes": png_bytes("red"), "path": None}]
