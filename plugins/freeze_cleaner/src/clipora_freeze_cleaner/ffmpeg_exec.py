"""Running ffmpeg (the shared locator's binary) and reading its stderr as it goes."""

from __future__ import annotations

import re
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from clipora_core.api import Media

_TIME = re.compile(r"\btime=(-?)(\d+):(\d+):(\d+(?:\.\d+)?)")
_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")


def parse_clock(h: str, m: str, s: str) -> float:
    return int(h) * 3600 + int(m) * 60 + float(s)


def stats_time(line: str) -> float | None:
    """The ``time=`` of an ffmpeg stats line, in seconds."""
    m = _TIME.search(line)
    if not m or m.group(1):
        return None
    return parse_clock(m.group(2), m.group(3), m.group(4))


def input_duration(line: str) -> float | None:
    m = _DURATION.search(line)
    return parse_clock(*m.groups()) if m else None


class FFmpegFailed(RuntimeError):
    def __init__(self, returncode: int, tail: list[str]) -> None:
        self.returncode = returncode
        self.tail = tail
        last = next((ln for ln in reversed(tail) if ln.strip()), "no output")
        super().__init__(f"ffmpeg exited with status {returncode}: {last.strip()}")


def run_ffmpeg(
    args: Sequence[str | Path],
    on_line: Callable[[str], None] | None = None,
    exe: str | None = None,
) -> list[str]:
    """Run ffmpeg with ``args``; call ``on_line`` for each stderr line (stats lines included).

    Returns the last stderr lines; raises :class:`FFmpegFailed` on a non-zero exit.
    """
    cmd = [exe or Media().ffmpeg(), "-hide_banner", "-nostdin", *map(str, args)]
    tail: deque[str] = deque(maxlen=40)
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert proc.stderr is not None
        buf = b""
        while True:
            chunk = proc.stderr.read1(65536)  # type: ignore[attr-defined]
            if not chunk:
                break
            buf += chunk
            # Stats lines end in "\r", log lines in "\n".
            parts = re.split(rb"[\r\n]", buf)
            buf = parts.pop()
            for raw in parts:
                if raw:
                    line = raw.decode("utf-8", "replace")
                    tail.append(line)
                    if on_line:
                        on_line(line)
        if buf:
            line = buf.decode("utf-8", "replace")
            tail.append(line)
            if on_line:
                on_line(line)
        rc = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if rc != 0:
        raise FFmpegFailed(rc, list(tail))
    return list(tail)
