"""Rebuilding the effective source from the keep intervals.

Re-encoded, in one ffmpeg run: each keep interval is its own input with an accurate input seek
(decoding starts at the keyframe before it, frames before the cut are dropped), the pieces are
joined by the ``concat`` filter and encoded once. Why not stream copy: copy can only cut at
keyframes, so it either keeps frozen frames or throws away up to a GOP (often 2-10 s) of good
video on each side, and audio joins of copied AAC pieces click and drift. Re-encoding costs
time on long recordings, but cleaning is opt-in and happens once per recording (the core caches
it); ``cleaning.freeze.rebuild_preset`` trades size for speed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from clipora_core.api import Media

from clipora_freeze_cleaner.ffmpeg_exec import stats_time
from clipora_freeze_cleaner.timeline import Span


def rebuild_command(
    source: Path,
    keeps: Sequence[Span],
    out_path: Path,
    *,
    has_audio: bool,
    preset: str,
    crf: int,
) -> list[str]:
    args: list[str] = ["-loglevel", "error", "-stats", "-stats_period", "0.5", "-y"]
    labels = []
    for i, (start, end) in enumerate(keeps):
        args += ["-ss", f"{start:.6f}", "-t", f"{end - start:.6f}", "-i", str(source)]
        labels.append(f"[{i}:v:0]" + (f"[{i}:a:0]" if has_audio else ""))
    n = len(keeps)
    graph = (
        "".join(labels)
        + f"concat=n={n}:v=1:a={1 if has_audio else 0}"
        + ("[vc][ac];" if has_audio else "[vc];")
        # x264 with 4:2:0 needs even sizes; a no-op for ordinary sources.
        + "[vc]scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p[v]"
    )
    args += ["-filter_complex", graph, "-map", "[v]"]
    if has_audio:
        args += ["-map", "[ac]", "-c:a", "aac", "-b:a", "192k"]
    args += [
        "-c:v",
        "libx264",
        "-preset",
        preset,
        "-crf",
        str(crf),
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(out_path),
    ]
    return args


def rebuild(
    source: Path,
    keeps: Sequence[Span],
    out_path: Path,
    *,
    has_audio: bool,
    preset: str = "veryfast",
    crf: int = 18,
    on_progress: Callable[[float], None] | None = None,
    media: Media | None = None,
) -> float:
    """Write ``out_path`` (via a temporary name); return the output time ffmpeg reported."""
    total = sum(e - s for s, e in keeps)
    tmp = out_path.with_name(f".{out_path.stem}.partial{out_path.suffix}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    reached = {"t": 0.0}

    def on_line(line: str) -> None:
        t = stats_time(line)
        if t is not None:
            reached["t"] = t
            if on_progress and total > 0:
                on_progress(min(1.0, t / total))

    try:
        (media or Media()).run(
            rebuild_command(source, keeps, tmp, has_audio=has_audio, preset=preset, crf=crf),
            what="rebuilding the cleaned source",
            on_line=on_line,
        )
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return reached["t"]
