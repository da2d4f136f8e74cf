"""Tiny synthetic media for the render/inspect tests and helpers that read outputs back.

The main source is testsrc2 (320x240, 25 fps, GOP 2 s, B-frames) with a white box flashing in
the top-left corner for the first 0.2 s of every second, and a 1 kHz beep over exactly those
0.2 s. A rendered clip is in sync when each flash starts with its beep."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import imageio_ffmpeg
import numpy as np

FPS = 25
FRAME = 1 / FPS
FLASH = "drawbox=x=0:y=0:w=48:h=48:color=white:t=fill:enable='lt(mod(t\\,1)\\,0.2)'"
BEEP = "aevalsrc='0.8*sin(2*PI*1000*t)*lt(mod(t\\,1)\\,0.2)':s=48000:d={d}"


def ffmpeg(*args: str) -> None:
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
    subprocess.run([*cmd, *args], check=True)


def make_main(path: Path, seconds: int = 24, size: str = "320x240") -> Path:
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=s={size}:r={FPS}:d={seconds},{FLASH}",
        "-f",
        "lavfi",
        "-i",
        BEEP.format(d=seconds),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-g",
        "50",
        "-keyint_min",
        "50",
        "-sc_threshold",
        "0",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-shortest",
        str(path),
    )
    return path


def remux(src: Path, dst: Path, *extra: str) -> Path:
    ffmpeg(*extra, "-i", str(src), "-c", "copy", str(dst))
    return dst


def decode_gray(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="gray") for f in c.decode(video=0)]


def decode_audio(path: Path, rate: int = 8000) -> np.ndarray:
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return np.zeros(0, dtype=np.float32)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks = []
        for frame in c.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def stream_durations(path: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    with av.open(str(path)) as c:
        for s in c.streams:
            if s.type in {"video", "audio"} and s.type not in out:
                out[s.type] = float(s.duration * s.time_base)
        out["frames"] = sum(1 for _ in c.decode(video=0))
    return out


def flash_onsets(frames: list[np.ndarray], fps: float) -> list[float]:
    lit = [float(f[4:40, 4:40].mean()) > 200 for f in frames]
    return [i / fps for i, on in enumerate(lit) if on and (i == 0 or not lit[i - 1])]


def beep_onsets(samples: np.ndarray, rate: int = 8000) -> list[float]:
    hop = rate // 200  # 5 ms
    n = len(samples) // hop
    rms = np.sqrt((samples[: n * hop].reshape(n, hop) ** 2).mean(axis=1))
    loud = rms > 0.2
    return [i * hop / rate for i in range(n) if loud[i] and (i == 0 or not loud[i - 1])]


def best_match(frame: np.ndarray, source: list[np.ndarray], around: int, radius: int = 3) -> int:
    """Index of the source frame (near ``around``) that ``frame`` looks most like."""
    lo, hi = max(0, around - radius), min(len(source), around + radius + 1)
    diffs = [
        np.abs(frame.astype(np.int16) - source[j].astype(np.int16)).mean() for j in range(lo, hi)
    ]
    return lo + int(np.argmin(diffs))
