"""Pure parts: where samples go, how samples become windows, how landmarks become a verdict."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from clipora_core.contracts import PresenceSample, TimeWindow
from clipora_presence_mediapipe.scoring import REASON_NO_POSE, classify, pose_metrics
from clipora_presence_mediapipe.settings import MediaPipePresenceSettings
from pydantic import ValidationError

from clipora_presence_mediapipe import presence_windows, sample_times


def spans(windows: list[TimeWindow]) -> list[tuple[float, float]]:
    return [(w.start_seconds, w.end_seconds) for w in windows]


def test_sample_grid_matches_the_earlier_tool() -> None:
    assert sample_times(0, 10, 2) == [0.25, 2, 4, 6, 8, 9.75]
    assert sample_times(5, 8, 1) == [5.25, 6, 7, 7.75]


def test_short_window_gets_its_edges_and_midpoint() -> None:
    assert sample_times(3, 3.4, 1) == [3.1, 3.2, 3.3]
    assert sample_times(3, 3, 1) == []
    assert sample_times(4, 3, 1) == []


def sample(t: float, status: str) -> PresenceSample:
    return PresenceSample(timestamp_seconds=t, status=status)


def test_windows_split_half_way_between_samples() -> None:
    samples = [
        sample(t, "present" if t < 4 or t >= 8 else "absent") for t in sample_times(0, 12, 1)
    ]
    present, absent = presence_windows(samples, 1.0, windows=[(0, 12)])
    assert spans(present) == [(0.0, 3.5), (7.5, 12.0)]
    assert spans(absent) == [(3.5, 7.5)]


def test_uncertain_counts_as_present_unless_told_otherwise() -> None:
    samples = [sample(0.5, "present"), sample(1.5, "uncertain"), sample(2.5, "absent")]
    present, absent = presence_windows(samples, 1.0)
    assert spans(present) == [(0.0, 2.0)] and spans(absent) == [(2.0, 3.0)]
    present, absent = presence_windows(samples, 1.0, uncertain_as_present=False)
    assert spans(present) == [(0.0, 1.0)] and spans(absent) == [(1.0, 3.0)]


def test_gap_between_item_windows_is_claimed_by_nobody() -> None:
    windows = [
        TimeWindow(start_seconds=0, end_seconds=3),
        TimeWindow(start_seconds=20, end_seconds=22),
    ]
    samples = [
        sample(t, "present")
        for w in windows
        for t in sample_times(w.start_seconds, w.end_seconds, 1)
    ]
    samples[-1] = sample(samples[-1].timestamp_seconds, "absent")
    present, absent = presence_windows(samples, 1.0, windows=windows)
    assert spans(present) == [(0.0, 3.0), (20.0, 21.375)]
    assert spans(absent) == [(21.375, 22.0)]


def test_no_samples_no_windows() -> None:
    assert presence_windows([], 1.0) == ([], [])
    with pytest.raises(ValueError):
        presence_windows([], 0)


CFG = MediaPipePresenceSettings()


def lm(x: float, y: float, visibility: float = 0.99) -> SimpleNamespace:
    return SimpleNamespace(x=x, y=y, visibility=visibility)


def upright_body() -> list[SimpleNamespace]:
    # 33 landmarks spread over a person-sized box, all visible.
    return [lm(0.3 + 0.4 * (i % 5) / 4, 0.1 + 0.8 * i / 32) for i in range(33)]


def test_full_body_is_present() -> None:
    verdict = classify([upright_body()], CFG)
    assert verdict.status == "present"
    assert verdict.metrics.visible_landmark_count == 33
    assert verdict.metrics.core_landmark_count == 5
    assert verdict.score == pytest.approx(0.35 + 0.30 + 0.20 + 0.15 * 0.99)


@pytest.mark.parametrize(
    "poses",
    [
        [],  # nothing found
        [[]],  # a pose with no landmarks
        [None],
        [[lm(0.5, 0.5)] + [lm(0.5, 0.5, 0.0)] * 32],  # one visible landmark
        [[lm(0.5, 0.5)] * 33],  # every landmark on one point: zero-area box
        [[lm(math.nan, 0.5)] * 33],  # NaN positions
        [[lm(0.5, 0.5, math.nan)] * 33],  # NaN visibility
        [[lm(math.inf, -math.inf, 5.0)] * 33],  # out-of-range values
        [[SimpleNamespace()] * 33],  # landmarks without fields
    ],
)
def test_degenerate_detections_never_raise(poses: list) -> None:
    verdict = classify(poses, CFG)
    assert verdict.status in {"absent", "uncertain"}
    assert 0.0 <= verdict.score <= 1.0
    assert not math.isnan(verdict.metrics.bbox_area_ratio)


def test_one_visible_landmark_is_not_presence() -> None:
    verdict = classify([[lm(0.5, 0.5)] + [lm(0.5, 0.5, 0.0)] * 32], CFG)
    assert verdict.status == "absent"
    assert verdict.metrics.visible_landmark_count == 1
    assert verdict.metrics.bbox_area_ratio == 0.0


def test_no_pose_reason() -> None:
    assert classify([], CFG).reason == REASON_NO_POSE


def test_identity_policy_picks_the_host() -> None:
    big = upright_body()
    small_clear = [lm(0.05 + 0.05 * (i % 5) / 4, 0.05 + 0.1 * i / 32, 1.0) for i in range(33)]
    largest = classify([small_clear, big], MediaPipePresenceSettings())
    assert largest.metrics.bbox_area_ratio == pytest.approx(pose_metrics(big, CFG).bbox_area_ratio)
    assert largest.candidate_count == 2
    best = classify(
        [[lm(0.1, 0.1), lm(0.9, 0.9)] + [lm(0.5, 0.5, 0.1)] * 31, small_clear],
        MediaPipePresenceSettings(
            identity_policy="any_pose_counts", min_pose_bbox_area_ratio=0.001
        ),
    )
    assert best.status == "present"


def test_thresholds_are_checked_against_each_other() -> None:
    with pytest.raises(ValidationError, match="min_core_landmarks"):
        MediaPipePresenceSettings(min_visible_landmarks=2, min_core_landmarks=3)
    with pytest.raises(ValidationError, match="uncertain_score_threshold"):
        MediaPipePresenceSettings(presence_score_threshold=0.3, uncertain_score_threshold=0.5)
