"""MM-RLHF-RewardBench: image rows and video rows (frame files, passed as one video), accuracy and Acc+."""

from __future__ import annotations

from benchmark_rows import hub_folder, image

from critic_r1_ext.evaluate.benchmarks import REGISTRY, items
from critic_r1_ext.evaluate.stages import prepare_media


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


def _video_rows(root, frame_counts):
    """Rows with videos of ``frame_counts`` frame files each (frame k of a video is grey level 5 * k)."""
    rows = []
    for n, count in enumerate(frame_counts):
        (root / "images" / f"v_{n}").mkdir(parents=True)
        for k in range(count):
            image((5 * k,) * 3).save(root / "images" / f"v_{n}" / f"c01_{k:04d}.jpeg")
        rows.append(
            {"id": n, "image": None, "video": [f"v_{n}/c01_{k:04d}.jpeg" for k in range(count)]}
            | {"prompt": f"What happens in clip {n}?", "chosen": "A person waves.", "rejected": "A car drives by."}
        )
    return hub_folder(root, "train", rows)


def test_video_rows_reach_the_backend_as_one_video_of_every_listed_frame(tmp_path):
    found, _ = items("mm_rlhf_rewardbench", str(_video_rows(tmp_path, [3, 40])))
    kept, media, skipped = prepare_media(found, "mm_rlhf_rewardbench", min_side=28)
    assert skipped == [] and [len(images) for images, _ in media] == [0, 0]
    assert [[len(v) for v in videos] for _, videos in media] == [[3], [40]]  # as the authors' script passes them
    first, last = media[1][1][0][0], media[1][1][0][-1]
    assert first.getpixel((0, 0))[0] < 10 < 180 < last.getpixel((0, 0))[0]


def test_variant_frames_10_32_keeps_10_to_32_frames_taken_evenly(tmp_path):
    source = str(_video_rows(tmp_path, [3, 20, 40]))
    found, _ = items("mm_rlhf_rewardbench", source, variant="frames_10_32")
    assert [len(item.videos[0]) for item in found] == [10, 20, 32]
    short, _, long = (item.videos[0] for item in found)
    assert short[0].endswith("c01_0000.jpeg") and short[-1].endswith("c01_0002.jpeg")  # 3 frames, repeated
    assert long[0].endswith("c01_0000.jpeg") and long[-1].endswith("c01_0039.jpeg")
    assert items("mm_rlhf_rewardbench", source)[0][2].videos[0] == [
        str(tmp_path / "images" / "v_2" / f"c01_{k:04d}.jpeg") for k in range(40)
    ]
