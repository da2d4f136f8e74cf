"""Reading ffmpeg's stderr as it goes: the stats clock and the input's duration (the kernel's
runner hands each line over)."""

from __future__ import annotations

import re

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
