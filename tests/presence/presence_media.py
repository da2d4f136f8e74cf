"""Tiny videos with a real person in them, for the presence tests.

The person is scikit-image's astronaut photo (Eileen Collins, public domain), scaled into the
frame; "absent" frames are a flat studio-blue background. Videos are H.264 at 15 fps with a
keyframe every 2 s, so seeking lands before a window and the detector must decode forward.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
from clipora_core.capabilities import PresenceRequest
from clipora_core.contracts import TimeWindow
from clipora_core.progress import StageProgress
from skimage import data, transform

FPS = 15
BACKGROUND = (40, 90, 140)

# Ground truth of the main video: the host is on screen 0-4 s and 8-12 s, away 4-8 s.
TRUTH_PRESENT = [(0.0, 4.0), (8.0, 12.0)]
TRUTH_ABSENT = [(4.0, 8.0)]


def person_frame(
    width: int = 320, height: int = 240, person_height: int | None = None
) -> np.ndarray:
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKGROUND
    size = min(person_height or height, height, width)
    astronaut = transform.resize(data.astronaut(), (size, size), anti_aliasing=True)
    x, y = (width - size) // 2, height - size
    frame[y : y + size, x : x + size] = (astronaut * 255).round().astype(np.uint8)
    return frame


def empty_frame(width: int = 320, height: int = 240) -> np.ndarray:
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKGROUND
    return frame


def write_video(
    path: Path, spans: Sequence[tuple[float, np.ndarray]], *extra: str, fps: int = FPS
) -> Path:
    """Encode ``[(seconds, rgb_frame), ...]`` back to back with the imageio-ffmpeg binary."""
    height, width = spans[0][1].shape[:2]
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        str(fps),
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        str(2 * fps),
        "-keyint_min",
        str(2 * fps),
        "-sc_threshold",
        "0",
        *extra,
        str(path),
    ]
    raw = b"".join(frame.tobytes() * round(seconds * fps) for seconds, frame in spans)
    subprocess.run(cmd, input=raw, check=True)
    return path


def remux(src: Path, dst: Path, *before_input: str) -> Path:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *before_input, "-i", str(src), "-c", "copy", str(dst)], check=True)
    return dst


class RecordingProgress(StageProgress):
    """A real StageProgress that also keeps what was reported."""

    def __init__(self) -> None:
        super().__init__(None, "presence")
        self.updates: list[tuple[float, float | None]] = []
        self.warnings: list[str] = []

    def update(self, done: float, total: float | None = None, message: str = "") -> None:
        self.updates.append((done, total))
        super().update(done, total, message)

    def warning(self, message: str, **fields: Any) -> None:
        self.warnings.append(message)
        super().warning(message, **fields)


def make_request(
    source: Path, windows: list[tuple[float, float]], interval: float = 1.0
) -> PresenceRequest:
    return PresenceRequest(
        source_path=source,
        windows=[TimeWindow(start_seconds=s, end_seconds=e) for s, e in windows],
        sample_interval_seconds=interval,
        progress=RecordingProgress(),
    )
