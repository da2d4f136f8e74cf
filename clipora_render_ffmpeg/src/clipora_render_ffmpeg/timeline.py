"""Source timing and the frame grid that every cut is snapped to.

Windows arrive as seconds on the source's timeline (0 = the container start, as ffmpeg's ``-ss``
counts). Each window is snapped to whole output frames so that video and audio of every window
last exactly ``frames / fps`` seconds: summed over windows, both streams stay within a frame of
the plan."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from clipora_core.api import InputError, StageError

STANDARD_RATES = [
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
]


@dataclass(frozen=True)
class SourceInfo:
    path: Path
    duration: float
    container_start: float  # seconds; what ffmpeg's -ss is relative to
    video_start: float  # seconds, absolute (same clock as container_start)
    video_time_base: Fraction
    rate: Fraction | None  # nominal frame rate
    codec: str
    pix_fmt: str
    profile: str
    coded_width: int
    coded_height: int
    width: int  # after rotation
    height: int
    rotation: int
    variable_frame_rate: bool
    has_audio: bool
    audio_sample_rate: int

    @property
    def first_frame_time(self) -> float:
        """The first video frame on the -ss timeline."""
        return max(0.0, self.video_start - self.container_start)


@dataclass(frozen=True)
class Cut:
    """One window snapped to the output frame grid: ``start`` on the -ss timeline."""

    start: float
    frames: int
    fps: Fraction

    @property
    def duration(self) -> float:
        return float(self.frames / self.fps)


def read_source(path: Path, probe: Any = None) -> SourceInfo:
    """Timing facts of ``path`` from PyAV (quick: reads headers and the first packets)."""
    import av

    from clipora_render_ffmpeg.prober import PyAVProber

    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"render source not found: {path}", hint="rerun inspect/clean for this job"
        )
    probed_path = str(getattr(probe, "path", "") or "")
    stale = bool(probed_path) and Path(probed_path).resolve() != path.resolve()
    if probe is None or stale or not getattr(probe, "has_video", False) or not probe.video_width:
        probe = PyAVProber().probe(path)
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise InputError(f"cannot open render source {path}: {exc}") from exc
    with container:
        if not container.streams.video:
            raise InputError(f"render source has no video stream: {path}")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        tb = video.time_base or Fraction(1, 90000)
        cstart = container.start_time / 1e6 if container.start_time is not None else 0.0
        vstart = float(video.start_time * tb) if video.start_time is not None else cstart
        duration = container.duration / 1e6 if container.duration else float(probe.duration_seconds)
        rate = video.average_rate or video.base_rate or video.guessed_rate
        vfr = bool(getattr(probe, "variable_frame_rate", False))
        cc = video.codec_context
        return SourceInfo(
            path=path,
            duration=duration,
            container_start=cstart,
            video_start=vstart,
            video_time_base=Fraction(tb),
            rate=Fraction(rate) if rate else None,
            codec=cc.name or "",
            pix_fmt=cc.pix_fmt or "",
            profile=str(getattr(cc, "profile", "") or ""),
            coded_width=int(cc.width),
            coded_height=int(cc.height),
            width=int(probe.video_width),
            height=int(probe.video_height),
            rotation=int(getattr(probe, "rotation", 0) or 0),
            variable_frame_rate=vfr,
            has_audio=audio is not None,
            audio_sample_rate=int(audio.codec_context.sample_rate or 48000) if audio else 0,
        )


def output_rate(source: SourceInfo, override: float | None) -> Fraction:
    """Output frame rate: the configured one, the source's for CFR, a standard one for VFR."""
    if override:
        return Fraction(override).limit_denominator(1001)
    rate = source.rate
    if rate and not source.variable_frame_rate and 10 <= rate <= 120:
        return rate
    value = float(rate) if rate and 1 <= rate <= 240 else 25.0
    value = min(60.0, max(15.0, value))
    nearest = min(STANDARD_RATES, key=lambda r: abs(float(r) - value))
    if abs(float(nearest) - value) / value < 0.04:
        return nearest
    return Fraction(round(value))


def snap_windows(windows: list[Any], source: SourceInfo, fps: Fraction) -> list[Cut]:
    """Snap each window onto the frame grid (its first frame is the one nearest its start);
    reject windows outside the source."""
    first = source.first_frame_time
    tolerance = 1.5 / float(fps) + 0.05
    cuts: list[Cut] = []
    # Frames the clip is behind (+) or ahead of (-) the plan so far. Each window starts on its
    # nearest frame; its length is rounded with this carry, so the clip's total length stays
    # within half a frame of the sum of the windows however many windows there are (rounding
    # every window on its own could drift a frame per window).
    carry = 0.0
    for w in windows:
        start, end = float(w.start_seconds), float(w.end_seconds)
        if start >= source.duration - 0.5 / float(fps) or end > source.duration + tolerance:
            raise StageError(
                f"window {start:.3f}-{end:.3f}s is outside the source "
                f"(duration {source.duration:.3f}s): {source.path}",
                hint="the plan does not belong to this source; re-run analyze",
            )
        end = min(end, source.duration)
        k0 = max(0, round((start - first) * fps))
        snapped = first + float(k0 / fps)
        wanted = (end - start) * float(fps) + carry
        # Half-way cases round down (the epsilon absorbs float noise such as 85.50000000000001).
        frames = max(1, math.ceil(wanted - 0.5 - 1e-6))
        # Never ask for frames past the end of the source.
        max_frames = max(1, math.floor((source.duration - snapped) * fps + 1e-6))
        frames = min(frames, max_frames)
        carry = wanted - frames
        cuts.append(Cut(start=snapped, frames=frames, fps=fps))
    return cuts
