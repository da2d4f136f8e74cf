"""The real detector (bundled MediaPipe model) on videos of a real photo of a person."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from clipora_core.errors import InputError
from clipora_core.timeline import presence_windows as core_presence_windows
from clipora_presence_mediapipe.detector import MediaPipePresenceDetector, bundled_model_path
from clipora_presence_mediapipe.frames import VideoReader
from clipora_presence_mediapipe.settings import MediaPipePresenceSettings
from presence_media import TRUTH_ABSENT, TRUTH_PRESENT, make_request, person_frame

from clipora_presence_mediapipe import presence_windows


def within(found: list[Any], truth: list[tuple[float, float]], tolerance: float) -> bool:
    if len(found) != len(truth):
        return False
    return all(
        abs(w.start_seconds - s) <= tolerance and abs(w.end_seconds - e) <= tolerance
        for w, (s, e) in zip(found, truth, strict=True)
    )


@pytest.mark.parametrize("interval", [1.0, 0.5])
def test_detected_spans_match_the_truth(
    detector: Any, presence_media: dict, interval: float
) -> None:
    request = make_request(presence_media["main"], [(0, 12)], interval)
    samples = detector.detect(request)
    assert [s.timestamp_seconds for s in samples] == pytest.approx(
        [0.125 if interval == 0.5 else 0.25]
        + [k * interval for k in range(1, round(12 / interval))]
        + [12 - min(interval / 4, 0.25)]
    )
    # Both this plugin's helper and the one the core's analyze stage uses agree with the truth.
    for helper in (presence_windows, core_presence_windows):
        present, absent = helper(samples, interval, request.windows)
        assert within(present, TRUTH_PRESENT, interval), (helper, present)
        assert within(absent, TRUTH_ABSENT, interval), (helper, absent)
    # Away from the cuts every sample is right, with pose facts to show for it.
    for s in samples:
        t = s.timestamp_seconds
        if abs(t - 4) > interval and abs(t - 8) > interval:
            assert s.status == ("absent" if 4 < t < 8 else "present"), s
    shown = [s for s in samples if s.status == "present"]
    assert all(s.metadata["visible_landmark_count"] >= 8 for s in shown)
    assert all(s.metadata["core_landmark_count"] >= 3 for s in shown)
    assert all(s.metadata["pose_bbox"] and s.metadata["pose_bbox_area_ratio"] > 0.02 for s in shown)
    assert {s.reason for s in samples if s.status == "absent"} == {"no pose detected"}
    progress = request.progress
    assert progress.updates[-1] == (len(samples), len(samples)) and not progress.warnings


def test_several_windows_one_landmarker(detector: Any, presence_media: dict) -> None:
    landmarker = detector._ensure_landmarker()
    windows_before = detector.stats["windows"]
    request = make_request(presence_media["main"], [(9, 11), (1, 2.5), (5, 6)], 1.0)
    samples = detector.detect(request)
    assert detector._landmarker is landmarker  # reused, not rebuilt per item or window
    assert detector.stats["windows"] - windows_before == 3
    by_time = {s.timestamp_seconds: s.status for s in samples}
    assert by_time == {
        1.25: "present",
        2: "present",
        2.25: "present",
        5.25: "absent",
        5.75: "absent",
        9.25: "present",
        10: "present",
        10.75: "present",
    }
    present, absent = presence_windows(samples, 1.0, request.windows)
    assert [(w.start_seconds, w.end_seconds) for w in present] == [(1, 2.5), (9, 11)]
    assert [(w.start_seconds, w.end_seconds) for w in absent] == [(5, 6)]


def test_one_pass_samples_every_requested_time(detector: Any, presence_media: dict) -> None:
    """25 samples from one window, each at its own time (speed: ``bench/presence.py``)."""
    request = make_request(presence_media["main"], [(0, 12)], 0.5)
    samples = detector.detect(request)
    assert len(samples) == 25
    times = [s.timestamp_seconds for s in samples]
    assert times == sorted(times) and len(set(times)) == 25


def test_windows_past_the_end_warn_and_do_not_fail(detector: Any, presence_media: dict) -> None:
    request = make_request(presence_media["main"], [(10, 16)], 1.0)
    samples = detector.detect(request)
    assert [s.timestamp_seconds for s in samples] == [10.25, 11]
    assert all(s.status == "present" for s in samples)
    assert request.progress.warnings and "past the end" in request.progress.warnings[0]


def test_rotated_video_is_judged_upright(detector: Any, presence_media: dict) -> None:
    with VideoReader(presence_media["rotated"]) as reader:
        frame = next(reader.frames_at([1.0]))
    assert frame.rgb.shape == (240, 320, 3)  # display orientation, not the stored 320x240 turned
    diff = np.abs(frame.rgb.astype(int) - person_frame().astype(int)).mean()
    assert diff < 12, diff
    samples = detector.detect(make_request(presence_media["rotated"], [(0, 3)], 1.0))
    assert all(s.status == "present" for s in samples)


def test_degenerate_videos_do_not_fail(detector: Any, presence_media: dict) -> None:
    samples = detector.detect(make_request(presence_media["tiny"], [(0, 2)], 0.5))
    assert len(samples) == 5 and all(s.status == "absent" for s in samples)
    # A 48 px person in a 320x240 frame: whatever the model makes of it, the item goes on.
    far = detector.detect(make_request(presence_media["far"], [(0, 2)], 1.0))
    assert len(far) == 3 and all(s.status in {"present", "uncertain", "absent"} for s in far)
    assert detector.detect(make_request(presence_media["main"], [], 1.0)) == []


def test_bad_inputs_are_one_line_errors(
    detector: Any, presence_media: dict, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="video not found"):
        detector.detect(make_request(tmp_path / "nope.mp4", [(0, 1)]))
    with pytest.raises(InputError, match="cannot open video"):
        detector.detect(make_request(presence_media["broken"], [(0, 1)]))


def settings_with(model_path: Path | None = None, **thresholds: Any) -> MediaPipePresenceSettings:
    return MediaPipePresenceSettings(model_path=model_path, **thresholds)


def test_model_path_override(presence_media: dict, tmp_path: Path) -> None:
    copy = tmp_path / "my-pose.task"
    shutil.copyfile(bundled_model_path(), copy)
    with MediaPipePresenceDetector(settings_with(copy)) as det:
        assert det.model_file() == copy
        samples = det.detect(make_request(presence_media["main"], [(1, 2)]))
        assert {s.status for s in samples} == {"present"}
    assert det._landmarker is None  # closed on leaving the block
    with pytest.raises(RuntimeError, match="closed"):
        det.detect(make_request(presence_media["main"], [(1, 2)]))

    missing = MediaPipePresenceDetector(settings_with(tmp_path / "missing.task"))
    with pytest.raises(InputError, match="model_path .*missing.task is not a file"):
        missing.detect(make_request(presence_media["main"], [(1, 2)]))
    garbage = tmp_path / "garbage.task"
    garbage.write_bytes(b"not a model")
    with pytest.raises(InputError, match="cannot load pose model"):
        MediaPipePresenceDetector(settings_with(garbage)).detect(
            make_request(presence_media["main"], [(1, 2)])
        )


def test_thresholds_change_the_verdict(presence_media: dict) -> None:
    # The astronaut photo stops at the waist: demanding all 33 landmarks makes her "uncertain".
    strict = settings_with(min_visible_landmarks=33, min_core_landmarks=5)
    with MediaPipePresenceDetector(strict) as det:
        samples = det.detect(make_request(presence_media["main"], [(1, 2)]))
    assert {s.status for s in samples} == {"uncertain"}
    assert all(s.metadata["visible_landmark_count"] < 33 for s in samples)
