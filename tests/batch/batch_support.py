"""Recordings for the batch tests, and running ``clipora batch`` as a user would.

Each recording is a small H.264/AAC video with an SRT sidecar pitching two products, so
``asr.mode=import`` gives the offline analyzer two items without running Whisper (the batch is
what is tested here; ASR has its own suite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRODUCTS = [
    ("insulated water bottle", "stainless steel and keeps drinks cold for a whole day", 49, 29),
    ("bamboo cutting board", "thick bamboo that never warps in the dishwasher", 39, 19),
    ("wireless earbuds", "eight hours of music and a charging case", 89, 59),
    ("yoga mat", "thick and soft and does not slip on any floor", 59, 35),
    ("ceramic frying pan", "a non stick coating without any chemicals", 69, 45),
    ("travel backpack", "fits a laptop and opens flat like a suitcase", 99, 69),
]


def _ts(t: float) -> str:
    ms = int(round(t * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


EACH = 30.0


def pitch_srt(products: list[tuple[str, str, int, int]], each: float = EACH) -> str:
    cues = []
    for i, (name, benefit, was, now) in enumerate(products):
        t = i * each
        lines = [
            f"Okay everyone, our next product is this {name}, let me show you.",
            f"This {name} is {benefit}.",
            f"Look how nice this {name} is, everyone at home loves it.",
            f"I use this {name} every single day, and so does my whole family.",
            f"You can see the quality of the {name} up close here.",
            f"The {name} normally sells for {was} dollars, but today it's only {now} dollars. The link is up!",
        ]
        step = (each - 1.0) / len(lines)
        for j, text in enumerate(lines):
            cues.append((t + 0.5 + j * step, t + 0.5 + (j + 1) * step, text))
    return "\n".join(
        f"{n}\n{_ts(a)} --> {_ts(b)}\n{text}\n" for n, (a, b, text) in enumerate(cues, start=1)
    )


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def make_recording(
    out: Path, products: list[tuple[str, str, int, int]], size: str = "320x240", rate: int = 15
) -> Path:
    """A recording of 30 s per product (moving test pattern, a tone) with its SRT sidecar."""
    seconds = int(EACH * len(products))
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d={seconds}",
         "-f", "lavfi", "-i", f"sine=f=330:sample_rate=44100:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", str(rate * 2),
         "-c:a", "aac", "-b:a", "64k", "-shortest", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    out.with_suffix(".srt").write_text(pitch_srt(products), encoding="utf-8")
    return out


CONFIG = """\
asr:
  mode: import
analysis:
  semantic_min_duration_seconds: 2
"""


def clipora_argv() -> list[str]:
    script = Path(sys.executable).with_name("clipora")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "clipora_core.cli"]


@dataclass
class Result:
    rc: int
    out: str
    err: str

    def describe(self) -> str:
        return f"rc={self.rc}\n--- stderr ---\n{self.err[-4000:]}"


class User:
    """One user with their own config and workdir; no CLIPORA_* from the test's environment."""

    def __init__(self, home: Path, extra: str = "") -> None:
        self.home = home
        self.workdir = home / "workdir"
        self.config = home / "clipora.yaml"
        home.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"paths:\n  workdir: {json.dumps(str(self.workdir))}\n{CONFIG}{extra}", encoding="utf-8"
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
        env.update(CLIPORA_CONFIG=str(self.config), HOME=str(self.home), PYTHONUNBUFFERED="1")
        return env

    def run(self, *args: str | Path, timeout: float = 600) -> Result:
        proc = subprocess.run(
            [*clipora_argv(), *(str(a) for a in args)],
            capture_output=True, text=True, env=self.env(), timeout=timeout, cwd=self.home,
        )  # fmt: skip
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def popen(self, *args: str | Path, log: Path) -> subprocess.Popen[bytes]:
        fh = open(log, "wb")  # noqa: SIM115 - the child owns it
        return subprocess.Popen(
            [*clipora_argv(), *(str(a) for a in args)],
            stdout=fh, stderr=subprocess.STDOUT, env=self.env(), cwd=self.home,
        )  # fmt: skip

    def report(self) -> dict[str, Any]:
        return json.loads((self.workdir / "batch-report.json").read_text(encoding="utf-8"))


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(r["video"]).name: r for r in report["recordings"]}


def processes() -> list[tuple[int, str]]:
    """(pid, command line) of every process we can read."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if cmd.strip():
            out.append((int(d.name), cmd.strip()))
    return out


def wait_for_process(marker: str, timeout: float, alive_for: float = 0.0) -> int:
    """The pid of a process whose command line starts with ``marker`` once it has lived
    ``alive_for`` seconds."""
    deadline = time.monotonic() + timeout
    seen: dict[int, float] = {}
    while time.monotonic() < deadline:
        now = time.monotonic()
        for pid, cmd in processes():
            if cmd.startswith(marker):
                first = seen.setdefault(pid, now)
                if now - first >= alive_for:
                    return pid
        time.sleep(0.02)
    raise AssertionError(f"no process {marker!r} within {timeout} s")
