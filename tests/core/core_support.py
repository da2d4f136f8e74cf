"""Shared helpers for the core's tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DISTS = Path(__file__).resolve().parent / "dists"
FAKES_SRC = DISTS / "clipora-test-fakes" / "src"
EXAMPLE = REPO / "examples" / "plugins" / "clipora-example-videotype"

if str(FAKES_SRC) not in sys.path:
    sys.path.insert(0, str(FAKES_SRC))

# Ten-second segments: three 20 s items with the fake video type's default of two per item.
SEGMENTS = [
    (0.0, 10.0, "welcome to the show"),
    (10.0, 20.0, "first thing we look at"),
    (20.0, 30.0, "a second topic starts"),
    (30.0, 40.0, "more about the second topic"),
    (40.0, 50.0, "the third topic"),
    (50.0, 60.0, "thanks for watching"),
]

# Config that makes every stage use a fake capability.
FAKE_CONFIG: dict[str, Any] = {
    "inspect.prober": "fake",
    "asr.mode": "fake",
    "analysis.video_type": "fake_vt",
    "render.renderer": "fake",
    "render_subtitles.formats": ["faketxt"],
}


def clean_environ(**extra: str) -> dict[str, str]:
    """The test process's environment without any CLIPORA_* variable, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIPORA_")}
    env.update(extra)
    return env


def manifest(job: Path) -> dict[str, Any]:
    return json.loads((Path(job) / "manifest.json").read_text(encoding="utf-8"))


def stage_status(job: Path) -> dict[str, str]:
    return {name: s["status"] for name, s in manifest(job)["stages"].items()}


def last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


@dataclass
class Venv:
    """A throwaway virtual environment holding clipora-core and test distributions."""

    path: Path
    home: Path  # XDG_CONFIG_HOME etc. for its commands, so no user config leaks in

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def clipora(self) -> Path:
        return self.path / "bin" / "clipora"

    def env(self, **extra: str) -> dict[str, str]:
        return clean_environ(
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            COLUMNS="200",
            **extra,
        )

    def run(
        self,
        *args: Any,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.clipora), *map(str, args)],
            capture_output=True,
            text=True,
            env=self.env(**(env or {})),
            cwd=cwd,
            timeout=timeout,
        )

    def popen(self, *args: Any, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(self.clipora), *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(**(env or {})),
        )
