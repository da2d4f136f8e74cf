"""Finding and running ffmpeg, one way for every plugin.

The kernel does not depend on an ffmpeg: a plugin that runs it depends on ``imageio-ffmpeg``
(a static build from a wheel), and :class:`Media` prefers, in order, the configured binary
(``media.ffmpeg_path``), that wheel's binary, and an ``ffmpeg`` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.errors import StageError

CONFIG_KEY = "media.ffmpeg_path"


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
        self, args: Sequence[str | Path], timeout: float | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``ffmpeg -hide_banner -nostdin ARGS``, capturing its output as text."""
        cmd = [self.ffmpeg(), "-hide_banner", "-nostdin", *map(str, args)]
        return subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", timeout=timeout, check=False
        )


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
