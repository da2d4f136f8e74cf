"""What a plugin's factory receives from the kernel besides its own options.

A factory is called as ``factory(options, runtime)``: ``options`` is the validated model of the
config section its capability names (``Capability.options``), ``runtime`` this small object. A
plugin never sees the rest of the configuration.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clipora_core.media import Media


def _cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("clipora"))


@dataclass
class PluginRuntime:
    """Paths, ffmpeg and cancellation, shared by the plugins of one engine."""

    # Where a plugin may keep data between jobs (downloaded or derived models, caches).
    cache_dir: Path = field(default_factory=_cache_dir)
    # The jobs root (``paths.workdir``).
    workdir: Path = field(default_factory=Path.cwd)
    media: Media = field(default_factory=Media)
    # Set when the user stops the run: long loops check it between units of work.
    cancel: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def from_settings(cls, settings: Any) -> PluginRuntime:
        paths = getattr(settings, "paths", None)
        workdir = getattr(paths, "workdir", None)
        return cls(
            workdir=Path(workdir) if workdir else Path.cwd(),
            media=Media.from_settings(settings),
        )

    @property
    def ffmpeg(self) -> str:
        """The ffmpeg executable (``media.ffmpeg_path`` or the bundled one)."""
        return self.media.ffmpeg()

    def cancelled(self) -> bool:
        return self.cancel.is_set()
