"""Audio for upload: the first audio stream as compressed mono MP3.

An hour of 16 kHz mono at 32 kbps is about 14 MB, against about 115 MB as WAV (the earlier tool
uploaded WAV), and MP3 is a format every ISI model accepts. The wheel's ffmpeg does the work, so
nothing needs to be installed on the system.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clipora_core.api import FFmpegError, InputError, Media, StageError


def extract_mp3(
    media: Path,
    out_path: Path,
    *,
    sample_rate: int = 16000,
    bitrate_kbps: int = 32,
    duration_seconds: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    runner: Media | None = None,
) -> Path:
    """Write ``out_path`` (mono MP3) from ``media``; ``on_progress`` gets fractions 0..1."""
    if not media.is_file():
        raise InputError(f"cannot read {media.name}: the file does not exist")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.stem + ".part" + out_path.suffix)
    args = [
        "-loglevel", "error", "-nostats",
        "-i", str(media),
        "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-ac", "1", "-ar", str(sample_rate),
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
        str(tmp),
    ]  # fmt: skip

    def seconds_done(t: float) -> None:
        if on_progress and duration_seconds:
            on_progress(min(1.0, t / duration_seconds))

    try:
        (runner or Media()).run(
            args, what=f"extracting audio from {media.name}", on_progress=seconds_done
        )
    except FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        said = "\n".join(exc.lines)
        if "matches no streams" in said or "does not contain any stream" in said:
            raise StageError(
                f"{media.name} has no audio stream, so there is no speech to transcribe",
                hint="use a recording with sound, or asr.mode=import with a subtitle file",
            ) from None
        raise
    tmp.replace(out_path)
    if on_progress:
        on_progress(1.0)
    return out_path
