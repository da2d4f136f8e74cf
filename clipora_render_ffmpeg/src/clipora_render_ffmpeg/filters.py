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

# Windows less than this apart in the recording are one stretch of speech with a filler word cut
# out: the audio fades out and in over JOIN_FADE_SECONDS on each side of such a join (a 10 ms
# dip, no click, the clip's length unchanged), so it is re-encoded, not copied. (A longer gap is
# a pause shortened or a jump elsewhere, cut in silence or between sentences anyway.)
CLOSE_JOIN_SECONDS = 1.0
JOIN_FADE_SECONDS = 0.005


def close_joins(cuts: list[Cut]) -> int:
    """How many joins of the clip fall inside one stretch of the recording."""
    return sum(
        1
        for a, b in zip(cuts, cuts[1:], strict=False)
        if 0 <= b.start - (a.start + a.duration) <= CLOSE_JOIN_SECONDS
    )


def join_fade(cuts: list[Cut]) -> float:
    """The fade at every window's edges for this clip (0: none)."""
    return JOIN_FADE_SECONDS if close_joins(cuts) else 0.0


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


def audio_window(
    label_in: str, offset: float, cut: Cut, sample_rate: int, label_out: str, fade: float = 0.0
) -> str:
    """Exactly ``cut.duration`` seconds of audio from ``offset`` (silence-padded if short),
    faded in and out over ``fade`` seconds when given."""
    d = f"{cut.duration:.6f}"
    fades = ""
    if fade > 0 and cut.duration > 4 * fade:
        fades = (
            f",afade=t=in:st=0:d={fade:.4f},afade=t=out:st={cut.duration - fade:.6f}:d={fade:.4f}"
        )
    return (
        f"[{label_in}]aresample={sample_rate},asetpts=PTS-{offset:.6f}/TB,"
        f"aresample=async=1:first_pts=0,atrim=start=0:duration={d},"
        f"apad=whole_dur={d},asetpts=N/SR/TB{fades}[{label_out}]"
    )
