"""ffmpeg arguments every render shares, and running ffmpeg quietly through the kernel's runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from clipora_core.api import Media

# How every clip mp4 is written: no metadata or chapters from the source, index first (so a
# clip starts playing before it is fully downloaded).
MP4_OUTPUT = ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4"]


def run_ffmpeg(
    args: Sequence[str],
    *,
    media: Media,
    what: str,
    on_progress: Callable[[float], None] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run ffmpeg quietly (errors only) through the kernel's runner; ``on_progress`` gets
    encoded output seconds. A failure is a one-line StageError naming ``what``."""
    media.run(
        ["-loglevel", "error", "-nostats", *args], what=what, on_progress=on_progress, cwd=cwd
    )


def atempo_chain(speed: float) -> list[str]:
    """atempo factors whose product is ``speed`` (each factor must stay within 0.5-2.0)."""
    factors: list[str] = []
    remaining = speed
    while remaining > 2.0:
        factors.append("atempo=2.0")
        remaining /= 2.0
    while remaining < 0.5:
        factors.append("atempo=0.5")
        remaining /= 0.5
    if abs(remaining - 1.0) > 1e-9 or not factors:
        factors.append(f"atempo={remaining:.6f}")
    return factors
