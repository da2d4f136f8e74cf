"""Finding and running ffmpeg, one way for every plugin.

The kernel does not depend on an ffmpeg: a plugin that runs it depends on ``imageio-ffmpeg``
(a static build from a wheel), and :class:`Media` prefers, in order, the configured binary
(``media.ffmpeg_path``), that wheel's binary, and an ``ffmpeg`` on PATH. :meth:`Media.run` runs
it with progress and turns a failure into one line a user can act on.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.errors import DISK_ERRORS, DISK_HINT, StageError

CONFIG_KEY = "media.ffmpeg_path"

# Lines of ffmpeg's stderr that only describe the input/output and never the failure.
_NOISE = re.compile(
    r"^\s*(Input #|Output #|Stream #|Stream mapping|Metadata:|Duration:|Press \[q\]|"
    r"encoder\s*:|handler_name|vendor_id|major_brand|minor_version|compatible_brands|"
    r"creation_time|Side data:|displaymatrix|Chapter|\[out#|frame=|size=|video:)"
)


class FFmpegError(StageError):
    """ffmpeg exited with an error: ``returncode`` and the last lines of its stderr."""

    def __init__(self, message: str, returncode: int, lines: list[str], hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.returncode = returncode
        self.lines = lines


def summarize_stderr(lines: Sequence[str], limit: int = 3) -> str:
    """The last few meaningful stderr lines joined into one line."""
    useful = [ln.strip() for ln in lines if ln.strip() and not _NOISE.match(ln)]
    tail = useful[-limit:] if useful else [ln.strip() for ln in lines if ln.strip()][-limit:]
    text = " | ".join(tail)
    return text[:600] if text else "no error output"


def disk_error(returncode: int, lines: Sequence[str]) -> str | None:
    """The disk problem behind an ffmpeg failure: ffmpeg exits with AVERROR(errno) & 0xff."""
    for code, text in DISK_ERRORS.items():
        if returncode == 256 - code or any(os.strerror(code) in line for line in lines):
            return text
    return None


@dataclass
class Media:
    """The ffmpeg a job uses: ``media.ffmpeg_path`` when set, else the bundled one."""

    ffmpeg_path: Path | str | None = None
    _found: str | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Any) -> Media:
        media = getattr(settings, "media", None) if settings is not None else None
        return cls(getattr(media, "ffmpeg_path", None) if media is not None else None)

    def ffmpeg(self) -> str:
        """The ffmpeg executable to run (raises a StageError with a hint when there is none)."""
        if self._found is None:
            self._found = _locate(self.ffmpeg_path)
        return self._found

    def run(
        self,
        args: Sequence[str | Path],
        *,
        what: str,
        on_progress: Callable[[float], None] | None = None,
        on_line: Callable[[str], None] | None = None,
        cwd: Path | None = None,
    ) -> list[str]:
        """Run ``ffmpeg -hide_banner -nostdin -y ARGS`` and return the last lines of its stderr.

        ``on_progress`` gets the seconds of output written so far (``-progress pipe:1`` is
        added for it); ``on_line`` gets each stderr line as it comes (stats lines included).
        A failure raises :class:`FFmpegError`: "ffmpeg failed while <what> (exit N): <the
        meaningful stderr>", or the disk problem with a hint when that is the cause.
        """
        exe = self.ffmpeg()
        cmd = [exe, "-hide_banner", "-nostdin", "-y"]
        if on_progress is not None:
            cmd += ["-progress", "pipe:1"]
        cmd += [str(a) for a in args]
        tail: deque[str] = deque(maxlen=40)
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if on_progress else subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=cwd,
            )
        except OSError as exc:
            raise StageError(f"cannot start ffmpeg ({exe}): {exc.strerror or exc}") from exc
        reader = threading.Thread(target=_read_lines, args=(proc, tail, on_line), daemon=True)
        reader.start()
        try:
            if on_progress is not None and proc.stdout is not None:
                for raw in proc.stdout:
                    key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                    if key == "out_time_us" and value.lstrip("-").isdigit():
                        on_progress(max(0.0, int(value) / 1e6))
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(timeout=5)
        lines = list(tail)
        if proc.returncode != 0:
            disk = disk_error(proc.returncode, lines)
            if disk:
                # Some muxers (segment, for one) report only "failure when ending segment":
                # the exit status still carries the errno.
                raise FFmpegError(
                    f"ffmpeg failed while {what}: {disk}", proc.returncode, lines, DISK_HINT
                )
            raise FFmpegError(
                f"ffmpeg failed while {what} (exit {proc.returncode}): {summarize_stderr(lines)}",
                proc.returncode,
                lines,
            )
        return lines


def _read_lines(
    proc: subprocess.Popen[bytes], tail: deque[str], on_line: Callable[[str], None] | None
) -> None:
    """stderr, line by line: stats lines end in a carriage return, log lines in a newline."""
    assert proc.stderr is not None
    buf = b""
    while True:
        chunk = proc.stderr.read1(65536)  # type: ignore[attr-defined]
        if not chunk:
            break
        parts = re.split(rb"[\r\n]", buf + chunk)
        buf = parts.pop()
        for raw in parts:
            if raw:
                _emit(raw, tail, on_line)
    if buf:
        _emit(buf, tail, on_line)


def _emit(raw: bytes, tail: deque[str], on_line: Callable[[str], None] | None) -> None:
    line = raw.decode("utf-8", "replace")
    tail.append(line)
    if on_line is not None:
        on_line(line)


def _locate(configured: Path | str | None) -> str:
    if configured:
        path = str(configured)
        found = shutil.which(path) if os.sep not in path else path
        if not found or not os.path.isfile(found) or not os.access(found, os.X_OK):
            raise StageError(
                f"{CONFIG_KEY} {path!r} is not an executable ffmpeg",
                hint="fix the path, or unset it to use the bundled ffmpeg",
            )
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        imageio_ffmpeg = None
    if imageio_ffmpeg is not None:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    raise StageError(
        "no ffmpeg found",
        hint="install the imageio-ffmpeg wheel (uv pip install imageio-ffmpeg) or set media.ffmpeg_path",
    )


def ffmpeg_exe(settings: Any = None) -> str:
    """The ffmpeg the effective config chooses (for applications holding the whole config)."""
    return Media.from_settings(settings).ffmpeg()
