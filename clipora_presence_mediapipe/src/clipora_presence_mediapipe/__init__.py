"""Clipora presence detector: is the host on screen? (MediaPipe Pose Landmarker, offline).

``presence_windows`` and ``sample_times`` (pure, no MediaPipe) are re-exported lazily so that
importing ``plugin.py`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["presence_windows", "sample_times"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from clipora_presence_mediapipe import sampling

        return getattr(sampling, name)
    raise AttributeError(name)
