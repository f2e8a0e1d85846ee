"""MM-RLHF-RewardBench: image rows and video rows (frame files, passed as one video), accuracy and Acc+."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items


def write_mm_rlhf_rewardbench(root):
    (root / "images" / "v_clip").mkdir(parents=True)
    image("red").save(root / "images" / "a.jpg")
    for k in range(3):
        image((0, 0, 80 * k)).save(root / "images" / "v_clip" / f"c01_000{k}.jpeg")
    rows = [
        {"id": 0, "image": "a.jpg", "video": [], "prompt": "What is shown?"}
        | {"chosen": "A red square.", "rejected": "A blue circle."},
        {"id": 1, "image": None, "video": [f"v_clip/c01_000{k}.jpeg" for k in range(3)], "prompt": "What happens?"}
        | {"chosen": "Nothing.", "rejected": "A car crash."},
        {"id": 2, "image": "a.jpg", "video": [], "prompt": "What is shown?"}
        | {"chosen": "A red square.", "rejected": "Nothing at all."},
    ]
    return hub_folder(root, "train", rows)


FIXTURES = {"mm_rlhf_rewardbench": write_mm_rlhf_rewardbench}


def test_image_and_video_rows_become_pairs_with_the_chosen_response_first(tmp_path):
    (picture, clip, same_question), skipped = items("mm_rlhf_rewardbench", str(write_mm_rlhf_rewardbench(tmp_path)))
    assert skipped == {} and (picture.choices, picture.answer) == (["A red square.", "A blue circle."], "1")
    assert picture.images == [str(tmp_path / "images" / "a.jpg")] and picture.videos == []
    assert clip.images == [] and [len(v) for v in clip.videos] == [3] and clip.category == "video"
    assert picture.extra["question"] == same_question.extra["question"] != clip.extra["question"]


def test_acc_plus_needs_every_pair_of_a_question_right():
    records = [
        {"id": "0", "subset": "image", "extra": {"question": "q1"}, "picked": ["1"], "correct": [True]},
        {"id": "2", "subset": "image", "extra": {"question": "q1"}, "picked": ["2"], "correct": [False]},
        {"id": "1", "subset": "video", "extra": {"question": "q2"}, "picked": ["1"], "correct": [True]},
    ]
    metrics = REGISTRY["mm_rlhf_rewardbench"].metrics(records)
    assert metrics["accuracy"] == 2 / 3 and metrics["acc_plus"] == 0.5
    assert metrics["per_kind"] == {"image": 0.5, "video": 1.0}
