"""Turn pose landmarks into a presence verdict (pure Python: no MediaPipe, no numpy).

The score and thresholds follow the earlier tool (reference-spec 4.6.1) so configs carry over.
Landmarks are anything with ``x``, ``y`` and ``visibility`` attributes (MediaPipe's
``NormalizedLandmark``); missing or non-finite values count as invisible, so a broken detection
becomes a low score, never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# BlazePose indices of nose, left/right shoulder, left/right hip: the body's "core".
CORE_LANDMARKS = (0, 11, 12, 23, 24)

REASON_NO_POSE = "no pose detected"
REASON_PRESENT = "pose meets stable presence thresholds"
REASON_WEAK = "pose detected but below stable presence thresholds"
REASON_LOW = "pose score below uncertain threshold"


@dataclass
class PoseMetrics:
    visible_landmark_count: int = 0
    core_landmark_count: int = 0
    mean_visibility: float = 0.0
    bbox: dict[str, float] | None = None  # normalized left/top/right/bottom over visible points
    bbox_area_ratio: float = 0.0
    score: float = 0.0


@dataclass
class Verdict:
    status: str  # present | absent | uncertain
    score: float
    reason: str
    metrics: PoseMetrics = field(default_factory=PoseMetrics)
    candidate_count: int = 0


def _finite(value: Any, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))


def pose_metrics(landmarks: Sequence[Any], cfg: Any) -> PoseMetrics:
    """Visible/core counts, bounding box and score of one detected pose."""
    visible_points: list[tuple[float, float]] = []
    visibilities: list[float] = []
    core = 0
    for index, lm in enumerate(landmarks):
        vis = _clamp01(_finite(getattr(lm, "visibility", None)))
        x = _finite(getattr(lm, "x", None), math.nan)
        y = _finite(getattr(lm, "y", None), math.nan)
        visibilities.append(vis)
        # A landmark without a finite position cannot be on screen, whatever its visibility.
        if vis < cfg.landmark_visibility or math.isnan(x) or math.isnan(y):
            continue
        visible_points.append((_clamp01(x), _clamp01(y)))
        if index in CORE_LANDMARKS:
            core += 1
    metrics = PoseMetrics(
        visible_landmark_count=len(visible_points),
        core_landmark_count=core,
        mean_visibility=sum(visibilities) / len(visibilities) if visibilities else 0.0,
    )
    if visible_points:
        xs = [p[0] for p in visible_points]
        ys = [p[1] for p in visible_points]
        metrics.bbox = {"left": min(xs), "top": min(ys), "right": max(xs), "bottom": max(ys)}
        metrics.bbox_area_ratio = _clamp01((max(xs) - min(xs)) * (max(ys) - min(ys)))
    metrics.score = _clamp01(
        0.35 * min(metrics.visible_landmark_count / cfg.min_visible_landmarks, 1.0)
        + 0.30 * min(metrics.core_landmark_count / cfg.min_core_landmarks, 1.0)
        + 0.20 * min(metrics.bbox_area_ratio / cfg.min_pose_bbox_area_ratio, 1.0)
        + 0.15 * metrics.mean_visibility
    )
    return metrics


def classify(poses: Sequence[Sequence[Any]], cfg: Any) -> Verdict:
    """The verdict for one frame from every pose the landmarker returned."""
    candidates = [pose_metrics(pose, cfg) for pose in poses if pose is not None]
    candidates = [c for c in candidates if c.visible_landmark_count or c.mean_visibility]
    if not candidates:
        return Verdict("absent", 0.0, REASON_NO_POSE, PoseMetrics(), len(candidates))
    if cfg.identity_policy == "largest_pose_wins":
        best = max(candidates, key=lambda c: (c.bbox_area_ratio, c.score))
    else:
        best = max(candidates, key=lambda c: (c.score, c.bbox_area_ratio))
    meets = (
        best.visible_landmark_count >= cfg.min_visible_landmarks
        and best.core_landmark_count >= cfg.min_core_landmarks
        and best.bbox_area_ratio >= cfg.min_pose_bbox_area_ratio
        and best.score >= cfg.presence_score_threshold
    )
    if meets:
        return Verdict("present", best.score, REASON_PRESENT, best, len(candidates))
    if best.score >= cfg.uncertain_score_threshold:
        return Verdict("uncertain", best.score, REASON_WEAK, best, len(candidates))
    return Verdict("absent", best.score, REASON_LOW, best, len(candidates))
