"""Finding the ffmpeg binary, one way for every plugin.

The kernel does not depend on an ffmpeg: a plugin that runs it depends on ``imageio-ffmpeg``
(a static build from a wheel), and this module prefers, in order, the configured binary
(``media.ffmpeg_path``), that wheel's binary, and an ``ffmpeg`` on PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from clipora_core.errors import StageError


def _configured(settings: Any) -> tuple[str, str] | None:
    media = getattr(settings, "media", None) if settings is not None else None
    path = getattr(media, "ffmpeg_path", None) if media is not None else None
    return (str(path), "media.ffmpeg_path") if path else None


def ffmpeg_exe(settings: Any = None, fallback: tuple[Path | str, str] | None = None) -> str:
    """The ffmpeg to run. ``fallback`` is a (path, config key) a plugin still honours for
    configs written before ``media.ffmpeg_path`` existed; ``media.ffmpeg_path`` wins over it."""
    chosen = _configured(settings)
    if chosen is None and fallback is not None and fallback[0]:
        chosen = (str(fallback[0]), fallback[1])
    if chosen is not None:
        path, key = chosen
        found = shutil.which(path) if os.sep not in path else path
        if not found or not os.path.isfile(found) or not os.access(found, os.X_OK):
            raise StageError(
                f"{key} {path!r} is not an executable ffmpeg",
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
