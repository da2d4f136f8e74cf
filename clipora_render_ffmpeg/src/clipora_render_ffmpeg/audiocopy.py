"""Smart cut's audio: copy the source's AAC frames instead of decoding and re-encoding them.

An AAC frame lasts 1024 samples (21.3 ms at 48 kHz), so a window cannot start or end exactly on
a video frame edge. Each window takes the run of whole audio frames that starts nearest to where
its video starts (shifted by the drift carried over from earlier windows), and as many frames as
bring the running audio length back to within half an audio frame of the running video length.
So every window plays within half an audio frame (about 11 ms) of its picture, and the drift
never adds up over many windows. If the audio is not AAC, has gaps or odd frame sizes, the
caller re-encodes it instead."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from clipora_render_ffmpeg.timeline import Cut, SourceInfo

# Codecs whose packets are self-contained frames of fixed length and that mp4 carries.
COPYABLE = {"aac"}


class AudioNotCopyable(Exception):
    """Why the audio must be re-encoded."""


def copy_audio(source: SourceInfo, cuts: list[Cut], target: Path) -> dict[str, Any]:
    """Write the windows' audio frames, back to back, to ``target`` (m4a). Returns stats; raises
    AudioNotCopyable when the source audio does not allow it."""
    import av

    from clipora_render_ffmpeg.filters import close_joins

    joins = close_joins(cuts)
    if joins:
        raise AudioNotCopyable(f"{joins} join(s) inside speech get short fades")
    with av.open(str(source.path)) as src:
        if not src.streams.audio:
            raise AudioNotCopyable("no audio stream")
        stream = src.streams.audio[0]
        cc = stream.codec_context
        if cc.name not in COPYABLE:
            raise AudioNotCopyable(f"audio codec {cc.name}")
        rate = int(cc.sample_rate or 0)
        size = int(cc.frame_size or 1024)
        if rate <= 0:
            raise AudioNotCopyable("unknown audio sample rate")
        tb = Fraction(stream.time_base)
        frame_s = size / rate
        runs: list[list[Any]] = []
        drift = 0.0  # audio written minus video written, seconds
        worst = 0.0
        for cut in cuts:
            want = cut.start + source.container_start + drift
            count = round((cut.duration - drift) / frame_s)
            run = _frames_from(src, stream, tb, want, count, frame_s)
            first = float(run[0].pts * tb)
            worst = max(worst, abs(first - want))
            drift += count * frame_s - cut.duration
            runs.append(run)

        with av.open(str(target), "w", format="mp4") as dst:
            out = dst.add_stream_from_template(stream)
            position = 0
            for run in runs:
                for packet in run:
                    packet.stream = out
                    packet.time_base = Fraction(1, rate)
                    packet.pts = packet.dts = position
                    packet.duration = size
                    dst.mux(packet)
                    position += size
    return {
        "audio": "copied",
        "audio_sync_error_ms": round(worst * 1000, 1),
        "audio_drift_ms": round(drift * 1000, 1),
    }


def _frames_from(
    src: Any, stream: Any, tb: Fraction, want: float, count: int, frame_s: float
) -> list[Any]:
    """``count`` consecutive audio packets, the first starting nearest ``want`` seconds."""
    if count <= 0:
        raise AudioNotCopyable("window shorter than an audio frame")
    src.seek(max(0, int((want - 1.0) / tb)), stream=stream, backward=True, any_frame=False)
    run: list[Any] = []
    step = None
    for packet in src.demux(stream):
        if packet.pts is None or not packet.size:
            continue
        t = float(packet.pts * tb)
        if not run:
            if t + frame_s / 2 <= want:
                continue
            # A window that starts exactly between two audio frames must not read as a gap
            # because of float rounding.
            if t - frame_s / 2 > want + 1e-6:
                raise AudioNotCopyable("gap in the source audio")
        else:
            gap = packet.pts - run[-1].pts
            if step is None:
                step = gap
            if gap != step or abs(float(gap * tb) - frame_s) > 1e-4:
                raise AudioNotCopyable("audio frames are not back to back")
        run.append(packet)
        if len(run) == count:
            return run
    raise AudioNotCopyable("source audio ends inside a window")
