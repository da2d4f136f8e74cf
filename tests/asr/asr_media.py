"""Helpers for the ASR tests: generated speech media, requests, a recording progress sink."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from clipora_core.capabilities import ASRRequest
from clipora_core.contracts import Transcript
from clipora_core.progress import StageProgress

ENGLISH_SCRIPT = (
    "Welcome to the live stream. This stainless steel water bottle keeps drinks cold for twenty "
    "four hours. Today it is only twenty nine dollars. The link is up, three, two, one."
)
ZH_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "speech" / "zh_product.m4a"


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
    )


def media_duration(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        return float(c.duration or 0) / 1_000_000


def espeak(text: str, out: Path) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(out), text], check=True)
    return out


def speech_video(wav: Path, out: Path, lead_in: float = 0.0) -> Path:
    """A 160x120 video with ``wav`` as AAC audio, starting after ``lead_in`` seconds of silence."""
    audio_filter = (
        f"adelay={int(lead_in * 1000)}:all=1,apad=pad_dur=0.5" if lead_in else "apad=pad_dur=0.5"
    )
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=160x120:r=10",
        "-i", str(wav),
        "-filter_complex", f"[1:a]{audio_filter}[a]",
        "-map", "0:v", "-map", "[a]", "-shortest",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ar", "44100", str(out),
    )  # fmt: skip
    return out


class RecordingProgress(StageProgress):
    """A real StageProgress that also keeps what the backend reported, for assertions."""

    def __init__(self) -> None:
        super().__init__(None, "asr-test")
        self.updates: list[tuple[float, float | None]] = []
        self.messages: list[str] = []

    def update(self, done: float, total: float | None = None, message: str = "") -> None:
        self.updates.append((done, total))
        super().update(done, total, message)

    def event(self, event: str, message: str = "", level: int = 20, **fields: Any) -> None:
        self.messages.append(f"{event} {message} {fields}")


@dataclass
class Run:
    media: Path
    duration: float
    transcript: Transcript
    progress: RecordingProgress
    extra: dict[str, Any] = field(default_factory=dict)


def asr_request(media: Path, settings: Any, scratch: Path, **kw: Any) -> ASRRequest:
    """The request the transcribe stage would make with these settings."""
    language = settings.asr.language
    kw.setdefault("language", None if language in ("", "auto") else language)
    kw.setdefault("hotwords", list(settings.asr.hotwords))
    return ASRRequest(
        media_path=media,
        duration_seconds=kw.pop("duration", None) or media_duration(media),
        scratch_dir=scratch,
        progress=kw.pop("progress", None) or RecordingProgress(),
        **kw,
    )
