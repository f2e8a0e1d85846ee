"""Video entries become frames the way the authors sample them: evenly spaced, a frame list as it is."""

from __future__ import annotations

import pytest
from benchmark_rows import image, video_bytes

from critic_r1_ext.common.video import load_video


def test_a_video_file_gives_evenly_spaced_frames_like_the_authors_linspace(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(video_bytes(frames=10))
    frames = load_video(str(path), 4, "item 1", tmp_path)  # linspace(0, 9, 4) -> frames 0, 3, 6, 9
    assert [round(f.getpixel((5, 5))[0] / 20) for f in frames] == [0, 3, 6, 9]
    assert len(load_video({"bytes": path.read_bytes()}, 32, "item 1", tmp_path)) == 32  # repeats when short
    assert load_video("clip.mp4", 2, "item 1", tmp_path)[0].mode == "RGB"  # relative to the base folder


def test_a_frame_list_is_passed_as_it_is(tmp_path):
    image("red").save(tmp_path / "a.jpg")
    frames = load_video(["a.jpg", {"image": image("blue")}], 32, "item 2", tmp_path)
    assert len(frames) == 2 and frames[1].getpixel((0, 0)) == (0, 0, 255)


def test_bad_videos_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="item 3: video not found"):
        load_video("missing.mp4", 4, "item 3", tmp_path)
    (tmp_path / "junk.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match="item 3: cannot read frames"):
        load_video("junk.mp4", 4, "item 3", tmp_path)
    with pytest.raises(ValueError, match="item 3: a video with no frames"):
        load_video([], 4, "item 3", tmp_path)
