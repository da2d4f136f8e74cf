"""Filter-graph pieces shared by the full re-encode and the smart cut's audio track."""

from __future__ import annotations

from fractions import Fraction

from clipora_render_ffmpeg.timeline import Cut

# Pre-roll before each window's input seek: the window's first frame is then picked by the
# graph (nearest frame), not by where the demuxer happened to land, and a VFR frame held across
# the window start is still there. The tail lets the graph see the frame after the last one.
# Both are decoded and thrown away, so they stay short: a few frames of a VFR phone recording.
# (The decoder starts at the keyframe before the pre-roll whatever its length.)
PREROLL_SECONDS = 0.25
TAIL_SECONDS = 0.25


def seek_input(cut: Cut, tail: float = TAIL_SECONDS) -> tuple[list[str], float]:
    """Input options for one window (accurate seek) and the window's offset in that input."""
    ss = max(0.0, cut.start - PREROLL_SECONDS)
    offset = cut.start - ss
    return ["-ss", f"{ss:.6f}", "-t", f"{offset + cut.duration + tail:.6f}"], offset


def video_window(label_in: str, offset: float, cut: Cut, fps: Fraction, label_out: str) -> str:
    """Exactly ``cut.frames`` CFR frames from ``offset`` on; the source's own frame times are
    kept relative to the audio (no PTS-STARTPTS), so VFR gaps cannot shift video vs. audio."""
    return (
        f"[{label_in}]setpts=PTS-{offset:.6f}/TB,"
        f"fps={fps.numerator}/{fps.denominator}:start_time=0:round=near,"
        f"tpad=stop_mode=clone:stop_duration={cut.duration + 1:.3f},"
        f"trim=end_frame={cut.frames},setpts=PTS-STARTPTS[{label_out}]"
    )


def audio_window(label_in: str, offset: float, cut: Cut, sample_rate: int, label_out: str) -> str:
    """Exactly ``cut.duration`` seconds of audio from ``offset`` (silence-padded if short)."""
    d = f"{cut.duration:.6f}"
    return (
        f"[{label_in}]aresample={sample_rate},asetpts=PTS-{offset:.6f}/TB,"
        f"aresample=async=1:first_pts=0,atrim=start=0:duration={d},"
        f"apad=whole_dur={d},asetpts=N/SR/TB[{label_out}]"
    )
