"""Media for the freeze cleaner tests, generated once per session with the wheel's ffmpeg."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FPS = 25
FREEZE_START = 11.0  # seconds: the truth the tests compare against
FREEZE_END = 19.0
DURATION = 30.0


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
    )


@dataclass(frozen=True)
class FrozenSource:
    path: Path
    fps: int = FPS
    freeze_start: float = FREEZE_START
    freeze_end: float = FREEZE_END
    duration: float = DURATION


@pytest.fixture(scope="session")
def frozen_source(tmp_path_factory) -> FrozenSource:
    """30 s, 320x240, moving test pattern with an 8 s still picture at 11-19 s, sine audio,
    2 s GOP (the freeze crosses keyframes, as real recorder output does)."""
    out = tmp_path_factory.mktemp("cleaning") / "frozen source.mp4"
    first = int(FREEZE_START * FPS)
    last = int(FREEZE_END * FPS) - 1
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d={DURATION}",
        "-f", "lavfi", "-i", f"sine=f=440:r=44100:d={DURATION}",
        "-filter_complex",
        f"[0:v]split[a][b];[a][b]freezeframes=first={first}:last={last}:replace={first}[v]",
        "-map", "[v]", "-map", "1:a",
        "-c:v", "libx264", "-preset", "veryfast", "-g", str(2 * FPS), "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(out),
    )  # fmt: skip
    return FrozenSource(out)


@pytest.fixture(scope="session")
def moving_source(tmp_path_factory) -> Path:
    """8 s of moving test pattern with audio: nothing to remove."""
    out = tmp_path_factory.mktemp("cleaning") / "moving.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s=160x120:r={FPS}:d=8",
        "-f", "lavfi", "-i", "sine=f=330:r=44100:d=8",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(out),
    )  # fmt: skip
    return out
