"""Audio for upload: the first audio stream as compressed mono MP3.

An hour of 16 kHz mono at 32 kbps is about 14 MB, against about 115 MB as WAV (the earlier tool
uploaded WAV), and MP3 is a format every ISI model accepts. The wheel's ffmpeg does the work, so
nothing needs to be installed on the system.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from clipora_core.api import InputError, Media, StageError


def extract_mp3(
    media: Path,
    out_path: Path,
    *,
    sample_rate: int = 16000,
    bitrate_kbps: int = 32,
    duration_seconds: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    exe: str | None = None,
) -> Path:
    """Write ``out_path`` (mono MP3) from ``media``; ``on_progress`` gets fractions 0..1."""
    if not media.is_file():
        raise InputError(f"cannot read {media.name}: the file does not exist")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.stem + ".part" + out_path.suffix)
    cmd = [
        exe or Media().ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", str(media),
        "-map", "0:a:0", "-vn", "-sn", "-dn",
        "-ac", "1", "-ar", str(sample_rate),
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
        "-progress", "pipe:1", "-nostats",
        str(tmp),
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and on_progress and duration_seconds and value.isdigit():
            on_progress(min(1.0, int(value) / 1e6 / duration_seconds))
    stderr = proc.stderr.read() if proc.stderr else ""
    if proc.wait() != 0:
        tmp.unlink(missing_ok=True)
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"
        if "matches no streams" in stderr or "does not contain any stream" in stderr:
            raise StageError(
                f"{media.name} has no audio stream, so there is no speech to transcribe",
                hint="use a recording with sound, or asr.mode=import with a subtitle file",
            )
        raise StageError(f"could not extract audio from {media.name}: {last}")
    tmp.replace(out_path)
    if on_progress:
        on_progress(1.0)
    return out_path
