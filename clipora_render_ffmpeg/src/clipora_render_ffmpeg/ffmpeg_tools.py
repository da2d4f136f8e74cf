"""Running the ffmpeg binary: locating it, progress from ``-progress pipe:1``, one-line errors."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from clipora_core.api import DISK_ERRORS, DISK_HINT, StageError

# Lines of ffmpeg's stderr that only describe the input/output and never the failure.
_NOISE = re.compile(
    r"^\s*(Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|Press \[q\]|"
    r"encoder\s*:|handler_name|vendor_id|major_brand|minor_version|compatible_brands|"
    r"creation_time|Side data:|displaymatrix|Chapter|\[out#|frame=|size=|video:)"
)


# How every clip mp4 is written: no metadata or chapters from the source, index first (so a
# clip starts playing before it is fully downloaded).
MP4_OUTPUT = ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4"]


def summarize_stderr(lines: Sequence[str], limit: int = 3) -> str:
    """The last few meaningful stderr lines joined into one line."""
    useful = [ln.strip() for ln in lines if ln.strip() and not _NOISE.match(ln)]
    tail = useful[-limit:] if useful else [ln.strip() for ln in lines if ln.strip()][-limit:]
    text = " | ".join(tail)
    return text[:600] if text else "no error output"


def run_ffmpeg(
    args: Sequence[str],
    *,
    exe: str,
    what: str,
    on_progress: Callable[[float], None] | None = None,
    cwd: Path | None = None,
) -> None:
    """Run ffmpeg; ``on_progress`` gets encoded output seconds. Raise StageError on failure.

    ``-nostdin`` keeps ffmpeg from reading (or stopping on) the caller's terminal."""
    cmd = [exe, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats"]
    if on_progress is not None:
        cmd += ["-progress", "pipe:1"]
    cmd += [str(a) for a in args]
    tail: deque[str] = deque(maxlen=40)
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE if on_progress else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise StageError(f"cannot start ffmpeg ({exe}): {exc.strerror or exc}") from exc

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line.rstrip())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        if on_progress is not None and proc.stdout is not None:
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit():
                    on_progress(max(0.0, int(value) / 1e6))
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join(timeout=5)
    if proc.returncode != 0:
        disk = _disk_error(proc.returncode, list(tail))
        if disk:
            # Some muxers (segment, for one) report only "failure when ending segment": the
            # exit status still carries the errno.
            raise StageError(f"ffmpeg failed while {what}: {disk}", hint=DISK_HINT)
        raise StageError(
            f"ffmpeg failed while {what} (exit {proc.returncode}): {summarize_stderr(list(tail))}"
        )


def _disk_error(returncode: int, lines: list[str]) -> str | None:
    """The disk problem behind an ffmpeg failure: ffmpeg exits with AVERROR(errno) & 0xff."""
    for code, text in DISK_ERRORS.items():
        if returncode == 256 - code or any(os.strerror(code) in line for line in lines):
            return text
    return None


def atempo_chain(speed: float) -> list[str]:
    """atempo factors whose product is ``speed`` (each factor must stay within 0.5-2.0)."""
    factors: list[str] = []
    remaining = speed
    while remaining > 2.0:
        factors.append("atempo=2.0")
        remaining /= 2.0
    while remaining < 0.5:
        factors.append("atempo=0.5")
        remaining /= 0.5
    if abs(remaining - 1.0) > 1e-9 or not factors:
        factors.append(f"atempo={remaining:.6f}")
    return factors
