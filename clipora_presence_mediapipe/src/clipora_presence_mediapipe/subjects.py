"""Where the subjects of a frame are, for framing a crop: the host's body and raised hands from
pose landmarks, or the most salient region when there is no pose.

Boxes are fractions of the frame. A pose's landmarks stop at the eyes and ears, so the head's
box is raised by most of the nose-to-shoulder distance to keep the hair in. A hand counts as
holding something up when its wrist is above the hips (or the hips are out of frame) -- the
gesture of a host showing a product -- and its box is grown by about a hand's size around the
wrist and fingers, where the product is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from clipora_core.api import SubjectBox

from clipora_presence_mediapipe.scoring import pose_metrics

BODY = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 23, 24)
HANDS = ((15, 17, 19, 21), (16, 18, 20, 22))  # wrist, pinky, index, thumb; left then right
HIPS = (23, 24)


def _point(lm: Any, visibility: float) -> tuple[float, float] | None:
    try:
        x, y, v = float(lm.x), float(lm.y), float(lm.visibility)
    except (TypeError, ValueError, AttributeError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)) or v < visibility:
        return None
    return x, y


def _box(kind: str, points: Sequence[tuple[float, float]], score: float) -> SubjectBox:
    def clamp(v: float) -> float:
        return min(1.0, max(0.0, v))

    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return SubjectBox(
        kind=kind,  # type: ignore[arg-type]
        left=clamp(min(xs)),
        top=clamp(min(ys)),
        right=clamp(max(xs)),
        bottom=clamp(max(ys)),
        score=round(clamp(score), 4),
    )


def pose_boxes(poses: Sequence[Sequence[Any]], cfg: Any) -> list[SubjectBox]:
    """A ``person`` box per pose good enough to count, and a ``hands`` box per raised hand."""
    out: list[SubjectBox] = []
    for pose in poses:
        metrics = pose_metrics(pose, cfg)
        if metrics.score < cfg.uncertain_score_threshold:
            continue
        seen = {i: _point(pose[i], cfg.landmark_visibility) for i in range(min(len(pose), 33))}
        body = [p for i, p in seen.items() if i in BODY and p is not None]
        if len(body) < 2:
            continue
        nose, shoulders = seen.get(0), [seen.get(11), seen.get(12)]
        levels = [s[1] for s in shoulders if s is not None]
        if nose is not None and levels:
            rise = 0.8 * max(0.0, sum(levels) / len(levels) - nose[1])
            body.append((nose[0], nose[1] - rise))
        out.append(_box("person", body, metrics.score))
        hips = [seen[i] for i in HIPS if seen.get(i) is not None]
        hip_level = min((h[1] for h in hips), default=math.inf)
        width = max(p[0] for p in body) - min(p[0] for p in body)
        for hand in HANDS:
            points = [seen[i] for i in hand if seen.get(i) is not None]
            wrist = seen.get(hand[0])
            if wrist is None or not points or wrist[1] >= hip_level:
                continue
            grow = max(0.04, 0.35 * width)
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            out.append(
                _box(
                    "hands",
                    [(min(xs) - grow, min(ys) - grow), (max(xs) + grow, max(ys) + grow)],
                    metrics.score,
                )
            )
    return out


def salient_box(rgb: Any) -> SubjectBox | None:
    """The largest connected region of the spectral-residual saliency map (OpenCV contrib,
    which MediaPipe brings), or None when nothing stands out."""
    import cv2
    import numpy as np

    height, width = rgb.shape[:2]
    scale = 160 / max(height, width)
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))))
    ok, sal = cv2.saliency.StaticSaliencySpectralResidual_create().computeSaliency(small)
    if not ok:
        return None
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), 2.0)
    peak = float(sal.max())
    if peak <= 1e-6:
        return None
    mask = (sal >= max(float(sal.mean()) + 2 * float(sal.std()), 0.3 * peak)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[best, :4])
    sh, sw = mask.shape
    return SubjectBox(
        kind="salient",
        left=x / sw,
        top=y / sh,
        right=min(1.0, (x + w) / sw),
        bottom=min(1.0, (y + h) / sh),
        score=round(min(1.0, float(sal[mask > 0].mean()) / peak), 4),
    )
