"""Clips built from pieces: how many source inputs one ffmpeg process may open, and joining
MPEG-TS video pieces with the clip's audio track into the final mp4.

Every ``-i`` of an ffmpeg process loads the source's whole packet index. Measured with the
bundled ffmpeg (bench/render_memory.py): each input of an 8-hour MP4 (25 fps video, 48 kHz AAC,
2.07 million packets) adds about 106 MB, a little over 50 bytes a packet. A clip of many windows
on a long recording is therefore rendered by several processes of a few inputs each, whose
pieces are joined here."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipora_render_ffmpeg.ffmpeg_tools import MP4_OUTPUT, atempo_chain, run_ffmpeg
from clipora_render_ffmpeg.filters import audio_window, join_fade, seek_input
from clipora_render_ffmpeg.timeline import Cut, SourceInfo

if TYPE_CHECKING:
    from clipora_core.api import RenderRequest

    from clipora_render_ffmpeg.renderer import FFmpegRenderer

INDEX_BYTES_PER_PACKET = 60
# Index memory one ffmpeg process may spend on its inputs.
INDEX_BUDGET_BYTES = 256 * 2**20
MAX_INPUTS_PER_PROCESS = 4


def inputs_per_process(source: SourceInfo) -> int:
    """Source inputs one ffmpeg process may open: 4 up to about 4 hours of 25 fps video with
    AAC, 2 at 8 hours."""
    video_packets = float(source.rate) if source.rate else 30.0
    audio_packets = source.audio_sample_rate / 1024 if source.has_audio else 0.0
    per_input = max(1.0, source.duration) * (video_packets + audio_packets)
    per_input *= INDEX_BYTES_PER_PACKET
    return max(1, min(MAX_INPUTS_PER_PROCESS, int(INDEX_BUDGET_BYTES // per_input)))


def split_evenly(items: list[Any], most: int) -> list[list[Any]]:
    """``items`` in order, in as few groups of at most ``most`` as possible, sizes within one."""
    count = max(1, -(-len(items) // max(1, most)))
    size, extra = divmod(len(items), count)
    groups, start = [], 0
    for g in range(count):
        end = start + size + (1 if g < extra else 0)
        groups.append(items[start:end])
        start = end
    return [g for g in groups if g]


def join_pieces(
    renderer: FFmpegRenderer,
    request: RenderRequest,
    pieces: list[tuple[str, int]],
    fps: Fraction,
    audio: str | None,
    work: Path,
    out: Path,
) -> None:
    """Concatenate the MPEG-TS video ``pieces`` (file name, frames) with the ``audio`` file into
    ``out``. The concat list gives every piece its exact length (frames / fps), so video lines
    up with audio that was cut from the same frame-grid windows. Pieces carry their parameter
    sets in-band (MPEG-TS), so pieces from different encoders join into one valid stream."""
    lines = []
    for name, frames in pieces:
        lines += [f"file '{name}'", f"duration {float(frames / fps):.6f}"]
    (work / "pieces.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ["-f", "concat", "-safe", "0", "-i", "pieces.txt"]
    maps = ["-map", "0:v:0"]
    if audio is not None:
        args += ["-i", audio]
        maps += ["-map", "1:a:0"]
    args += [*maps, "-c", "copy", *MP4_OUTPUT, str(out)]
    run_ffmpeg(
        args, media=renderer.runtime.media, what=f"joining {request.clip_id or out.name}", cwd=work
    )


def encode_audio_track(
    renderer: FFmpegRenderer,
    request: RenderRequest,
    source: SourceInfo,
    groups: list[list[Cut]],
    work: Path,
    name: str = "audio.m4a",
    speed: float = 1.0,
    seconds: list[float] | None = None,
) -> None:
    """The windows' audio, re-encoded to AAC into ``work/name`` (for audio that cannot be
    copied frame by frame, or at another playback speed). With several groups, each group's
    windows are decoded by their own process into PCM of exactly ``seconds[k]`` (the length of
    the group's video piece), and one AAC encode runs over the joined PCM, so the track has one
    encoder delay, not one per group."""
    clip = request.clip_id or "clip"
    fade = join_fade([c for g in groups for c in g])
    parts: list[str] = []
    for k, group in enumerate(groups):
        inputs: list[str] = []
        graph: list[str] = []
        for i, cut in enumerate(group):
            opts, offset = seek_input(cut)
            inputs += [*opts, "-vn", "-i", str(source.path)]
            graph.append(
                audio_window(f"{i}:a:0", offset, cut, source.audio_sample_rate, f"a{i}", fade)
            )
        labels = "".join(f"[a{i}]" for i in range(len(group)))
        chain = [f"concat=n={len(group)}:v=0:a=1"]
        if abs(speed - 1.0) > 1e-9:
            chain += atempo_chain(speed)
        if seconds is not None:
            chain += [f"apad=whole_dur={seconds[k]:.6f}", f"atrim=duration={seconds[k]:.6f}"]
        graph.append(f"{labels}{','.join(chain)}[aout]")
        if len(groups) == 1:
            output = [*renderer.audio_args(), "-f", "mp4", name]
        else:
            parts.append(f"a{k:03d}.wav")
            output = ["-c:a", "pcm_f32le", "-f", "wav", parts[-1]]
        run_ffmpeg(
            [*inputs, "-filter_complex", ";".join(graph), "-map", "[aout]", *output],
            media=renderer.runtime.media,
            what=f"decoding {clip} audio",
            cwd=work,
        )
    if parts:
        (work / "audio-parts.txt").write_text(
            "".join(f"file '{p}'\n" for p in parts), encoding="utf-8"
        )
        run_ffmpeg(
            ["-f", "concat", "-safe", "0", "-i", "audio-parts.txt", *renderer.audio_args()]
            + ["-f", "mp4", name],
            media=renderer.runtime.media,
            what=f"encoding {clip} audio",
            cwd=work,
        )
